import { spawn, type ChildProcess } from 'node:child_process';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { onCleanup } from './server';

/** A `redis-server` of the test's own, which the test may crash and restart (the shared REDIS_URL must not be touched). */
export interface PrivateRedis {
  port: number;
  /** redis://127.0.0.1:<port> */
  url: string;
  /** Kills the server with SIGKILL, as a crash would (no goodbye to clients), and waits until it has exited. */
  kill(): Promise<void>;
  /** Starts it again on the same port and waits until it answers PING. */
  start(): Promise<void>;
  /** Freezes it (SIGSTOP): connections stay open but nothing answers, as on a hung host or a partitioned network. */
  pause(): void;
  /** Lets a paused server run again (SIGCONT). */
  resume(): void;
}

/** A TCP port that was free a moment ago. */
async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve, reject) => probe.once('error', reject).listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as { port: number };
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

/** Whether a Redis on `port` answers PING with PONG. */
function pong(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    let reply = '';
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(500, () => done(false));
    socket.once('error', () => done(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.on('data', (chunk) => {
      reply += chunk.toString();
      if (reply.includes('\r\n')) done(reply.startsWith('+PONG'));
    });
  });
}

/**
 * A `redis-server` process on `port` with no persistence (`--save '' --appendonly no`) and `args`:
 * not started yet. Killed in `closeAll`.
 */
export function redisProcess(port: number, args: string[] = []): PrivateRedis {
  let child: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();

  async function start(): Promise<void> {
    if (child) throw new Error(`redis-server on port ${port} is already running`);
    const proc = spawn(
      'redis-server',
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', tmpdir(), ...args],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    child = proc;
    let output = '';
    proc.stdout!.on('data', (chunk) => (output += chunk));
    proc.stderr!.on('data', (chunk) => (output += chunk));
    let failure: Error | undefined;
    exited = new Promise<void>((resolve) => {
      proc.once('error', (err: NodeJS.ErrnoException) => {
        failure =
          err.code === 'ENOENT'
            ? new Error('redis-server is not installed (apt-get install redis-server): the Redis tests need it')
            : err;
        if (child === proc) child = undefined;
        resolve();
      });
      proc.once('exit', () => {
        failure ??= new Error(`redis-server exited: ${output.trim().split('\n').slice(-3).join(' | ')}`);
        if (child === proc) child = undefined;
        resolve();
      });
    });
    const deadline = Date.now() + 5000;
    while (!(await pong(port))) {
      if (child !== proc) throw failure;
      if (Date.now() > deadline)
        throw new Error(`redis-server did not answer PING on port ${port} within 5 s: ${output}`);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }

  async function kill(): Promise<void> {
    if (!child) return;
    child.kill('SIGKILL');
    await exited;
  }

  const signal = (name: NodeJS.Signals) => {
    if (!child) throw new Error(`redis-server on port ${port} is not running`);
    child.kill(name);
  };

  onCleanup(kill);
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    kill,
    start,
    pause: () => signal('SIGSTOP'),
    resume: () => signal('SIGCONT'),
  };
}

/**
 * Starts `redis-server` on a free loopback port with no persistence (`--save '' --appendonly no`).
 * It is killed in `closeAll`. Throws, saying what to install, when the binary is missing.
 */
export async function startPrivateRedis(): Promise<PrivateRedis> {
  const redis = redisProcess(await freePort());
  await redis.start();
  return redis;
}
