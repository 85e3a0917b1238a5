/**
 * The shipped deployment files agree with each other and with the server: the service's
 * environment (unit plus env file) is a valid configuration that listens only where nginx
 * proxies to, nginx's body limit is the server's ingest limit, the data directory is the
 * service's state directory, and systemd accepts the unit (`systemd-analyze verify`, where
 * systemd is installed).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../server/config.ts';

const file = (p: string) => fileURLToPath(new URL(`../../${p}`, import.meta.url));
const UNIT = file('deploy/systemd/onescreen.service');
const unitText = readFileSync(UNIT, 'utf8');
const siteText = readFileSync(file('deploy/nginx/onescreen.conf'), 'utf8');
const envText = readFileSync(file('deploy/onescreen.env.example'), 'utf8');
const pkg = JSON.parse(readFileSync(file('package.json'), 'utf8')) as { dependencies: Record<string, string> };

/** `Key=value` settings of a unit's [Service] section, in order (a key may repeat) */
function serviceSettings(unit: string): [string, string][] {
  const out: [string, string][] = [];
  let section = '';
  for (const line of unit.split('\n').map((l) => l.trim())) {
    if (!line || line.startsWith('#') || line.startsWith(';')) continue;
    const header = /^\[(.+)\]$/.exec(line);
    if (header) section = header[1]!;
    else if (section === 'Service') out.push([line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]);
  }
  return out;
}

const settings = serviceSettings(unitText);
const setting = (key: string) => settings.filter(([k]) => k === key).map(([, v]) => v);
const one = (key: string) => {
  const v = setting(key);
  expect(v, key).toHaveLength(1);
  return v[0]!;
};

/** the environment the service starts with: Environment= lines, then the env file over them */
function serviceEnvironment(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const line of setting('Environment')) env[line.slice(0, line.indexOf('='))] = line.slice(line.indexOf('=') + 1);
  for (const line of envText.split('\n').map((l) => l.trim())) {
    if (!line || line.startsWith('#')) continue;
    env[line.slice(0, line.indexOf('='))] = line.slice(line.indexOf('=') + 1);
  }
  return env;
}

describe('the deployment files', () => {
  it('should start the service with a valid configuration behind one proxy, on loopback, without the simulator', () => {
    const c = loadConfig(serviceEnvironment());
    expect(c).toMatchObject({ host: '127.0.0.1', port: 8080, dataDir: '/var/lib/onescreen', trustProxy: 1, simulator: false, cookieSecure: true });
    expect(c.publicUrl).toMatch(/^https:\/\//);
  });

  it('should proxy to the port the service listens on, for the name PUBLIC_URL names', () => {
    const env = serviceEnvironment();
    const ports = [...siteText.matchAll(/proxy_pass http:\/\/([\d.]+):(\d+);/g)].map((m) => `${m[1]}:${m[2]}`);
    expect(ports.length).toBeGreaterThan(0);
    expect(new Set(ports)).toEqual(new Set([`${env.HOST}:${env.PORT}`]));
    const names = [...siteText.matchAll(/^\s*server_name\s+([^;]+);/gm)].map((m) => m[1]!.trim());
    expect(names.length).toBe(2);
    for (const n of names) expect(`https://${n}`).toBe(env.PUBLIC_URL);
  });

  it('should let through nginx the largest ingest body the server accepts', () => {
    const m = /^\s*client_max_body_size\s+(\d+)([km]?);/m.exec(siteText);
    expect(m).not.toBeNull();
    const bytes = Number(m![1]) * ({ '': 1, k: 1024, m: 1024 * 1024 } as Record<string, number>)[m![2]!]!;
    expect(bytes).toBe(loadConfig(serviceEnvironment()).ingestMaxBytes);
  });

  it('should run as its own user, keep its data in its 0700 state directory and restart on failure', () => {
    expect([one('User'), one('Group')]).toEqual(['onescreen', 'onescreen']);
    expect(`/var/lib/${one('StateDirectory')}`).toBe(serviceEnvironment().DATA_DIR);
    expect([one('StateDirectoryMode'), one('UMask'), one('ReadWritePaths')]).toEqual(['0700', '0077', '/var/lib/onescreen']);
    expect([one('Restart'), one('RestartSec')]).toEqual(['on-failure', '5']);
    expect(one('ProtectSystem')).toBe('strict');
    for (const k of ['NoNewPrivileges', 'ProtectHome', 'PrivateTmp', 'ProtectKernelTunables']) expect([k, one(k)]).toEqual([k, 'yes']);
    // V8's JIT writes machine code: this would kill the server at its first compiled function
    expect(setting('MemoryDenyWriteExecute')).toEqual([]);
  });

  it('should start the server the way the repository does, with tsx as a runtime dependency', () => {
    const [node, ...args] = one('ExecStart').split(/\s+/);
    expect(node).toBe('/usr/bin/node');
    expect(args).toEqual(['--import', 'tsx', 'server/main.ts']);
    expect(pkg.dependencies.tsx).toBeDefined();
    expect(existsSync(file('server/main.ts'))).toBe(true);
    expect(one('WorkingDirectory')).toBe('/opt/onescreen');
  });

  it('should keep the site for several nodes the same as the one-node site but for its upstream of nodes', () => {
    const nodes = readFileSync(file('deploy/nginx/onescreen-nodes.conf'), 'utf8');
    const upstream = /^upstream onescreen_nodes \{\n((?:[ \t]*server [^\n]*\n)+)\}\n/m.exec(nodes);
    expect(upstream).not.toBeNull();
    const servers = [...upstream![1]!.matchAll(/server (\S+) ([^;]*);/g)];
    expect(servers.length).toBeGreaterThanOrEqual(2);
    for (const m of servers) expect(m[2]).toMatch(/max_fails=1 fail_timeout=\d+s/);
    // no sticky sessions, so the web client must not long-poll (README, "Several nodes")
    expect(readFileSync(file('web/src/lib/api/socket.ts'), 'utf8')).toMatch(/transports: \['websocket'\]/);
    const normal = (t: string) =>
      t
        .replace(/^upstream onescreen_nodes \{\n(?:[ \t]*server [^\n]*\n)+\}\n/m, '')
        .replaceAll('proxy_pass http://onescreen_nodes;', 'proxy_pass http://127.0.0.1:8080;')
        .split('\n')
        .filter((l) => l.trim() !== '' && !l.trim().startsWith('#'))
        .join('\n');
    expect(normal(nodes)).toBe(normal(siteText));
  });

  // .ci/run installs systemd-analyze (Debian's systemd) where it is missing
  it('should pass systemd-analyze verify with nothing to say', () => {
    const r = spawnSync('systemd-analyze', ['verify', UNIT], { encoding: 'utf8' });
    expect(r.error, 'systemd-analyze is missing: apt-get install systemd').toBeUndefined();
    expect(r.stderr + r.stdout).toBe('');
    expect(r.status).toBe(0);
  });
});
