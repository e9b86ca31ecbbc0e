import WebSocket from 'ws';
import { loadConfig } from '../../src/config';
import { startServer } from '../../src/server';
import {
  capturingLogger,
  closeAll,
  createCommunity,
  onCleanup,
  signUp,
  startTestServer,
  testEnv,
  type TestServer,
} from '../support/server';

/**
 * What one client address may hold open, and what a broken frame costs (issue 12, points 2 and 13):
 * anonymous and not yet initialised sockets are capped per address (MAX_ANONYMOUS_SOCKETS_PER_CLIENT,
 * HTTP 429 on the upgrade; anonymous Server-Sent Events streams count with them), and a frame over MAX_BODY_BYTES closes its socket with 1009 and logs one
 * structured line, no stack.
 */

afterAll(closeAll);

/** A raw socket speaking graphql-transport-ws, closed by closeAll. */
function rawSocket(url: string): WebSocket {
  const socket = new WebSocket(url, 'graphql-transport-ws');
  onCleanup(() => socket.terminate());
  return socket;
}

/** How an upgrade ends: opened, or refused with an HTTP status (and its Retry-After). */
function upgrade(
  socket: WebSocket,
): Promise<{ opened: true } | { opened: false; status: number; retryAfter?: string }> {
  return new Promise((resolve, reject) => {
    socket.once('open', () => resolve({ opened: true }));
    socket.once('unexpected-response', (_req, res) =>
      resolve({ opened: false, status: res.statusCode ?? 0, retryAfter: res.headers['retry-after'] }),
    );
    socket.once('error', reject);
  });
}

/** Sends connection_init (with a token, or none) and resolves with the server's answer. */
function initialise(socket: WebSocket, token?: string): Promise<string> {
  socket.send(JSON.stringify({ type: 'connection_init', payload: token ? { authorization: `Bearer ${token}` } : {} }));
  return new Promise((resolve) => socket.once('message', (data) => resolve(JSON.parse(String(data)).type)));
}

function closed(socket: WebSocket): Promise<number> {
  return new Promise((resolve) => {
    if (socket.readyState === WebSocket.CLOSED) resolve(-1);
    socket.once('close', (code) => resolve(code));
  });
}

