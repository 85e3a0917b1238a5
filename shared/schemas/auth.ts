/**
 * @module shared/schemas/auth
 * Identities, sessions, display tokens and the audit trail (执法全过程记录).
 */
import { z } from 'zod';
import { Code, IsoDateTime } from './common.ts';

/**
 * `admin` runs the system; `district` duty officers see the whole district; `street` officers
 * see one street; `wall` is a read-only display bound to one area; `unit` is a department or
 * work team (条): it sees only the cases it leads or co-handles, across the streets of its area.
 */
export const Role = z.enum(['admin', 'district', 'street', 'wall', 'unit']);
export type Role = z.infer<typeof Role>;

export const Username = z.string().regex(/^[a-z0-9][a-z0-9_.-]{2,31}$/, 'must be 3–32 lower-case letters, digits, _ . -');
/** long enough to resist guessing; no composition rules (NIST SP 800-63B) */
export const Password = z.string().min(10, 'must be at least 10 characters').max(200);

export const LoginRequest = z.strictObject({ username: z.string().min(1).max(64), password: z.string().min(1).max(200) }).meta({ id: 'LoginRequest' });
export type LoginRequest = z.infer<typeof LoginRequest>;

/**
 * `POST /api/v1/session/display`. A display token enrols one screen once. In a browser where a person
 * is signed in, the server answers 409 `SESSION_EXISTS` unless `replace` is true, so an officer's
 * session is never replaced without asking.
 */
export const DisplayEnrolRequest = z.strictObject({ token: z.string().min(20).max(200), replace: z.boolean().optional() }).meta({ id: 'DisplayEnrolRequest' });
export type DisplayEnrolRequest = z.infer<typeof DisplayEnrolRequest>;

/** Who is signed in, as the server tells the web (`GET /api/v1/session`). */
export const SessionInfo = z.object({
  kind: z.enum(['user', 'display']),
  /** username, or the display's name */
  name: z.string(),
  role: Role,
  /** the area this session may see: that area and everything below it (a unit: where its cases may lie) */
  areaId: z.string(),
  /** a unit's session: the unit it works for (its cases are its whole scope) */
  unitId: z.string().optional(),
  /** a unit account limited to several streets: its cases there only (its console follows each) */
  streets: z.array(z.string()).optional(),
  /** may see confidential (涉密/敏感) cases: district officers and admins, and cleared street and unit accounts */
  cleared: z.boolean().optional(),
  expiresAt: IsoDateTime,
}).meta({ id: 'SessionInfo', description: 'Who is signed in: a user or a wall display, its role, and the area it may see (that area and everything below it). A unit (department or team) sees only the cases it leads or co-handles within that area.' });
export type SessionInfo = z.infer<typeof SessionInfo>;

export const UserCreate = z.strictObject({
  username: Username,
  role: Role,
  areaId: z.string().min(1).max(64).optional(),
  /** the unit a `unit` account works for (from `GET /api/v1/units`); no other role has one */
  unitId: Code.optional(),
  /** a unit account limited to several streets of the district (instead of one `areaId`) */
  streets: z.array(z.string().min(1).max(64)).min(2).max(50).optional(),
  /** a street or unit account cleared for confidential cases */
  cleared: z.boolean().optional(),
  password: Password,
}).meta({ id: 'UserCreate' });
export type UserCreate = z.infer<typeof UserCreate>;

export const UserView = z.object({
  id: z.string(),
  username: z.string(),
  role: Role,
  areaId: z.string(),
  unitId: z.string().nullable(),
  /** the streets a unit account is limited to (empty: its whole area) */
  streets: z.array(z.string()),
  cleared: z.boolean(),
  createdAt: IsoDateTime,
  disabledAt: IsoDateTime.nullable(),
}).meta({ id: 'UserView' });
export type UserView = z.infer<typeof UserView>;
/** `GET /api/v1/admin/users` */
export const UserList = z.array(UserView).meta({ id: 'UserList' });
export type UserList = z.infer<typeof UserList>;

/** `POST /api/v1/admin/users/:id/password` */
export const PasswordReset = z.strictObject({ password: Password }).meta({ id: 'PasswordReset' });
export type PasswordReset = z.infer<typeof PasswordReset>;

export const DisplayTokenCreate = z.strictObject({ name: z.string().trim().min(1).max(64), areaId: z.string().min(1).max(64) }).meta({ id: 'DisplayTokenCreate' });
export const DisplayTokenView = z.object({
  id: z.string(),
  name: z.string(),
  areaId: z.string(),
  createdAt: IsoDateTime,
  createdBy: z.string(),
  revokedAt: IsoDateTime.nullable(),
  /** when its link enrolled a screen (a link works once); null while it waits */
  enrolledAt: IsoDateTime.nullable(),
}).meta({ id: 'DisplayTokenView', description: 'A display token as the server lists it (never the token itself).' });
export type DisplayTokenView = z.infer<typeof DisplayTokenView>;
/** `GET /api/v1/admin/displays` */
export const DisplayTokenList = z.array(DisplayTokenView).meta({ id: 'DisplayTokenList' });
export type DisplayTokenList = z.infer<typeof DisplayTokenList>;

/** `POST /api/v1/admin/displays`: the token is in this answer only, never stored */
export const DisplayCreated = z.object({ display: DisplayTokenView, token: z.string().min(1), enrolUrl: z.string().min(1) }).meta({ id: 'DisplayCreated', description: 'A new display token: the token and its enrolment URL are in this answer only.' });
export type DisplayCreated = z.infer<typeof DisplayCreated>;

export const AuditOutcome = z.enum(['ok', 'denied', 'failed']);
export const AuditEntry = z.object({
  id: z.number().int(),
  at: IsoDateTime,
  /** username, display name, ingest key name, or `-` for an anonymous caller */
  actor: z.string(),
  actorKind: z.enum(['user', 'display', 'ingest', 'anonymous', 'system']),
  action: z.string(),
  target: z.string(),
  outcome: AuditOutcome,
  ip: z.string(),
  detail: z.string(),
  /** identical failures within a short window are written once: how many there were */
  count: z.number().int().min(1),
}).meta({ id: 'AuditEntry', description: 'One entry of the audit trail, which the database refuses to change.' });
export type AuditEntry = z.infer<typeof AuditEntry>;
/** `GET /api/v1/admin/audit`: newest first */
export const AuditList = z.array(AuditEntry).meta({ id: 'AuditList', description: 'Audit entries, newest first.' });
export type AuditList = z.infer<typeof AuditList>;

/** Query of `GET /api/v1/admin/audit` and `…/audit.csv` (the CSV export ignores `limit`: it has up to 100,000 rows). */
export const AuditQuery = z.strictObject({
  from: IsoDateTime.optional().meta({ description: 'entries at or after this time' }),
  to: IsoDateTime.optional().meta({ description: 'entries before this time' }),
  limit: z.coerce.number().int().min(1).max(100_000).default(500).meta({ description: 'at most this many entries, newest first' }),
});
export type AuditQuery = z.infer<typeof AuditQuery>;
