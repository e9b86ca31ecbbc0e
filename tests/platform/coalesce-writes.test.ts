/**
 * coalesceWrites (src/platform/graphql-ws.ts): frames a socket is sent within one turn of the event
 * loop leave in one write, in order, and send callbacks only wait for the network once the socket
 * holds too much unsent data. A real ws server and client on loopback.
 */
import type { IncomingMessage } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { WebSocket, WebSocketServer } from 'ws';
import { coalesceWrites } from '../../src/platform/graphql-ws';

async function pair(maxBuffered?: number) {
  const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
  await new Promise<void>((resolve) => wss.once('listening', resolve));
  const accepted = new Promise<{ server: WebSocket; tcp: Socket }>((resolve) =>
    wss.once('connection', (server: WebSocket, request: IncomingMessage) => {
      coalesceWrites(server, request.socket, maxBuffered);
      resolve({ server, tcp: request.socket });
    }),
  );
  const client = new WebSocket(`ws://127.0.0.1:${(wss.address() as AddressInfo).port}`);
  const received: string[] = [];
  client.on('message', (data) => received.push(String(data)));
  await new Promise((resolve) => client.once('open', resolve));
  const { server, tcp } = await accepted;
  const close = async () => {
    client.terminate();
    await new Promise((resolve) => wss.close(resolve));
  };
  return { server, tcp, client, received, close };
}

const until = async (check: () => boolean) => {
  for (const deadline = Date.now() + 2000; !check(); await new Promise((r) => setTimeout(r, 5))) {
    if (Date.now() > deadline) throw new Error('timed out');
  }
};

it('holds the frames of one turn and writes them together after it, in order', async () => {
  const { server, tcp, received, close } = await pair();
  try {
    for (const text of ['one', 'two', 'three']) server.send(text);
    expect(tcp.writableCorked).toBe(1);
    expect(tcp.writableLength).toBeGreaterThan(0);
    await new Promise((resolve) => setImmediate(resolve));
    expect(tcp.writableCorked).toBe(0);
    expect(tcp.writableLength).toBe(0);
    await until(() => received.length === 3);
    expect(received).toEqual(['one', 'two', 'three']);
    // The next turn starts a new batch.
    server.send('four');
    expect(tcp.writableCorked).toBe(1);
    await until(() => received.length === 4);
  } finally {
    await close();
  }
});

it('calls a send callback at once while little is buffered, and after the write beyond that', async () => {
  const roomy = await pair();
  try {
    let called = false;
    roomy.server.send('quick', () => (called = true));
    expect(called).toBe(true);
  } finally {
    await roomy.close();
  }

  const tight = await pair(1); // every send finds the buffer over the limit once one frame waits
  try {
    const order: string[] = [];
    tight.server.send('first', () => order.push('first'));
    tight.server.send('second', (err) => order.push(err ? `second failed: ${err.message}` : 'second'));
    expect(order).toEqual(['first']); // the first found an empty buffer
    await until(() => order.length === 2);
    expect(order).toEqual(['first', 'second']);
    await until(() => tight.received.length === 2);
  } finally {
    await tight.close();
  }
});
