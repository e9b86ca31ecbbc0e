/**
 * A child process of bench/comments.js holding a share of the subscribers: one graphql-ws client,
 * over its own WebSocket (the `ws` package), per session token it is given, each subscribed to
 * `commentAdded(postId)`. Talks to its parent over IPC:
 *
 *   parent → { type: 'start', url, tokens, query, variables, concurrency }
 *   child  → { type: 'opened', count }                   progress, then once all are connected
 *   parent → { type: 'status' }          child → { type: 'status', probed, errors, firstError }
 *   parent → { type: 'watch', body }     child → { type: 'received', times, cpuMs } once every client
 *                                        has the comment with that body (times: epoch ms, with
 *                                        fractions; cpuMs: this process's CPU time since the watch)
 *   parent → { type: 'collect' }         child → { type: 'received', times, cpuMs } as far as it got
 *   parent → { type: 'close' }           closes every client and exits
 *
 * Receive times come from `performance.timeOrigin + performance.now()`, comparable across the
 * processes of one machine.
 */

const { connectClient } = require('./harness');

const now = () => performance.timeOrigin + performance.now();
const clients = [];
let probed = 0;
let errors = 0;
let firstError = null;
let watch = null; // { body, times: number[], reported: boolean }

/** CPU milliseconds (user + system) this process has used since `start` (a process.cpuUsage()). */
function cpuMsSince(start) {
  const { user, system } = process.cpuUsage(start);
  return (user + system) / 1000;
}

function fail(err) {
  errors++;
  if (!firstError) firstError = err instanceof Error ? err.message : JSON.stringify(err);
}

function onComment(state, comment) {
  if (comment.body.startsWith('probe ') && !state.probed) {
    state.probed = true;
    probed++;
  }
  if (watch && comment.body === watch.body) {
    watch.times.push(now());
    if (watch.times.length === clients.length && !watch.reported) {
      watch.reported = true;
      process.send({ type: 'received', times: watch.times, cpuMs: cpuMsSince(watch.cpu) });
    }
  }
}

/** Opens one client and subscribes; resolves once its socket is acknowledged (connection_ack). */
function open(url, token, query, variables) {
  return new Promise((resolve) => {
    const state = { probed: false };
    const { client, connected } = connectClient(url, token, fail, () => closing);
    connected.then(resolve);
    client.subscribe(
      { query, variables },
      {
        next: (result) => (result.errors ? fail(result.errors[0]) : onComment(state, result.data.commentAdded)),
        error: fail,
        complete: () => {
          if (!closing) fail(new Error('subscription completed by the server'));
        },
      },
    );
    clients.push(client);
  });
}

let closing = false;

process.on('message', async (msg) => {
  if (msg.type === 'start') {
    const { url, tokens, query, variables, concurrency } = msg;
    for (let i = 0; i < tokens.length; i += concurrency) {
      await Promise.all(tokens.slice(i, i + concurrency).map((t) => open(url, t, query, variables)));
      process.send({ type: 'opened', count: Math.min(tokens.length, i + concurrency) });
    }
  } else if (msg.type === 'status') {
    process.send({ type: 'status', probed, errors, firstError });
  } else if (msg.type === 'watch') {
    watch = { body: msg.body, times: [], reported: false, cpu: process.cpuUsage() };
  } else if (msg.type === 'collect') {
    process.send({ type: 'received', times: watch ? watch.times : [], cpuMs: watch ? cpuMsSince(watch.cpu) : 0 });
  } else if (msg.type === 'close') {
    closing = true;
    await Promise.all(clients.map((c) => c.dispose()));
    process.exit(0);
  }
});
process.on('disconnect', () => process.exit(0));
