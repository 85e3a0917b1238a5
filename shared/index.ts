/**
 * @module shared
 * Everything server and web share: schemas, inferred types and the socket protocol.
 */
export * from './schemas/index.ts';
export * from './socket.ts';
export * from './health-score.ts';
export * from './rotation.ts';
