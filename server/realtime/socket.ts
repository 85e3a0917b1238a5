/**
 * @module server/realtime/socket
 * Socket connections. A socket authenticates with the session cookie; it may name an area
 * (`auth.areaId`, default its session's own) and joins that area's room only if the area is
 * within its scope — otherwise it is refused and the attempt audited. A unit's socket joins its
 * unit's room for that area instead: it is sent only the cases the unit works on. An unauthenticated socket
 * receives nothing. Sockets of a session that ends (logout, expiry, a disabled user, a revoked
 * display) are disconnected — on every node: each socket is also in its session's room
 * `session:<hash>`, and the Socket.IO adapter carries `disconnectSockets` across nodes.
 */
import { parse as parseCookie } from 'hono/utils/cookie';
import { BuildId, type AckResult, type DisplayConfig, type Snapshot, type SocketRefusal } from '../../shared/index.ts';
import { caseScope, type Principal } from '../domain/access.ts';
import { SESSION_COOKIE } from '../middleware/session.ts';
import { clientAddress, originAllowed, type NetworkOptions } from '../middleware/network.ts';
import type { Logger } from '../ports.ts';
import type { AuthService } from '../services/auth.service.ts';
import { roomOf, unitChannel, type IoServer } from './hub.ts';
import { createSnapshotSource, type SnapshotDeps, type SnapshotSource } from './snapshot.ts';

export interface SocketDeps extends SnapshotDeps {
  auth: AuthService;
  logger: Logger;
  network: NetworkOptions;
  /** the rooms' shared snapshots (the app's, also behind `GET /api/v1/snapshot`); default: one of its own */
  snapshots?: SnapshotSource;
  /** live sockets one session may hold (a wall and a few officer tabs need far fewer) */
  maxSocketsPerSession?: number;
  /** a display's configuration (scenes, layout, pause), sent to its sockets when they connect */
  displayConfig?: (displayId: string) => Promise<DisplayConfig | null>;
  /** told that a display's socket is live, with the build its page runs (throttled there) */
  displaySeen?: (displayId: string, build: string | null) => void;
}

export const MAX_SOCKETS_PER_SESSION = 16;
/** a refusal of the handshake: the client's `connect_error` carries the reason as its message */
const refusal = (why: SocketRefusal) => new Error(why);
/** the room of every socket of one session (the SHA-256 of its cookie: never the cookie itself) */
export const sessionRoom = (hash: string) => `session:${hash}`;
/** the room of every socket of one display (its token's id), on this node: its configuration goes there */
export const displayRoom = (displayId: string) => `display:${displayId}`;

