// The forecast worker's entry point, plain JavaScript so it starts the same way however the
// server runs: under `node --import tsx`, from scripts/start.mjs (tsx registered in code) or
// inside vitest. It registers tsx for this thread and loads the TypeScript worker body.
import { register } from 'tsx/esm/api';

register();
await import('./forecast.worker.ts');
