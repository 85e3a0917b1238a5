import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { postJson, startTestServer } from '../helpers/server.ts';

// async, so the in-process test server keeps serving while the command runs
const execFileP = promisify(execFile);
const admin = async (dataDir: string, ...args: string[]) =>
  (await execFileP(process.execPath, ['--import', 'tsx', 'server/admin.ts', ...args], { env: { ...process.env, DATA_DIR: dataDir }, encoding: 'utf8' })).stdout;

describe('npm run admin -- key …', { timeout: 120_000 }, () => {
  it('should create a key that ingests, list it, and revoke it', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'onescreen-admin-'));
    const out = (await admin(dataDir, 'key', 'create', 'hotline-12345')).trim().split('\n');
    const key = out.at(-1)!;
    expect(key).toMatch(/^osk_[\w-]{40,}$/);
    expect(await admin(dataDir, 'key', 'list')).toMatch(/hotline-12345\s.*active/);

    const s = await startTestServer({ serveWeb: false, dataDir });
    try {
      const event = { source: '12345', externalId: 'cli-1', category: 'hotline_request', title: '路灯不亮', lng: 121.514, lat: 31.302, occurredAt: new Date().toISOString() };
      expect((await postJson(s.url, '/api/v1/events', { events: [event] }, key)).status).toBe(200);
      expect(await admin(dataDir, 'key', 'revoke', 'hotline-12345')).toMatch(/revoked 1/);
      expect((await postJson(s.url, '/api/v1/events', { events: [event] }, key)).status).toBe(403);
    } finally {
      await s.stop({ removeData: true });
    }
  });

  it('should refuse a bad command with usage', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'onescreen-admin-'));
    await expect(admin(dataDir, 'key', 'create', 'bad name!')).rejects.toThrow(/key create needs a name/);
    await expect(admin(dataDir, 'frobnicate')).rejects.toThrow(/usage/);
  });
});

describe('npm run admin -- user … / display …', { timeout: 120_000 }, () => {
  it('should create users bound to areas, list, disable and reset them, all audited', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'onescreen-admin-'));
    expect(await admin(dataDir, 'user', 'create', 'wjc-officer', '--role', 'street', '--area', '310110019000', '--password', 'a-long-password')).toMatch(/created street user wjc-officer for area 310110019000/);
    await expect(admin(dataDir, 'user', 'create', 'bad', '--role', 'street', '--password', 'a-long-password')).rejects.toThrow(/must be bound to an area/);
    await expect(admin(dataDir, 'user', 'create', 'short-pw', '--role', 'district', '--password', 'x')).rejects.toThrow(/at least 10 characters/);
    await expect(admin(dataDir, 'user', 'create', 'wjc-officer', '--role', 'district', '--password', 'a-long-password')).rejects.toThrow(/exists already/);
    expect(await admin(dataDir, 'user', 'list')).toMatch(/wjc-officer\s+street\s+310110019000\s+active/);

    const s = await startTestServer({ serveWeb: false, dataDir });
    try {
      const cookie = await s.login('wjc-officer', 'a-long-password');
      expect((await s.get('/api/v1/session', cookie)).json).toMatchObject({ role: 'street', areaId: '310110019000' });
      await admin(dataDir, 'user', 'reset', 'wjc-officer', '--password', 'another-long-password');
      expect((await s.get('/api/v1/session', cookie)).status).toBe(401);
      await s.login('wjc-officer', 'another-long-password');
      await admin(dataDir, 'user', 'disable', 'wjc-officer');
      expect(await admin(dataDir, 'user', 'list')).toMatch(/wjc-officer.*disabled/);
      await expect(s.login('wjc-officer', 'another-long-password')).rejects.toThrow(/401/);
      const audit = await s.store.listAudit({ limit: 100 });
      const actions = audit.filter((a) => a.actorKind === 'system').map((a) => a.action);
      expect(actions).toEqual(expect.arrayContaining(['user.create', 'user.password', 'user.disable']));
    } finally {
      await s.stop({ removeData: true });
    }
  });

  it('should enrol a display by token, and stop its stream when revoked from the command line', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'onescreen-admin-'));
    const out = (await admin(dataDir, 'display', 'create', 'lobby-wall', '--area', '310110001000')).trim().split('\n');
    const token = out.at(-1)!;
    expect(token).toMatch(/^osd_[\w-]{40,}$/);
    const id = /id ([0-9a-f-]{36})/.exec(out[0]!)![1]!;
    const s = await startTestServer({ serveWeb: false, dataDir });
    try {
      const enrol = await postJson(s.url, '/api/v1/session/display', { token });
      expect(enrol.json).toMatchObject({ kind: 'display', areaId: '310110001000' });
      const cookie = /onescreen_session=[^;]+/.exec(enrol.headers.get('set-cookie')!)![0];
      const { io } = await import('socket.io-client');
      const socket = io(s.url, { transports: ['websocket'], forceNew: true, reconnection: false, extraHeaders: { cookie } });
      await new Promise((resolve) => socket.once('snapshot', resolve));
      const closed = new Promise<string>((resolve) => socket.once('disconnect', resolve));
      expect(await admin(dataDir, 'display', 'revoke', id)).toMatch(/revoked display lobby-wall/);
      expect(await closed).toBe('io server disconnect');
      expect(await admin(dataDir, 'display', 'list')).toMatch(/lobby-wall.*revoked/);
    } finally {
      await s.stop({ removeData: true });
    }
  });
});
