import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { migrations } from '../../server/stores/sqlite/migrations.ts';
import { postJson, startTestServer } from '../helpers/server.ts';

/** run the admin CLI as its own process, as an operator does; `onLine` sees stdout as it comes */
function admin(dataDir: string, args: string[], onLine: (line: string) => void = () => {}) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'server/admin.ts', ...args], { env: { ...process.env, DATA_DIR: dataDir } });
    let stdout = '';
    let stderr = '';
    let partial = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      const lines = (partial + chunk).split('\n');
      partial = lines.pop()!;
      lines.forEach(onLine);
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

let n = 0;
const event = () => ({
  source: 'grid',
  externalId: `backup-${process.pid}-${++n}`,
  category: 'fire_hazard',
  title: '消防通道堵塞',
  lng: 121.514,
  lat: 31.302,
  occurredAt: new Date().toISOString(),
});

describe('npm run admin -- backup', { timeout: 180_000 }, () => {
  it('should copy the database consistently while the server ingests, and a server on the copy should have every event acknowledged before', async () => {
    const s = await startTestServer({ serveWeb: false });
    const backupDir = mkdtempSync(join(tmpdir(), 'onescreen-backups-'));
    const restoredDir = mkdtempSync(join(tmpdir(), 'onescreen-restored-'));
    const file = join(backupDir, 'onescreen-backup.sqlite');
    try {
      // some volume, so that copying takes a while: 150,000 raw readings
      const at = Date.now();
      for (let b = 0; b < 15; b++) {
        await s.store.readings.insertReadings(Array.from({ length: 10_000 }, (_, i) => ({ indicatorId: 'pm25', areaId: '310110019000', value: (b * 10_000 + i) % 300, at: at - i, receivedAt: at, simulated: false })));
      }

      // where the backup command stands when an ingest request is answered
      type Phase = 'before' | 'started' | 'copying' | 'done';
      let phase = 'before' as Phase;
      const acked: Record<Phase, string[]> = { before: [], started: [], copying: [], done: [] };
      let failures = 0;
      const writer = async () => {
        while (phase !== 'done') {
          const batch = Array.from({ length: 5 }, event);
          const r = await postJson(s.url, '/api/v1/events', { events: batch }, s.ingestKey);
          if (r.status !== 200) {
            console.error('backup test: ingest answered', r.status, JSON.stringify(r.json));
            failures++;
            continue;
          }
          acked[phase].push(...(r.json.results as { id: string }[]).map((x) => x.id));
        }
      };
      const writers = [writer(), writer(), writer()];
      // let the writers get going before the backup starts
      await expect.poll(() => acked.before.length, { timeout: 10_000 }).toBeGreaterThanOrEqual(60);

      phase = 'started';
      const run = await admin(s.dataDir, ['backup', file], (line) => {
        if (line.startsWith('backing up')) phase = 'copying';
      });
      phase = 'done';
      await Promise.all(writers);

      expect(run.stderr).toBe('');
      expect(run.code).toBe(0);
      expect(failures).toBe(0);
      // the loop kept going while the backup command ran, and while it copied
      expect(acked.copying.length).toBeGreaterThan(0);
      const summary = /backed up schema (\d+); (\d+) events, (\d+) readings/.exec(run.stdout);
      expect(summary, run.stdout).not.toBeNull();
      expect(Number(summary![1])).toBe(migrations.at(-1)!.version);
      expect(Number(summary![3])).toBe(150_000);
      const copiedEvents = Number(summary![2]);
      expect(copiedEvents).toBeGreaterThanOrEqual(acked.before.length);
      expect(copiedEvents).toBeLessThanOrEqual(acked.before.length + acked.started.length + acked.copying.length + 3 * 5);

      // owner-only, self-contained (no write-ahead log beside it), and sound
      expect(statSync(file).mode & 0o777).toBe(0o600);
      expect(existsSync(`${file}-wal`)).toBe(false);
      const verify = await admin(s.dataDir, ['backup', 'verify', file]);
      expect(verify.code).toBe(0);
      expect(verify.stdout).toContain('integrity ok');
      expect(verify.stdout).toContain(`${copiedEvents} events`);
      // an existing file is never overwritten
      const bytes = readFileSync(file);
      const again = await admin(s.dataDir, ['backup', file]);
      expect(again.code).toBe(1);
      expect(again.stderr).toContain('exists already');
      expect(readFileSync(file).equals(bytes)).toBe(true);

      // restore: the copy as onescreen.sqlite of a new data dir, and a server on it
      copyFileSync(file, join(restoredDir, 'onescreen.sqlite'));
      const r = await startTestServer({ serveWeb: false, dataDir: restoredDir });
      try {
        expect(r.store.schemaVersions()).toEqual(migrations.map((m) => m.version));
        const missing: string[] = [];
        for (const id of acked.before) if (!(await r.store.cases.getEvent(id))) missing.push(id);
        expect(missing).toEqual([]);
        expect(await r.store.cases.countEvents({})).toBe(copiedEvents);
        expect(await r.store.readings.rawReadingCount()).toBe(150_000);
        expect((await r.get(`/api/v1/events/${acked.before[0]}`)).status).toBe(200);
        // the backup is in the live database's audit trail, not in the copy
        expect((await s.store.audit.listAudit({ limit: 5 })).find((a) => a.action === 'backup.create')).toMatchObject({ target: file, outcome: 'ok' });
        expect((await r.store.audit.listAudit({ limit: 100 })).find((a) => a.action === 'backup.create')).toBeUndefined();
      } finally {
        await r.stop();
      }
    } finally {
      await s.stop({ removeData: true });
      rmSync(backupDir, { recursive: true, force: true });
      rmSync(restoredDir, { recursive: true, force: true });
    }
  });

  it('should refuse without a database, and refuse a file that is no database on verify', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'onescreen-nodb-'));
    try {
      const none = await admin(empty, ['backup', join(empty, 'b.sqlite')]);
      expect(none.code).toBe(2);
      expect(none.stderr).toContain('there is no database at');
      expect(existsSync(join(empty, 'onescreen.sqlite'))).toBe(false);
      const bogus = join(empty, 'bogus.sqlite');
      copyFileSync(new URL('../../package.json', import.meta.url), bogus);
      const verify = await admin(empty, ['backup', 'verify', bogus]);
      expect(verify.code).toBe(1);
      expect(verify.stderr).toMatch(/not a sound database|cannot be opened/);
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });
});
