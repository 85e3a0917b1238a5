/**
 * @module web/api/socket
 * The typed Socket.IO client of the live stream (protocol in shared/socket.ts). The socket
 * authenticates with the session cookie, which the browser sends by itself on our own origin.
 */
import { io, type Socket } from 'socket.io-client';
import { SocketRefusal, type ClientToServerEvents, type ServerToClientEvents, type SocketAuth } from '../../../../shared/index.ts';
import { reconnectDelay } from '../state/recovery.ts';

export type WallSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

/** Socket.IO's first reconnection delay (doubled per failed attempt, ±50 % jitter)… */
export const RECONNECT_DELAY_MS = 1000;
/** …up to this (ms). */
export const RECONNECT_DELAY_MAX_MS = 10_000;

/**
 * Opens a same-origin socket for one area's room. After a network loss, a server restart or a
 * timeout it reconnects by itself, forever, with {@link keepConnected}'s jittered back-off (capped
 * at 30 s); on every (re)connection the server sends a fresh `snapshot`. A refusal by the server
 * (no session, area out of scope) or a close by the server (a session ended) is not retried here:
 * the caller decides.
 * @param build the build the page runs (the server keeps it per display screen)
 * @example const socket = connectWallSocket('310110', 'a1b2c3d4e5f6');
 */
export function connectWallSocket(areaId: string, build?: string | null, onSchedule?: (atMs: number) => void): WallSocket {
  const auth: SocketAuth = build ? { areaId, build } : { areaId };
  const socket: WallSocket = io({
    auth,
    // a WebSocket from the start, no long-polling: one connection that stays on the node it
    // reached, so several nodes behind a proxy need no sticky sessions (README, "Several nodes")
    transports: ['websocket'],
    // our own back-off (keepConnected): Socket.IO's stops jittering at its cap, so screens that
    // lost the server together would retry in lockstep every 30 s
    reconnection: false,
    timeout: 10_000,
  });
  keepConnected(socket, undefined, onSchedule);
  return socket;
}

/** What {@link keepConnected} needs of a socket (a Socket.IO client socket, or a fake in tests). */
export interface Reconnectable {
  readonly connected: boolean;
  /** false once the socket was closed by us or refused by the server (then it is not retried) */
  readonly active: boolean;
  connect(): unknown;
  on(event: 'connect', fn: () => void): unknown;
  on(event: 'disconnect', fn: (reason: string) => void): unknown;
  on(event: 'connect_error', fn: (err: Error) => void): unknown;
}

/**
 * Reconnects a socket after every loss that is not deliberate — a dropped transport, a ping
 * timeout, a failed or timed-out attempt — after `delay(attempt)` ({@link reconnectDelay}: 0.5–1 s,
 * then doubling, 15–30 s from the sixth on), never giving up. The attempt count starts over on
 * every connection. Our own close (`io client disconnect`), a close by the server (`io server
 * disconnect`: a session ended) and a refusal (the socket is no longer active) are left alone.
 * `onSchedule` hears when (local ms) the next attempt is due, so a page can say so.
 * Returns a function that cancels a pending attempt.
 */
export function keepConnected(socket: Reconnectable, delay: (attempt: number) => number = (n) => reconnectDelay(n), onSchedule?: (atMs: number) => void): () => void {
  let attempt = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const schedule = () => {
    clearTimeout(timer);
    const ms = delay(attempt++);
    onSchedule?.(Date.now() + ms);
    timer = setTimeout(() => {
      timer = undefined;
      if (!socket.connected && socket.active) socket.connect();
    }, ms);
  };
  socket.on('connect', () => {
    attempt = 0;
    clearTimeout(timer);
  });
  socket.on('disconnect', (reason) => {
    if (reason !== 'io client disconnect' && reason !== 'io server disconnect') schedule();
  });
  socket.on('connect_error', () => {
    if (socket.active) schedule();
  });
  return () => clearTimeout(timer);
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
