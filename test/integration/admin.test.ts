import { execFile, spawn } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runAdmin } from '../../server/admin/cli.ts';
import { prepareDataDir } from '../../server/data-dir.ts';
import { hashParams } from '../../server/services/auth.service.ts';
import { SqliteStore } from '../../server/stores/sqlite/sqlite.store.ts';
import { postJson, shippedData, startTestServer, TEST_SCRYPT } from '../helpers/server.ts';
import { AreaTree } from '../../server/domain/areas.ts';

const shipped = shippedData();
const tree = new AreaTree(shipped.areas);

/**
 * `npm run admin -- …` in-process, on its own connection to the data directory's database as the
 * command would open it; resolves to its output, rejects with its error output.
 */
async function admin(dataDir: string, ...args: string[]): Promise<string> {
  return adminWithStdin(dataDir, '', ...args);
}
async function adminWithStdin(dataDir: string, stdin: string, ...args: string[]): Promise<string> {
  const store = new SqliteStore(prepareDataDir(dataDir));
  const out: string[] = [];
  const err: string[] = [];
  try {
    await store.migrate();
    const code = await runAdmin(args, {
      store,
      tree,
      units: shipped.units,
      clock: { now: () => Date.now() },
      out: (l) => out.push(l),
      err: (l) => err.push(l),
      readStdin: async () => stdin,
      actor: 'cli:test',
      auth: { scrypt: TEST_SCRYPT },
    });
    if (code !== 0) throw new Error(err.join('\n'));
    return out.join('\n');
  } finally {
    await store.close();
  }
}

// the entry itself, as an administrator runs it (a child process, so the server keeps serving)
const execFileP = promisify(execFile);
const adminProcess = (dataDir: string, ...args: string[]) =>
  execFileP(process.execPath, ['--import', 'tsx', 'server/admin.ts', ...args], { env: { ...process.env, DATA_DIR: dataDir }, encoding: 'utf8' });

describe('npm run admin -- key …', { timeout: 120_000 }, () => {
  it('should create a key that ingests, list it, and revoke it', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'onescreen-admin-'));
    const out = (await adminProcess(dataDir, 'key', 'create', 'hotline-12345')).stdout.trim().split('\n');
    const key = out.at(-1)!;
    expect(key).toMatch(/^osk_[\w-]{40,}$/);
    expect(await admin(dataDir, 'key', 'list')).toMatch(/hotline-12345\s.*active\s+unbound/);

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
    await expect(adminProcess(dataDir, 'frobnicate')).rejects.toMatchObject({ code: 2, stderr: expect.stringMatching(/usage/) });
  });

  it('should bind a key to its sources and list it so', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'onescreen-admin-'));
    expect(await admin(dataDir, 'key', 'create', 'hotline', '--source', '12345,grid')).toMatch(/for source 12345, grid/);
    expect(await admin(dataDir, 'key', 'list')).toMatch(/hotline\s.*active\s+sources 12345,grid/);
    await expect(admin(dataDir, 'key', 'create', 'bad-src', '--source', 'Not A Code')).rejects.toThrow(/source code "Not A Code" must be a lower-case code/);
    await expect(admin(dataDir, 'key', 'create', 'no-src', '--source', ',')).rejects.toThrow(/--source needs one or more/);
  });
});

