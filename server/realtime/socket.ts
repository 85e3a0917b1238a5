/**
 * @module server/realtime/socket
 * Socket connections: a client names its area (`auth.areaId`, default the district), joins that
 * area's room, and receives its snapshot; it may ask for a fresh one after a gap.
 */
import type { AckResult, Snapshot } from '../../shared/index.ts';
import type { Logger } from '../ports.ts';
import { roomOf, type IoServer } from './hub.ts';
import { buildSnapshot, type SnapshotDeps } from './snapshot.ts';

export function attachSocketHandlers(io: IoServer, deps: SnapshotDeps, logger: Logger): void {
  io.use((socket, next) => {
    const requested = (socket.handshake.auth as { areaId?: unknown }).areaId;
    const areaId = requested === undefined ? deps.tree.districtId : requested;
    if (typeof areaId !== 'string' || !deps.tree.get(areaId)) {
      return next(new Error('unknown area'));
    }
    socket.data.areaId = areaId;
    next();
  });

  io.on('connection', async (socket) => {
    const { areaId } = socket.data;
    // join before the snapshot reads its seq, so no delta falls between the two
    await socket.join(roomOf(areaId));
    const send = async (): Promise<AckResult<Snapshot>> => {
      try {
        return { ok: true, data: await buildSnapshot(deps, areaId) };
      } catch (err) {
        logger.error({ err, areaId }, 'snapshot failed');
        return { ok: false, error: { code: 'INTERNAL', message: 'snapshot failed' } };
      }
    };
    socket.on('snapshot:request', async (ack) => {
      if (typeof ack !== 'function') return;
      ack(await send());
    });
    const first = await send();
    if (first.ok) socket.emit('snapshot', first.data);
  });
}
