/**
 * @module test/helpers/nginx
 * A private nginx from Debian's package in front of a test server: the shipped site
 * (`deploy/nginx/onescreen.conf`) rendered with loopback ports, a certificate made here with
 * openssl, and its own prefix in a temporary directory (pid, logs, temp paths), run in the
 * foreground as a child process and stopped by its PID.
 *
 * @example
 * const [https] = await freePorts(1);
 * const nginx = await startNginx({ httpsPort: https, upstreamPort: server.port });
 * await httpsRequest(nginx, '/api/health');
 * await nginx.stop();
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpsRequestRaw } from 'node:https';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const SITE_TEMPLATE = fileURLToPath(new URL('../../deploy/nginx/onescreen.conf', import.meta.url));
/** the site for several nodes: the same, with an upstream of nodes */
export const NODES_SITE_TEMPLATE = fileURLToPath(new URL('../../deploy/nginx/onescreen-nodes.conf', import.meta.url));
const NODES_UPSTREAM = /^([ \t]*upstream onescreen_nodes \{\n)(?:[ \t]*server [^\n]*\n)+/m;
export const NGINX_PATH = process.env.NGINX_PATH ?? 'nginx';

export interface SiteParams {
  httpsPort: number;
  httpPort: number;
  upstreamPort: number;
  /** the nodes of the several-nodes site's upstream (default: `upstreamPort` alone) */
  upstreamPorts?: number[];
  certificate: string;
  certificateKey: string;
  /** where the site's access log goes */
  accessLog: string;
}

/** nginx could not bind a port it was given (another process took it first) */
export class PortInUseError extends Error {}

/** Replace every match of `pattern` (global), and refuse a template that no longer has it. */
function substitute(text: string, pattern: RegExp, replacement: string, what: string): string {
  if (!pattern.global) throw new Error('substitute needs a global pattern');
  if (!pattern.test(text)) throw new Error(`deploy/nginx/onescreen.conf has no ${what} line: update test/helpers/nginx.ts with it`);
  pattern.lastIndex = 0;
  return text.replace(pattern, replacement);
}

/**
 * The shipped site with only what differs in a test changed: the listen addresses (loopback,
 * given ports, no IPv6 wildcard), the certificate paths and the upstream's port.
 */
export function renderSite(template: string, p: SiteParams): string {
  let s = template;
  s = substitute(s, /^[ \t]*listen \[::\]:443 ssl http2;\n/gm, '', 'IPv6 443 listen');
  s = substitute(s, /^[ \t]*listen \[::\]:80;\n/gm, '', 'IPv6 80 listen');
  s = substitute(s, /^([ \t]*)listen 443 ssl http2;/gm, `$1listen 127.0.0.1:${p.httpsPort} ssl http2;`, 'listen 443');
  s = substitute(s, /^([ \t]*)listen 80;/gm, `$1listen 127.0.0.1:${p.httpPort};`, 'listen 80');
  s = substitute(s, /^([ \t]*)ssl_certificate[ \t]+\S+;/gm, `$1ssl_certificate ${p.certificate};`, 'ssl_certificate');
  s = substitute(s, /^([ \t]*)ssl_certificate_key[ \t]+\S+;/gm, `$1ssl_certificate_key ${p.certificateKey};`, 'ssl_certificate_key');
  if (NODES_UPSTREAM.test(s)) {
    const ports = p.upstreamPorts ?? [p.upstreamPort];
    s = s.replace(NODES_UPSTREAM, (_, open: string) => open + ports.map((port) => `    server 127.0.0.1:${port} max_fails=1 fail_timeout=10s;\n`).join(''));
  } else {
    s = substitute(s, /proxy_pass http:\/\/127\.0\.0\.1:8080;/g, `proxy_pass http://127.0.0.1:${p.upstreamPort};`, 'proxy_pass');
  }
  s = substitute(s, /access_log \/var\/log\/nginx\/onescreen\.access\.log onescreen;/g, `access_log ${p.accessLog} onescreen;`, 'access_log');
  // nothing may listen beyond loopback, nor proxy to the production port
  const listens = [...s.matchAll(/^\s*listen\s+(\S+)/gm)].map((m) => m[1]!);
  if (listens.length === 0 || listens.some((l) => !l.startsWith('127.0.0.1:'))) throw new Error(`the rendered site listens on ${listens.join(', ')}`);
  if (/:8080\b/.test(s)) throw new Error('the rendered site still names port 8080');
  return s;
}

/** The main configuration of a private instance: everything nginx writes stays inside `dir`. */
export function mainConfig(dir: string, siteFile: string): string {
  const tmp = (name: string) => join(dir, 'tmp', name);
  return `# a private nginx for a test (test/helpers/nginx.ts)
worker_processes 1;
pid ${join(dir, 'nginx.pid')};
error_log ${join(dir, 'error.log')} warn;
events { worker_connections 128; }
http {
    access_log ${join(dir, 'access.log')};
    client_body_temp_path ${tmp('body')};
    proxy_temp_path ${tmp('proxy')};
    fastcgi_temp_path ${tmp('fastcgi')};
    uwsgi_temp_path ${tmp('uwsgi')};
    scgi_temp_path ${tmp('scgi')};
    include ${siteFile};
}
`;
}

/** Free TCP ports on 127.0.0.1 (free when asked: whoever binds first gets them). */
export async function freePorts(n: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from({ length: n }, () => new Promise<ReturnType<typeof createServer>>((resolve, reject) => {
      const s = createServer();
      s.once('error', reject);
      s.listen(0, '127.0.0.1', () => resolve(s));
    })),
  );
  const ports = servers.map((s) => (s.address() as { port: number }).port);
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  return ports;
}

