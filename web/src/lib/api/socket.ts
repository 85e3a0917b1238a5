/**
 * @module web/api/socket
 * The typed Socket.IO client of the live stream (protocol in shared/socket.ts).
 */
import { io, type Socket } from 'socket.io-client';
import type { ClientToServerEvents, ServerToClientEvents, SocketAuth } from '../../../../shared/index.ts';

export type WallSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

/**
 * Opens a same-origin socket for one area's room. Socket.IO reconnects by itself, forever, with
 * a capped backoff; on every (re)connection the server sends a fresh `snapshot`.
 * @example const socket = connectWallSocket('310110');
 */
export function connectWallSocket(areaId: string): WallSocket {
  const auth: SocketAuth = { areaId };
  return io({
    auth,
    reconnection: true,
    reconnectionDelay: 1000,
    reconnectionDelayMax: 10_000,
    timeout: 10_000,
  });
}
