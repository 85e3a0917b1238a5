import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../server/config.ts';

describe('loadConfig', () => {
  it('should default to port 8080, ./var and the simulator on', () => {
    expect(loadConfig({})).toMatchObject({ port: 8080, dataDir: './var', simulator: true });
  });
  it('should run alone without REDIS_URL, and accept only a redis:// or rediss:// address', () => {
    expect(loadConfig({})).toMatchObject({ redisUrl: undefined, redisPrefix: 'onescreen:' });
    expect(loadConfig({ REDIS_URL: '' }).redisUrl).toBeUndefined();
    expect(loadConfig({ REDIS_URL: 'redis://:secret@10.0.0.5:6379/2', REDIS_PREFIX: 'yangpu:' })).toMatchObject({ redisUrl: 'redis://:secret@10.0.0.5:6379/2', redisPrefix: 'yangpu:' });
    expect(() => loadConfig({ REDIS_URL: 'http://10.0.0.5:6379' })).toThrow(/REDIS_URL: must be a redis:\/\/ or rediss:\/\/ address/);
    expect(() => loadConfig({ REDIS_PREFIX: 'a b' })).toThrow(/REDIS_PREFIX/);
  });

  it('should read SIMULATOR=off', () => {
    expect(loadConfig({ SIMULATOR: 'off' }).simulator).toBe(false);
  });
  it('should leave /metrics open and access logs on by default', () => {
    expect(loadConfig({})).toMatchObject({ metricsToken: undefined, accessLog: true });
    expect(loadConfig({ METRICS_TOKEN: '' }).metricsToken).toBeUndefined();
  });
  it('should read METRICS_TOKEN (at least 16 characters) and ACCESS_LOG=off', () => {
    expect(loadConfig({ METRICS_TOKEN: 'sixteen-chars-ok', ACCESS_LOG: 'off' })).toMatchObject({ metricsToken: 'sixteen-chars-ok', accessLog: false });
    expect(() => loadConfig({ METRICS_TOKEN: 'short' })).toThrow(/METRICS_TOKEN: must be at least 16 characters/);
  });
  it('should list every bad variable', () => {
    expect(() => loadConfig({ PORT: 'eighty', SIMULATOR: 'maybe' })).toThrow(/PORT[\s\S]*SIMULATOR|SIMULATOR[\s\S]*PORT/);
  });
  it('should read the sign-in limits for centres behind one gateway, and refuse absurd ones', () => {
    expect(loadConfig({ LOGIN_FAILURES_PER_ADDRESS: '200', ANONYMOUS_REQUESTS_PER_MINUTE: '600' })).toMatchObject({ loginFailuresPerAddress: 200, anonymousPerMinute: 600 });
    expect(loadConfig({})).toMatchObject({ loginFailuresPerAddress: 20, anonymousPerMinute: 60 });
    expect(() => loadConfig({ LOGIN_FAILURES_PER_ADDRESS: '1' })).toThrow(/LOGIN_FAILURES_PER_ADDRESS/);
  });
  it('should select PostgreSQL by DATABASE_URL, keep SQLite without it, and never echo a bad one', () => {
    expect(loadConfig({})).toMatchObject({ databaseUrl: undefined, databasePoolSize: 10 });
    expect(loadConfig({ DATABASE_URL: '' }).databaseUrl).toBeUndefined();
    expect(loadConfig({ DATABASE_URL: 'postgres://onescreen:pw@db.example:5432/onescreen', DATABASE_POOL_SIZE: '20' })).toMatchObject({
      databaseUrl: 'postgres://onescreen:pw@db.example:5432/onescreen',
      databasePoolSize: 20,
    });
    expect(loadConfig({ DATABASE_URL: 'postgresql://db.example/ops' }).databaseUrl).toBe('postgresql://db.example/ops');
    for (const bad of ['mysql://u:secret-pw@db/x', 'postgres://u:secret-pw@db', 'not a url secret-pw']) {
      let message = '';
      try {
        loadConfig({ DATABASE_URL: bad });
      } catch (err) {
        message = (err as Error).message;
      }
      expect(message).toMatch(/DATABASE_URL: must be a PostgreSQL connection string/);
      expect(message).not.toContain('secret-pw');
    }
  });
});