export function attachSocketHandlers(io: IoServer, deps: SocketDeps) {
  const { auth, logger, tree } = deps;
  const bySession = new Map<string, Set<string>>();
  const principals = new Map<string, Principal>();
  /** the build a display socket's page said it runs (for the last-seen record) */
  const builds = new Map<string, string | null>();

  const cap = deps.maxSocketsPerSession ?? MAX_SOCKETS_PER_SESSION;
  // one snapshot per room at a time, reused while the room has not changed
  const snapshots = deps.snapshots ?? createSnapshotSource(deps);

  /**
   * Anyone may try to connect, and each refusal is audited: the same limit per address as sign-in
   * (past it only that is audited, folded), then one folded row per run of identical refusals.
   */
  async function refuseAnonymous(ip: string, why: SocketRefusal, detail: string): Promise<Error> {
    try {
      await auth.admitAnonymous('socket.connect', ip);
    } catch {
      return refusal(why);
    }
    await auth.audit({ actor: '-', actorKind: 'anonymous', action: 'socket.connect', outcome: 'denied', ip, detail });
    return refusal(why);
  }

  io.use(async (socket, next) => {
    try {
      const headers = socket.handshake.headers;
      const ip = clientAddress(socket.handshake.address, headers['x-forwarded-for'], deps.network.trustProxy);
      // the same rule as for HTTP: a browser page of another origin gets no stream, even with our cookie
      if (!originAllowed(deps.network, headers)) {
        // the origin goes to the log only: in the audit row it would make every try a new kind
        logger.debug({ ip, origin: String(headers.origin).slice(0, 200) }, 'socket from a foreign origin refused');
        return next(await refuseAnonymous(ip, 'foreign_origin', 'foreign origin'));
      }
      const cookie = headers.cookie;
      const p = await auth.authenticate(cookie ? parseCookie(cookie, SESSION_COOKIE)[SESSION_COOKIE] : undefined);
      if (!p) return next(await refuseAnonymous(ip, 'unauthorized', 'no session'));
      const requested = (socket.handshake.auth as { areaId?: unknown }).areaId;
      const areaId = requested === undefined ? p.areaId : requested;
      const scope = typeof areaId === 'string' ? caseScope(tree, p, areaId) : null;
      // a unit limited to several streets follows each of them: the district's unit room carries them all
      if (typeof areaId !== 'string' || !scope || scope.streets !== undefined) {
        // an area that exists is named; anything else is one kind of refusal (a client cannot vary it)
        const target = typeof areaId === 'string' && tree.get(areaId) ? areaId : '(unknown area)';
        await auth.audit({ actor: p.name, actorKind: p.kind, action: 'socket.join', target, outcome: 'denied', ip, detail: 'area outside scope' });
        return next(refusal('forbidden'));
      }
      let set = bySession.get(p.sessionHash);
      // a unit limited to several streets keeps one stream per street open: each counts on top
      const allowed = cap + (p.streets?.length ?? 0);
      if ((set?.size ?? 0) >= allowed) {
        await auth.audit({ actor: p.name, actorKind: p.kind, action: 'socket.connect', outcome: 'denied', ip, detail: `more than ${allowed} live connections for one session` });
        return next(refusal('too_many_connections'));
      }
      // counted here, before the connection completes, so parallel attempts cannot all pass the cap
      if (!set) bySession.set(p.sessionHash, (set = new Set()));
      set.add(socket.id);
      socket.data.areaId = areaId;
      socket.data.channel = scope.unit === undefined ? areaId : unitChannel(scope.unit, areaId);
      principals.set(socket.id, p);
      if (p.kind === 'display') {
        const build = BuildId.safeParse((socket.handshake.auth as { build?: unknown }).build);
        builds.set(socket.id, build.success ? build.data : null);
      }
      next();
    } catch (err) {
      logger.error({ err }, 'socket authentication failed');
      next(refusal('unavailable'));
    }
  });

  io.on('connection', async (socket) => {
    const { channel } = socket.data;
    const p = principals.get(socket.id)!;
    if (p.kind === 'display') deps.displaySeen?.(p.id, builds.get(socket.id) ?? null);
    socket.on('disconnect', () => {
      principals.delete(socket.id);
      builds.delete(socket.id);
      const s = bySession.get(p.sessionHash);
      s?.delete(socket.id);
      if (s?.size === 0) bySession.delete(p.sessionHash);
    });
    // join before the snapshot reads its seq, so no delta falls between the two
    await socket.join([roomOf(channel), sessionRoom(p.sessionHash), ...(p.kind === 'display' ? [displayRoom(p.id)] : [])]);
    if (p.kind === 'display' && deps.displayConfig) {
      try {
        const config = await deps.displayConfig(p.id);
        if (config) socket.emit('display:config', config);
      } catch (err) {
        logger.error({ err, displayId: p.id }, 'display configuration failed');
      }
    }
    const send = async (): Promise<AckResult<Snapshot>> => {
      try {
        return { ok: true, data: await snapshots.get(channel) };
      } catch (err) {
        logger.error({ err, channel }, 'snapshot failed');
        return { ok: false, error: { code: 'INTERNAL', message: 'snapshot failed' } };
      }
    };
    // one snapshot at a time per socket, and a repeat within a second gets the same one:
    // a misbehaving client cannot make the server build snapshots in a loop
    let pending: Promise<AckResult<Snapshot>> | null = null;
    let lastAt = 0;
    let last: AckResult<Snapshot> | null = null;
    socket.on('snapshot:request', async (ack) => {
      if (typeof ack !== 'function') return;
      if (last && Date.now() - lastAt < 1000) return ack(last);
      pending ??= send().then((r) => {
        last = r;
        lastAt = Date.now();
        pending = null;
        return r;
      });
      ack(await pending);
    });
    const first = await send();
    if (first.ok) socket.emit('snapshot', first.data);
  });

  const disconnectSession = (hash: string) => {
    for (const id of bySession.get(hash) ?? []) io.sockets.sockets.get(id)?.disconnect(true);
    bySession.delete(hash);
  };

  return {
    /**
     * Hand a display's new configuration to its sockets on this node (every node is told through
     * the cluster: app.ts); only that display's sockets are in its room.
     */
    displayChanged(config: DisplayConfig): void {
      io.local.to(displayRoom(config.displayId)).emit('display:config', config);
    },
    /** An incident of `areaId` changed: the sockets of that area and of every area below it, on this node, are told. */
    emergencyChanged(areaId: string): void {
      const rooms = tree.subtree(areaId).map(roomOf);
      if (rooms.length) io.local.to(rooms).emit('emergency:changed', { areaId });
    },
    /** close the sockets of sessions that ended, on this node and (through the adapter) every other */
    sessionsEnded(hashes: string[]): void {
      for (const h of hashes) {
        disconnectSession(h);
        io.in(sessionRoom(h)).disconnectSockets(true);
      }
    },
    /**
     * Re-check every live session (called on a timer): sockets of sessions that expired, or that
     * ended elsewhere — a user disabled or a display revoked from the command line — are closed.
     */
    async revalidate(): Promise<void> {
      // a socket let through the middleware whose client left before it connected never saw
      // 'disconnect': forget it, so it does not count against its session's cap
      for (const [hash, ids] of bySession) {
        for (const id of ids) {
          if (!io.sockets.sockets.has(id)) {
            ids.delete(id);
            principals.delete(id);
            builds.delete(id);
          }
        }
        if (ids.size === 0) bySession.delete(hash);
      }
      for (const hash of [...bySession.keys()]) {
        if (!(await auth.authenticateHash(hash))) disconnectSession(hash);
      }
      // the displays still live here were seen now (written at most once a minute each)
      for (const [id, p] of principals) {
        if (p.kind === 'display' && io.sockets.sockets.has(id)) deps.displaySeen?.(p.id, builds.get(id) ?? null);
      }
    },
  };
}