/** A self-signed certificate for 127.0.0.1 (as name and as IP address), made with openssl. */
export function makeCertificate(dir: string): { cert: string; key: string; certPem: string } {
  const cert = join(dir, 'cert.pem');
  const key = join(dir, 'key.pem');
  const r = spawnSync('openssl', [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
    '-keyout', key, '-out', cert, '-days', '2', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1',
  ], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`openssl req failed: ${r.error?.message ?? r.stderr}`);
  chmodSync(key, 0o600);
  return { cert, key, certPem: readFileSync(cert, 'utf8') };
}

/**
 * `nginx -t` on the shipped site as an administrator installs it (its own listen lines, IPv6
 * included), with only the certificate paths pointing at a test certificate. nginx binds no port
 * when it only tests a configuration.
 */
export function testShippedSite(): { ok: boolean; output: string } {
  const dir = mkdtempSync(join(tmpdir(), 'onescreen-nginx-t-'));
  try {
    mkdirSync(join(dir, 'tmp'));
    const { cert, key } = makeCertificate(dir);
    const site = join(dir, 'onescreen.conf');
    let s = readFileSync(SITE_TEMPLATE, 'utf8');
    s = substitute(s, /^([ \t]*)ssl_certificate[ \t]+\S+;/gm, `$1ssl_certificate ${cert};`, 'ssl_certificate');
    s = substitute(s, /^([ \t]*)ssl_certificate_key[ \t]+\S+;/gm, `$1ssl_certificate_key ${key};`, 'ssl_certificate_key');
    writeFileSync(site, s);
    writeFileSync(join(dir, 'nginx.conf'), mainConfig(dir, site));
    const r = spawnSync(NGINX_PATH, ['-t', '-p', dir, '-c', join(dir, 'nginx.conf'), '-e', 'stderr'], { encoding: 'utf8' });
    return { ok: r.status === 0, output: `${r.error?.message ?? ''}${r.stderr}` };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export interface HttpsAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  /** header names and values as they came, in order (a duplicated header shows twice) */
  rawHeaders: string[];
  body: string;
}

export interface RequestOptions {
  method?: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  /** the local address to connect from (any of 127.0.0.0/8) */
  localAddress?: string;
}

export interface NginxInstance {
  pid: number;
  dir: string;
  httpsPort: number;
  httpPort: number;
  /** `https://127.0.0.1:<httpsPort>` */
  url: string;
  /** the certificate nginx presents (a client trusts it as its CA) */
  certPem: string;
  /** nginx's error log so far */
  errorLog(): string;
  /** the site's access log so far */
  accessLog(): string;
  /** stop nginx (SIGTERM to its PID, then wait for it to exit) and remove its directory */
  stop(): Promise<void>;
}

/** An HTTPS request to the instance that trusts its certificate (and nothing else). */
export function httpsRequest(nginx: Pick<NginxInstance, 'httpsPort' | 'certPem'>, path: string, o: RequestOptions = {}): Promise<HttpsAnswer> {
  return new Promise((resolve, reject) => {
    const req = httpsRequestRaw({
      host: '127.0.0.1',
      port: nginx.httpsPort,
      path,
      method: o.method ?? 'GET',
      headers: { ...(o.body !== undefined ? { 'content-length': String(Buffer.byteLength(o.body)) } : {}), ...o.headers },
      ca: nginx.certPem,
      agent: false,
      ...(o.localAddress ? { localAddress: o.localAddress } : {}),
    }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, rawHeaders: res.rawHeaders, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(o.body);
  });
}

const exited = (child: ChildProcess) =>
  child.exitCode !== null || child.signalCode !== null
    ? Promise.resolve()
    : new Promise<void>((resolve) => child.once('exit', () => resolve()));

/**
 * Start a private nginx with the shipped site in front of `upstreamPort`, and wait until it
 * answers `GET /api/health` over TLS through to the upstream. Throws {@link PortInUseError} when
 * a port was taken in the meantime (the caller picks others).
 */
export async function startNginx(o: { httpsPort: number; httpPort?: number; upstreamPort: number; upstreamPorts?: number[]; template?: string; timeoutMs?: number }): Promise<NginxInstance> {
  const check = spawnSync(NGINX_PATH, ['-v'], { encoding: 'utf8' });
  if (check.error) throw new Error(`nginx is not installed (${check.error.message}): apt-get install nginx, as .ci/run does`);
  const httpPort = o.httpPort ?? (await freePorts(1))[0]!;
  const dir = mkdtempSync(join(tmpdir(), 'onescreen-nginx-'));
  // as root, nginx's workers run as nobody: they must pass through the directory to the temp
  // paths that nginx creates (and hands to them) inside it; nothing in it is listable
  if (process.getuid?.() === 0) chmodSync(dir, 0o711);
  mkdirSync(join(dir, 'tmp'), { mode: 0o711 });
  const { cert, key, certPem } = makeCertificate(dir);
  const site = join(dir, 'onescreen.conf');
  writeFileSync(
    site,
    renderSite(readFileSync(o.template ?? SITE_TEMPLATE, 'utf8'), {
      httpsPort: o.httpsPort,
      httpPort,
      upstreamPort: o.upstreamPort,
      ...(o.upstreamPorts ? { upstreamPorts: o.upstreamPorts } : {}),
      certificate: cert,
      certificateKey: key,
      accessLog: join(dir, 'site-access.log'),
    }),
  );
  writeFileSync(join(dir, 'nginx.conf'), mainConfig(dir, site));

  const errorLog = () => {
    try {
      return readFileSync(join(dir, 'error.log'), 'utf8');
    } catch {
      return '';
    }
  };
  // -e: messages before the configuration's error_log is open go to stderr, not /var/log/nginx
  const child = spawn(NGINX_PATH, ['-p', dir, '-c', join(dir, 'nginx.conf'), '-e', 'stderr', '-g', 'daemon off;'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.on('error', (err) => (stderr += `${err.message}\n`));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      process.kill(child.pid!, 'SIGTERM');
      await exited(child);
    }
    rmSync(dir, { recursive: true, force: true });
  };

  const accessLog = () => {
    try {
      return readFileSync(join(dir, 'site-access.log'), 'utf8');
    } catch {
      return '';
    }
  };
  const instance: NginxInstance = { pid: child.pid!, dir, httpsPort: o.httpsPort, httpPort, url: `https://127.0.0.1:${o.httpsPort}`, certPem, errorLog, accessLog, stop };
  const deadline = Date.now() + (o.timeoutMs ?? 15_000);
  let last = '';
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) {
      const why = `${stderr}${errorLog()}`;
      await stop();
      if (/Address already in use/.test(why)) throw new PortInUseError(why);
      throw new Error(`nginx exited (${child.exitCode ?? child.signalCode}): ${why}`);
    }
    try {
      const r = await httpsRequest(instance, '/api/health');
      if (r.status === 200) return instance;
      last = `status ${r.status}`;
    } catch (err) {
      last = (err as Error).message;
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`nginx did not answer /api/health through to the server: ${last}\n${stderr}${errorLog()}`);
    }
    // nginx binds before its worker starts: try again when the event loop has had a turn
    await new Promise((r) => setTimeout(r, 50));
  }
}
