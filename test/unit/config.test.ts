import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../server/config.ts';

describe('loadConfig', () => {
  it('should default to port 8080, ./var and the simulator on', () => {
    expect(loadConfig({})).toMatchObject({ port: 8080, dataDir: './var', simulator: true });
  });
  it('should read SIMULATOR=off', () => {
    expect(loadConfig({ SIMULATOR: 'off' }).simulator).toBe(false);
  });
  it('should list every bad variable', () => {
    expect(() => loadConfig({ PORT: 'eighty', SIMULATOR: 'maybe' })).toThrow(/PORT[\s\S]*SIMULATOR|SIMULATOR[\s\S]*PORT/);
  });
});