describe('npm run admin -- user … / display …', { timeout: 120_000 }, () => {
  it('should create users bound to areas, list, disable and reset them, all audited', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'onescreen-admin-'));
    expect(await admin(dataDir, 'user', 'create', 'wjc-officer', '--role', 'street', '--area', '310110019000', '--password', 'a-long-password')).toMatch(/created street user wjc-officer for area 310110019000/);
    await expect(admin(dataDir, 'user', 'create', 'bad', '--role', 'street', '--password', 'a-long-password')).rejects.toThrow(/must be bound to an area/);
    await expect(admin(dataDir, 'user', 'create', 'short-pw', '--role', 'district', '--password', 'x')).rejects.toThrow(/at least 10 characters/);
    await expect(admin(dataDir, 'user', 'create', 'wjc-officer', '--role', 'district', '--password', 'a-long-password')).rejects.toThrow(/exists already/);
    expect(await admin(dataDir, 'user', 'list')).toMatch(/wjc-officer\s+street\s+310110019000\s+-\s+active/);
    // a unit account (条) names its unit; a street's own unit is bound to its street
    expect(await admin(dataDir, 'user', 'create', 'scjg-duty', '--role', 'unit', '--unit', 'market-supervision', '--password', 'a-long-password')).toMatch(
      /created unit user scjg-duty for area 310110, working for unit market-supervision/,
    );
    expect(await admin(dataDir, 'user', 'create', 'wjc-team', '--role', 'unit', '--unit', 'st-310110019000', '--password', 'a-long-password')).toMatch(/for area 310110019000/);
    await expect(admin(dataDir, 'user', 'create', 'wjc-team2', '--role', 'unit', '--unit', 'st-310110019000', '--area', '310110001000', '--password', 'a-long-password')).rejects.toThrow(/works only in 310110019000/);
    expect(await admin(dataDir, 'user', 'create', 'cg-east', '--role', 'unit', '--unit', 'urban-management', '--area', '310110019000,310110001000', '--password', 'a-long-password')).toMatch(
      /for streets 310110001000, 310110019000, working for unit urban-management/,
    );
    await expect(admin(dataDir, 'user', 'create', 'cg-odd', '--role', 'unit', '--unit', 'urban-management', '--area', '310110,310110001000', '--password', 'a-long-password')).rejects.toThrow(/310110 is not a street/);
    await expect(admin(dataDir, 'user', 'create', 'no-unit', '--role', 'unit', '--password', 'a-long-password')).rejects.toThrow(/names its unit \(--unit <id>\)/);
    await expect(admin(dataDir, 'user', 'create', 'bad-unit', '--role', 'unit', '--unit', 'constructor', '--password', 'a-long-password')).rejects.toThrow(/unknown unit constructor/);
    await expect(admin(dataDir, 'user', 'create', 'street-unit', '--role', 'street', '--area', '310110019000', '--unit', 'housing', '--password', 'a-long-password')).rejects.toThrow(/only a unit account works for a unit/);
    expect(await admin(dataDir, 'user', 'list')).toMatch(/scjg-duty\s+unit\s+310110\s+market-supervision\s+active/);

    const s = await startTestServer({ serveWeb: false, dataDir });
    try {
      const cookie = await s.login('wjc-officer', 'a-long-password');
      expect((await s.get('/api/v1/session', cookie)).json).toMatchObject({ role: 'street', areaId: '310110019000' });
      expect((await s.get('/api/v1/session', await s.login('scjg-duty', 'a-long-password'))).json).toMatchObject({ role: 'unit', areaId: '310110', unitId: 'market-supervision' });
      await admin(dataDir, 'user', 'reset', 'wjc-officer', '--password', 'another-long-password');
      expect((await s.get('/api/v1/session', cookie)).status).toBe(401);
      await s.login('wjc-officer', 'another-long-password');
      await admin(dataDir, 'user', 'disable', 'wjc-officer');
      expect(await admin(dataDir, 'user', 'list')).toMatch(/wjc-officer.*disabled/);
      await expect(s.login('wjc-officer', 'another-long-password')).rejects.toThrow(/401/);
      const audit = await s.store.audit.listAudit({ limit: 100 });
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

describe('passwords from the command line', { timeout: 120_000 }, () => {
  it('should read a password from standard input, keeping it out of the arguments', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'onescreen-admin-'));
    const child = spawn(process.execPath, ['--import', 'tsx', 'server/admin.ts', 'user', 'create', 'stdin-officer', '--role', 'district', '--password-stdin'], {
      env: { ...process.env, DATA_DIR: dataDir },
    });
    let stdout = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stdin.end('a-password-from-stdin\n');
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(code).toBe(0);
    expect(stdout).toMatch(/created district user stdin-officer/);
    const s = await startTestServer({ serveWeb: false, dataDir });
    try {
      expect(await s.login('stdin-officer', 'a-password-from-stdin')).toMatch(/^onescreen_session=/);
      // made by the command with the production cost, which the server keeps
      expect(hashParams((await s.store.identities.findUserByUsername('stdin-officer'))!.passwordHash)).toEqual({ N: 2 ** 17, r: 8, p: 1 });
    } finally {
      await s.stop({ removeData: true });
    }
  });

  it('should refuse both password options at once, and a short password from standard input', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'onescreen-admin-'));
    await expect(adminWithStdin(dataDir, 'long-enough-pw\n', 'user', 'create', 'two-ways', '--role', 'district', '--password', 'x', '--password-stdin')).rejects.toThrow(/either --password or --password-stdin/);
    await expect(adminWithStdin(dataDir, 'short\n', 'user', 'create', 'short-in', '--role', 'district', '--password-stdin')).rejects.toThrow(/password \(from standard input\) must be at least 10/);
    await expect(admin(dataDir, 'user', 'create', 'no-pw', '--role', 'district')).rejects.toThrow(/a password is needed/);
    expect(await adminWithStdin(dataDir, 'long-enough-pw\r\nignored', 'user', 'create', 'crlf', '--role', 'district', '--password-stdin')).toMatch(/created/);
  });
});