describe('anonymous sockets per client address (MAX_ANONYMOUS_SOCKETS_PER_CLIENT)', () => {
  // A server of its own per test: a socket closed by one test is not counted in the next.
  let server: TestServer;
  beforeEach(async () => {
    server = await startTestServer({ MAX_ANONYMOUS_SOCKETS_PER_CLIENT: '3' });
  });

  it('refuses the upgrade past the cap with HTTP 429 and Retry-After, counting sockets not yet initialised', async () => {
    const sockets = [rawSocket(server.wsUrl), rawSocket(server.wsUrl), rawSocket(server.wsUrl)];
    for (const s of sockets) expect(await upgrade(s)).toEqual({ opened: true });
    expect(await initialise(sockets[0])).toBe('connection_ack'); // anonymous: still counts

    expect(await upgrade(rawSocket(server.wsUrl))).toEqual({ opened: false, status: 429, retryAfter: '10' });

    // A socket that closes frees its place.
    sockets[1].close();
    await closed(sockets[1]);
    await eventually(async () => (await upgrade(rawSocket(server.wsUrl))).opened);
  });

  it('stops counting a socket once it signs in, so signed-in sockets are not capped', async () => {
    const ada = await signUp(server, 'ada');
    const signedIn: WebSocket[] = [];
    for (let i = 0; i < 5; i++) {
      const s = rawSocket(server.wsUrl);
      expect(await upgrade(s)).toEqual({ opened: true });
      expect(await initialise(s, ada.token)).toBe('connection_ack');
      signedIn.push(s);
    }
    const anonymous = [rawSocket(server.wsUrl), rawSocket(server.wsUrl), rawSocket(server.wsUrl)];
    for (const s of anonymous) expect(await upgrade(s)).toEqual({ opened: true });
    expect((await upgrade(rawSocket(server.wsUrl))).opened).toBe(false);
  });

  it('counts a socket refused at connection_init (bad token) until it is closed', async () => {
    const sockets = [rawSocket(server.wsUrl), rawSocket(server.wsUrl), rawSocket(server.wsUrl)];
    for (const s of sockets) expect(await upgrade(s)).toEqual({ opened: true });
    const refused = closed(sockets[0]);
    sockets[0].send(JSON.stringify({ type: 'connection_init', payload: { authorization: 'Bearer tsq_not-a-token' } }));
    expect(await refused).toBe(4403);
    await eventually(async () => (await upgrade(rawSocket(server.wsUrl))).opened);
  });

  it('counts anonymous Server-Sent Events streams with the anonymous sockets: past the cap, 429 with Retry-After; signed-in streams are not counted', async () => {
    const owner = await signUp(server, 'owner');
    const { id } = await createCommunity(server, owner);
    const subscribe = (token?: string) => {
      const control = new AbortController();
      onCleanup(() => control.abort());
      const response = fetch(server.httpUrl, {
        method: 'POST',
        signal: control.signal,
        headers: {
          'content-type': 'application/json',
          accept: 'text/event-stream',
          ...(token ? { authorization: `Bearer ${token}` } : {}),
        },
        body: JSON.stringify({
          query: 'subscription($id: ID!) { memberJoined(communityId: $id) { role } }',
          variables: { id },
        }),
      });
      return { response, abort: () => control.abort() };
    };
    const socket = rawSocket(server.wsUrl);
    expect(await upgrade(socket)).toEqual({ opened: true });
    const streams = [subscribe(), subscribe()];
    for (const s of streams) expect((await s.response).status).toBe(200);
    // Two streams and a socket: the third connection from this address is refused, as a stream and as a socket.
    const refused = await subscribe().response;
    expect([refused.status, refused.headers.get('retry-after')]).toEqual([429, '10']);
    expect(await refused.json()).toEqual({
      errors: [{ message: expect.any(String), extensions: { code: 'RATE_LIMITED' } }],
    });
    expect((await upgrade(rawSocket(server.wsUrl))).opened).toBe(false);
    // A signed-in stream is not counted.
    expect((await subscribe(owner.token).response).status).toBe(200);
    // A stream that ends frees its place.
    streams[0].abort();
    await eventually(async () => {
      const next = subscribe();
      const { status } = await next.response;
      return status === 200;
    });
  });
});

/** Resolves once `check` holds, trying every 50 ms; rejects after `ms`. */
async function eventually(check: () => Promise<boolean>, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`still not true after ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('a WebSocket frame over MAX_BODY_BYTES (issue 12, point 13)', () => {
  it('closes the socket with 1009 and logs one structured warning, without a stack', async () => {
    const { log, lines } = capturingLogger();
    const app = await startServer(loadConfig(testEnv({ MAX_BODY_BYTES: '1024' })), { log });
    onCleanup(() => app.stop());
    const printed = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    onCleanup(() => printed.mockRestore());

    const socket = rawSocket(`ws://127.0.0.1:${app.port}/graphql`);
    expect(await upgrade(socket)).toEqual({ opened: true });
    const code = closed(socket);
    socket.send(JSON.stringify({ type: 'connection_init', payload: { padding: 'x'.repeat(2_000) } }));
    expect(await code).toBe(1009);

    await eventually(async () => lines.some((l) => l.msg === 'websocket protocol error; socket closed'));
    const warned = lines.filter((l) => l.msg === 'websocket protocol error; socket closed');
    expect(warned).toEqual([
      expect.objectContaining({
        level: 40,
        code: 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH',
        closeCode: 1009,
        clientIp: '127.0.0.0', // LOG_IP's default, truncated: the network (/24), not the machine
      }),
    ]);
    expect(JSON.stringify(lines)).not.toMatch(/\bat \S+ \(|"stack"/);
    expect(lines.filter((l) => Number(l.level) >= 50)).toEqual([]);
    expect(printed).not.toHaveBeenCalled();
  });
});
