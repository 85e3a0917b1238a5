/**
 * @module bench/lib/tcp-proxy
 * A loopback TCP proxy the soak puts between the wall and the server, so it can cut the network
 * the way a pulled cable does: while cut, no byte moves in either direction on open connections
 * (HTTP keep-alive and the websocket alike) and no close is passed on; new connections are
 * accepted but left hanging. Restored, everything flows again: held connections are connected
 * upstream, and a side that closed meanwhile closes the other. Each side finds out about the cut
 * by its own timeouts (Socket.IO's ping), as on a real network.
 *
 * The upstream port may be down (the server killed): a connection then fails to connect and the
 * client's socket is reset, as a stopped server's would be.
 */
import { createServer, connect, type Server, type Socket } from 'node:net';

interface Pair {
  client: Socket;
  upstream: Socket | null;
  /** a side closed while cut: close the other on restore */
  closedWhileCut: boolean;
}

export interface TcpProxy {
  port: number;
  url: string;
  /** connections accepted so far */
  readonly accepted: number;
  readonly isCut: boolean;
  cut(): void;
  restore(): void;
  close(): Promise<void>;
}

export async function startTcpProxy(upstreamPort: number, host = '127.0.0.1'): Promise<TcpProxy> {
  const pairs = new Set<Pair>();
  let cut = false;
  let accepted = 0;

  const destroy = (p: Pair) => {
    pairs.delete(p);
    p.client.destroy();
    p.upstream?.destroy();
  };

  function link(p: Pair) {
    const up = connect({ port: upstreamPort, host });
    p.upstream = up;
    up.setNoDelay(true);
    const onEnd = () => {
      if (cut) p.closedWhileCut = true;
      else destroy(p);
    };
    up.on('error', onEnd);
    up.on('close', onEnd);
    p.client.on('error', onEnd);
    p.client.on('close', onEnd);
    p.client.on('data', (b) => {
      if (!up.write(b)) p.client.pause();
    });
    up.on('drain', () => !cut && p.client.resume());
    up.on('data', (b) => {
      if (!p.client.write(b)) up.pause();
    });
    p.client.on('drain', () => !cut && up.resume());
    p.client.resume();
  }

  const server: Server = createServer({ pauseOnConnect: true }, (client) => {
    accepted++;
    client.setNoDelay(true);
    const p: Pair = { client, upstream: null, closedWhileCut: false };
    pairs.add(p);
    if (cut) {
      // hang: nothing answers until the network is back
      client.on('error', () => (p.closedWhileCut = true));
      client.on('close', () => (p.closedWhileCut = true));
      return;
    }
    link(p);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, () => resolve());
  });
  const port = (server.address() as { port: number }).port;

  return {
    port,
    url: `http://${host}:${port}`,
    get accepted() {
      return accepted;
    },
    get isCut() {
      return cut;
    },
    cut() {
      cut = true;
      for (const p of pairs) {
        p.client.pause();
        p.upstream?.pause();
      }
    },
    restore() {
      cut = false;
      for (const p of [...pairs]) {
        if (p.closedWhileCut || p.client.destroyed) {
          destroy(p);
          continue;
        }
        if (!p.upstream) {
          p.client.removeAllListeners('error');
          p.client.removeAllListeners('close');
          link(p);
          continue;
        }
        p.client.resume();
        p.upstream.resume();
      }
    },
    async close() {
      for (const p of [...pairs]) destroy(p);
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
