/**
 * @module server/services/display-config.service
 * Wall displays' scenes (场景轮播): an admin saves a display's playlist and layout, an officer whose
 * scope covers the display pauses or resumes its rotation; each change is stored, audited, and
 * handed to `changed` so the display's open walls get it live (on every node: app.ts routes it
 * through the cluster). A scene's area must lie within the display's own area; a display outside
 * an officer's scope answers exactly like one that does not exist (and the attempt is audited).
 *
 * @example
 * const displays = createDisplayConfigService({ store, tree, clock, audit, changed: (c) => push(c) });
 * await displays.save(by, id, { scenes: [{ kind: 'alarms', durationSec: 30 }], layout: '1920x1080' });
 */
import type { DisplayConfig, DisplayConfigSave, RotationRequest, ValidationIssue } from '../../shared/index.ts';
import { DEFAULT_LAYOUT } from '../../shared/index.ts';
import { canSee, type Principal } from '../domain/access.ts';
import type { AreaTree } from '../domain/areas.ts';
import { AppError, notFound } from '../errors.ts';
import type { Clock, DisplayConfigRecord, DisplayTokenRecord, Store } from '../ports.ts';
import type { AuditInput } from './auth.service.ts';

export interface DisplayConfigDeps {
  store: Pick<Store, 'identities' | 'displayConfigs'>;
  tree: AreaTree;
  clock: Clock;
  audit: (a: AuditInput) => Promise<void>;
  /** a display's configuration changed: push it to its open walls */
  changed: (c: DisplayConfig) => void;
}

/** who acts, for the audit trail */
export interface Actor {
  actor: string;
  actorKind: AuditInput['actorKind'];
  ip: string;
}

const iso = (t: number) => new Date(t).toISOString();

/** The wire view of a display's configuration at `now` (a pause that has run out is none). */
export function displayConfigView(d: DisplayTokenRecord, r: DisplayConfigRecord | null, now: number): DisplayConfig {
  const p = r?.pause ?? null;
  const live = p !== null && (p.until === null || p.until > now);
  return {
    displayId: d.id,
    name: d.name,
    areaId: d.areaId,
    scenes: r?.scenes ?? [],
    layout: r?.layout ?? DEFAULT_LAYOUT,
    pause: live ? { by: p.by, at: iso(p.at), until: p.until === null ? null : iso(p.until) } : null,
    updatedAt: r?.updatedAt == null ? null : iso(r.updatedAt),
    updatedBy: r?.updatedBy ?? null,
  };
}

/**
 * The scenes' areas that do not fit the display: a `street` scene names a street, an `area`
 * scene a street or a grid, and either lies within the display's area.
 */
export function sceneAreaIssues(tree: AreaTree, displayAreaId: string, body: DisplayConfigSave): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  body.scenes.forEach((s, i) => {
    if (s.areaId === undefined) return;
    const path = `scenes.${i}.areaId`;
    const level = tree.level(s.areaId);
    if (!level) return void issues.push({ path, message: `unknown area ${s.areaId}` });
    const allowed = s.kind === 'street' ? ['street'] : ['street', 'grid'];
    if (!allowed.includes(level)) return void issues.push({ path, message: `a ${s.kind} scene shows a ${allowed.join(' or ')}, not a ${level}` });
    if (!tree.isWithin(s.areaId, displayAreaId)) issues.push({ path, message: `area ${s.areaId} is outside the display's area ${displayAreaId}` });
  });
  return issues;
}

export function createDisplayConfigService(deps: DisplayConfigDeps) {
  const { store, tree, clock } = deps;
  const isId = (id: string) => id.length > 0 && id.length <= 64;

  async function displayOf(id: string): Promise<DisplayTokenRecord> {
    const d = isId(id) ? await store.identities.getDisplayToken(id) : null;
    if (!d) throw notFound(`display ${id}`);
    return d;
  }

  async function viewOf(d: DisplayTokenRecord): Promise<DisplayConfig> {
    return displayConfigView(d, await store.displayConfigs.get(d.id), clock.now());
  }

  return {
    /** the configuration a display's wall runs (null: no such display, or revoked) */
    async forDisplay(displayId: string): Promise<DisplayConfig | null> {
      const d = isId(displayId) ? await store.identities.getDisplayToken(displayId) : null;
      return d && d.revokedAt === null ? viewOf(d) : null;
    },

    /** an admin's read of any display's configuration */
    async get(displayId: string): Promise<DisplayConfig> {
      return viewOf(await displayOf(displayId));
    },

    /** store an admin's playlist and layout, audited, and push it to the display */
    async save(by: Actor, displayId: string, body: DisplayConfigSave): Promise<DisplayConfig> {
      const d = await displayOf(displayId);
      if (d.revokedAt !== null) throw new AppError('CONFLICT', 409, `display ${d.name} is revoked`);
      const issues = sceneAreaIssues(tree, d.areaId, body);
      if (issues.length) throw new AppError('VALIDATION', 400, 'the request was refused: fix the fields listed in issues', issues);
      const rec = await store.displayConfigs.save(d.id, { scenes: body.scenes, layout: body.layout, at: clock.now(), by: by.actor });
      const total = body.scenes.reduce((n, s) => n + s.durationSec, 0);
      await deps.audit({ ...by, action: 'display.config', target: d.name, outcome: 'ok', detail: `${body.scenes.length} scenes (${body.scenes.map((s) => s.kind).join(', ') || 'overview only'}; ${total} s a cycle), layout ${body.layout}` });
      const view = displayConfigView(d, rec, clock.now());
      deps.changed(view);
      return view;
    },

    /** the displays (not revoked) whose area the principal sees, for the console */
    async listFor(p: Pick<Principal, 'areaId' | 'role'>): Promise<DisplayConfig[]> {
      const [displays, configs] = await Promise.all([store.identities.listDisplayTokens(), store.displayConfigs.list()]);
      const byId = new Map(configs.map((c) => [c.displayId, c]));
      const now = clock.now();
      return displays.filter((d) => d.revokedAt === null && canSee(tree, p, d.areaId)).map((d) => displayConfigView(d, byId.get(d.id) ?? null, now));
    },

    /**
     * Pause (for some minutes, or until resumed) or resume a display's rotation. A display the
     * officer may not see, or a revoked one, answers like an unknown one (the attempt is audited).
     */
    async rotation(p: Principal, ip: string, displayId: string, req: RotationRequest): Promise<DisplayConfig> {
      const d = isId(displayId) ? await store.identities.getDisplayToken(displayId) : null;
      if (!d || d.revokedAt !== null || !canSee(tree, p, d.areaId)) {
        if (d) await deps.audit({ actor: p.name, actorKind: p.kind, action: 'display.rotation', target: d.name, outcome: 'denied', ip, detail: d.revokedAt !== null ? 'display revoked' : 'display outside scope' });
        throw notFound(`display ${displayId}`);
      }
      const now = clock.now();
      const pause = req.action === 'pause' ? { by: p.name, at: now, until: req.minutes === null ? null : now + req.minutes * 60_000 } : null;
      const rec = await store.displayConfigs.setPause(d.id, pause);
      const detail = req.action === 'resume' ? 'resumed' : req.minutes === null ? 'paused until resumed' : `paused for ${req.minutes} min`;
      await deps.audit({ actor: p.name, actorKind: p.kind, action: 'display.rotation', target: d.name, outcome: 'ok', ip, detail });
      const view = displayConfigView(d, rec, now);
      deps.changed(view);
      return view;
    },
  };
}
export type DisplayConfigService = ReturnType<typeof createDisplayConfigService>;
