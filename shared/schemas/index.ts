/**
 * @module shared/schemas
 * The contract between server and web: one schema per concept, types inferred from it.
 */
export * from './common.ts';
export * from './area.ts';
export * from './indicator.ts';
export * from './event.ts';
export * from './reading.ts';
export * from './ingest.ts';
export * from './health.ts';
export * from './auth.ts';
export * from './lifecycle.ts';
export * from './stats.ts';
export * from './alarm.ts';
export * from './notification.ts';
export * from './forecast.ts';
export * from './analytics.ts';
export * from './hotspot.ts';
export * from './replay.ts';
export * from './display.ts';
export * from './wall.ts';
export * from './task.ts';
export * from './emergency.ts';
export * from './resource.ts';
export * from './layers.ts';
