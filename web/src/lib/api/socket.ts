/**
 * @module web/api/socket
 * The typed Socket.IO client of the live stream (protocol in shared/socket.ts). The socket
 * authenticates with the session cookie, which the browser sends by itself on our own origin.
 */
import { io, type Socket } from 'socket.io-client';
import { SocketRefusal, type ClientToServerEvents, type ServerToClientEvents, type SocketAuth } from '../../../../shared/index.ts';

export type WallSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

/** Socket.IO's first reconnection delay (doubled per failed attempt, ±50 % jitter)… */
export const RECONNECT_DELAY_MS = 1000;
/** …up to this (ms). */
export const RECONNECT_DELAY_MAX_MS = 10_000;

/**
 * Opens a same-origin socket for one area's room. Socket.IO reconnects by itself after a network
 * loss, forever, with a capped backoff; on every (re)connection the server sends a fresh
 * `snapshot`. A refusal by the server (no session, area out of scope) is not retried.
 * @example const socket = connectWallSocket('310110');
 */
export function connectWallSocket(areaId: string): WallSocket {
  const auth: SocketAuth = { areaId };
  return io({
    auth,
    // a WebSocket from the start, no long-polling: one connection that stays on the node it
    // reached, so several nodes behind a proxy need no sticky sessions (README, "Several nodes")
    transports: ['websocket'],
    reconnection: true,
    reconnectionDelay: RECONNECT_DELAY_MS,
    reconnectionDelayMax: RECONNECT_DELAY_MAX_MS,
    timeout: 10_000,
  });
}

/**
 * The server's reason for refusing a connection, read from a `connect_error`; null when the error
 * is not one of the server's refusals (a network failure, a timeout).
 * @example socket.on('connect_error', (err) => refusalOf(err) === 'unauthorized' && signIn());
 */
export function refusalOf(err: Error): SocketRefusal | null {
  const r = SocketRefusal.safeParse(err.message);
  return r.success ? r.data : null;
}
