import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { postJson, startTestServer } from '../helpers/server.ts';

const admin = (dataDir: string, ...args: string[]) =>
  execFileSync(process.execPath, ['--import', 'tsx', 'server/admin.ts', ...args], {
    env: { ...process.env, DATA_DIR: dataDir },
    encoding: 'utf8',
  });

describe('npm run admin -- key …', () => {
  it('should create a key that ingests, list it, and revoke it', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'onescreen-admin-'));
    const out = admin(dataDir, 'key', 'create', 'hotline-12345').trim().split('\n');
    const key = out.at(-1)!;
    expect(key).toMatch(/^osk_[\w-]{40,}$/);
    expect(admin(dataDir, 'key', 'list')).toMatch(/hotline-12345\s.*active/);

    const s = await startTestServer({ serveWeb: false, dataDir });
    try {
      const event = { source: '12345', externalId: 'cli-1', category: 'hotline_request', title: '路灯不亮', lng: 121.514, lat: 31.302, occurredAt: new Date().toISOString() };
      expect((await postJson(s.url, '/api/v1/events', { events: [event] }, key)).status).toBe(200);
      expect(admin(dataDir, 'key', 'revoke', 'hotline-12345')).toMatch(/revoked 1/);
      expect((await postJson(s.url, '/api/v1/events', { events: [event] }, key)).status).toBe(403);
    } finally {
      await s.stop({ removeData: true });
    }
  });

  it('should refuse a bad command with usage', () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'onescreen-admin-'));
    expect(() => admin(dataDir, 'key', 'create', 'bad name!')).toThrow(/key create needs a name/);
    expect(() => admin(dataDir, 'frobnicate')).toThrow(/usage/);
  });
});
