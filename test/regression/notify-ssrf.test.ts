import { createServer } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/server.ts';

describe('regression: channel URLs', () => {
  let s: TestServer;
  let internal: ReturnType<typeof createServer>;
  let port = 0;
  beforeAll(async () => {
    s = await startTestServer({ serveWeb: false });
    // an internal-only service (metadata endpoint, admin console…) on loopback
    internal = createServer((_req, res) => { res.writeHead(403, { 'content-type': 'text/plain' }); res.end('INTERNAL-SECRET: db_password=hunter2'); });
    await new Promise<void>((r) => internal.listen(0, '127.0.0.1', () => r()));
    port = (internal.address() as any).port;
  });
  afterAll(async () => { internal.close(); await s.stop({ removeData: true }); });

  it('the delivery log never echoes what a receiver answered', async () => {
    const by = { actor: 'admin', actorKind: 'user' as const, ip: '-' };
    const ch = await s.app.notifications.createChannel(by, { name: 'x', kind: 'webhook', url: `http://127.0.0.1:${port}/`, secret: 'secret-123', areaId: '310110', minSeverity: 'warn', kinds: ['alarm'], enabled: true });
    const d = await s.app.notifications.sendTest(by, ch.id);
    await s.app.notifications.pump();
    const [got] = (await s.app.notifications.listDeliveries({ limit: 10 })).filter((x) => x.id === d.id);
    console.log('lastError:', got!.lastError);
    expect(got!.lastError ?? '').not.toContain('hunter2');
  });
});
