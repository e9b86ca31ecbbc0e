/**
 * A child process of bench/poll.js holding a share of the watchers: one graphql-ws client, over its
 * own WebSocket, per session token it is given, each subscribed to `pollUpdated` on two polls: the
 * throughput poll (A) and the latency poll (B). Talks to its parent over IPC:
 *
 *   parent → { type: 'start', url, tokens, query, pollA, pollB, concurrency }
 *   child  → { type: 'opened', count }                      progress, then once all are connected
 *   parent → { type: 'status' }   child → { type: 'status', heardA, heardB, errors, firstError }
 *   parent → { type: 'collect', ballots, finalA, finalB }
 *            ballots: Float64Array of [commit response time (epoch ms), totalVoters after it] pairs (poll B)
 *            finalA / finalB: the recount from the database, as 'totalVoters|v0,v1,…'
 *   child  → { type: 'collected', latencies, early, missed, emissionsA, emissionsB, staleA, staleB, errors, firstError }
 *   parent → { type: 'close' }
 *
 * On poll B every ballot is a member's first, so `totalVoters` only grows: ballot k is reflected by
 * the first emission whose totalVoters is at least the totalVoters its own response reported.
 */

const { connectClient } = require('./harness');

const now = () => performance.timeOrigin + performance.now();
const clients = [];
let errors = 0;
let firstError = null;
let closing = false;
let watchers = 0;
let emissionsA = 0;
let emissionsB = 0;
let lastA = [];
let lastB = [];
/** Per watcher, poll B's emissions: times and totalVoters. */
let timesB = [];
let totalsB = [];

function fail(err) {
  errors++;
  if (!firstError) firstError = err instanceof Error ? err.message : JSON.stringify(err);
}

const stateOf = (p) => `${p.totalVoters}|${p.options.map((o) => o.votes).join(',')}`;

function open(url, token, query, pollA, pollB, v) {
  return new Promise((resolve) => {
    const { client, connected } = connectClient(url, token, fail, () => closing);
    connected.then(resolve);
    const sink = (onPoll) => ({
      next: (result) => (result.errors ? fail(result.errors[0]) : onPoll(result.data.pollUpdated)),
      error: fail,
      complete: () => !closing && fail(new Error('subscription completed by the server')),
    });
    client.subscribe(
      { query, variables: { id: pollA } },
      sink((p) => {
        emissionsA++;
        lastA[v] = stateOf(p);
      }),
    );
    client.subscribe(
      { query, variables: { id: pollB } },
      sink((p) => {
        emissionsB++;
        lastB[v] = stateOf(p);
        timesB[v].push(now());
        totalsB[v].push(p.totalVoters);
      }),
    );
    clients.push(client);
  });
}

function collect({ ballots, finalA, finalB }) {
  const n = ballots.length / 2;
  const latencies = new Float32Array(watchers * n);
  let count = 0;
  let early = 0;
  let missed = 0;
  for (let v = 0; v < watchers; v++) {
    const times = timesB[v];
    const totals = totalsB[v];
    let e = 0;
    // Ballots come in commit order, so their totals grow: one pass over the emissions per watcher.
    const order = Array.from({ length: n }, (_, k) => k).sort((a, b) => ballots[2 * a + 1] - ballots[2 * b + 1]);
    for (const k of order) {
      const total = ballots[2 * k + 1];
      while (e < totals.length && totals[e] < total) e++;
      if (e === totals.length) {
        missed++;
        continue;
      }
      const latency = times[e] - ballots[2 * k];
      if (latency < 0) early++;
      latencies[count++] = Math.max(0, latency);
    }
  }
  return {
    type: 'collected',
    latencies: latencies.slice(0, count),
    early,
    missed,
    emissionsA,
    emissionsB,
    staleA: lastA.filter((s) => s !== finalA).length + (watchers - lastA.filter(Boolean).length),
    staleB: lastB.filter((s) => s !== finalB).length + (watchers - lastB.filter(Boolean).length),
    errors,
    firstError,
  };
}

process.on('message', async (msg) => {
  if (msg.type === 'start') {
    const { url, tokens, query, pollA, pollB, concurrency } = msg;
    watchers = tokens.length;
    lastA = new Array(watchers).fill('');
    lastB = new Array(watchers).fill('');
    timesB = Array.from({ length: watchers }, () => []);
    totalsB = Array.from({ length: watchers }, () => []);
    for (let i = 0; i < watchers; i += concurrency) {
      await Promise.all(tokens.slice(i, i + concurrency).map((t, j) => open(url, t, query, pollA, pollB, i + j)));
      process.send({ type: 'opened', count: Math.min(watchers, i + concurrency) });
    }
  } else if (msg.type === 'status') {
    process.send({
      type: 'status',
      heardA: lastA.filter(Boolean).length,
      heardB: lastB.filter(Boolean).length,
      errors,
      firstError,
    });
  } else if (msg.type === 'collect') {
    process.send(collect(msg));
  } else if (msg.type === 'close') {
    closing = true;
    await Promise.all(clients.map((c) => c.dispose()));
    process.exit(0);
  }
});
process.on('disconnect', () => process.exit(0));
