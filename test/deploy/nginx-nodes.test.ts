/**
 * The shipped site for several nodes (deploy/nginx/onescreen-nodes.conf) in front of two real
 * nodes on Redis + PostgreSQL (test/helpers/cluster.ts): a private nginx from Debian's package (test/helpers/nginx.ts) with both nodes in
 * its upstream, round robin, no sticky sessions. Walls connect through nginx as the web client
 * does (a WebSocket only) and land on both nodes; when one node is killed, its walls reconnect
 * through the same address to the other and start again from a snapshot, ingest through nginx
 * goes on, and every wall receives what is posted after.
 *
 * Needs nginx and openssl (`.ci/run` installs nginx), redis-server and postgresql.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { killPid } from '../../bench/lib/child.ts';
import type { EventBatchResponse } from '../../shared/index.ts';
import { event, startCluster, until, watch, type TestCluster } from '../helpers/cluster.ts';
import { freePorts, httpsRequest, NODES_SITE_TEMPLATE, PortInUseError, startNginx, type NginxInstance } from '../helpers/nginx.ts';

let c: TestCluster;
let nginx: NginxInstance;

async function postThroughNginx(events: unknown[]): Promise<string[]> {
  const r = await httpsRequest(nginx, '/api/v1/events', {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${c.ingestKey}` },
    body: JSON.stringify({ events }),
  });
  expect(r.status, r.body).toBe(200);
  return (JSON.parse(r.body) as EventBatchResponse).results.map((x) => (x.status === 'rejected' ? '' : x.id));
}

beforeAll(async () => {
  c = await startCluster({ leaseMs: 1500 });
  await c.startNode('A');
  await c.startNode('B');
  const ports = [c.nodes.A!.ready.port, c.nodes.B!.ready.port];
  for (let attempt = 0; ; attempt++) {
    try {
      nginx = await startNginx({ httpsPort: (await freePorts(1))[0]!, upstreamPort: ports[0]!, upstreamPorts: ports, template: NODES_SITE_TEMPLATE });
      break;
    } catch (err) {
      if (!(err instanceof PortInUseError) || attempt >= 3) throw err;
    }
  }
}, 60_000);

afterAll(async () => {
  await nginx?.stop();
  await c?.stop();
});

describe('two nodes behind nginx (deploy/nginx/onescreen-nodes.conf)', () => {
  it('spreads walls over both nodes; when one dies its walls resync on the other through the same address', async () => {
    const [first] = await postThroughNginx([event()]);
    const streetId = (await c.store.cases.getEvent(first!))!.streetId;
    const user = await c.createUser('street', streetId);
    const signIn = await httpsRequest(nginx, '/api/v1/session', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(user) });
    expect(signIn.status).toBe(200);
    const cookie = /onescreen_session=[^;]+/.exec(String(signIn.headers['set-cookie']))![0];

    // four walls, as the web client connects: a WebSocket only, reconnecting by itself
    const walls: Awaited<ReturnType<typeof watch>>[] = [];
    for (let i = 0; i < 4; i++) walls.push(await watch(nginx.url, cookie, { ca: nginx.certPem, reconnection: true, reconnectionDelay: 100, reconnectionDelayMax: 500 }));
    const onNode = async (name: string) => c.nodes[name]!.request<number>({ cmd: 'sockets' });
    const onA = await onNode('A');
    expect(onA).toBeGreaterThan(0);
    expect(await onNode('B')).toBe(4 - onA);

    killPid(c.nodes.A!.pid, 'SIGKILL');
    // A's walls come back through nginx, to B, with a new snapshot each
    const moved = () => walls.filter((w) => w.snapshots.length === 2);
    await until('every wall on B, the moved ones with a new snapshot', async () => (await onNode('B')) === 4 && walls.every((w) => w.socket.connected) && moved().length === onA);
    expect(walls.filter((w) => w.snapshots.length > 2)).toEqual([]);
    for (const w of moved()) expect(w.snapshots[1]!.epoch).toBe(w.snapshot.epoch);

    // ingest through nginx goes on (a request nginx could not send to A goes to B)
    const ids: string[] = [];
    for (let i = 0; i < 6; i++) ids.push(...(await postThroughNginx([event(), event()])));
    await until('every wall to receive what was posted after the kill', () => walls.every((w) => ids.every((id) => w.seen.has(id))));
    // the walls that stayed on B never missed a frame
    for (const w of walls.filter((x) => x.snapshots.length === 1)) w.gapless();
    for (const w of walls) w.socket.disconnect();
  }, 60_000);
});
