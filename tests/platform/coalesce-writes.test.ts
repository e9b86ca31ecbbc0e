/**
 * coalesceWrites (src/platform/graphql-ws.ts): frames a socket is sent within one turn of the event
 * loop leave in one write, in order, and send callbacks only wait for the network once the socket
 * holds too much unsent data. directSend: shared results reach a socket as graphql-ws `next`
 * messages, and a socket too far behind is dropped. A real ws server and client on loopback.
 */
import type { IncomingMessage } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { WebSocket, WebSocketServer } from 'ws';
import pino from 'pino';
import { coalesceWrites, directSend } from '../../src/platform/graphql-ws';

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

it('writes shared results as graphql-ws next messages, and drops a socket that falls too far behind', async () => {
  const { server, client, received, close } = await pair();
  try {
    const send = directSend(server, 'op-1', pino({ level: 'silent' }), 1024);
    send('{"data":{"n":1}}');
    await until(() => received.length === 1);
    expect(JSON.parse(received[0])).toEqual({ id: 'op-1', type: 'next', payload: { data: { n: 1 } } });

    // Within one turn the frames wait in the cork, so the unsent bytes pass the limit.
    const closed = new Promise<number>((resolve) => client.once('close', resolve));
    const big = JSON.stringify({ data: { text: 'x'.repeat(300) } });
    for (let i = 0; i < 10; i++) send(big);
    expect(await closed).toBe(1006);
    expect(server.readyState).toBeGreaterThanOrEqual(server.CLOSING);
  } finally {
    await close();
  }
});
