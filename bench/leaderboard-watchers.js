/**
 * A child process of bench/leaderboard.js holding a share of the subscribers: one graphql-ws client,
 * over its own WebSocket, per session token it is given, each subscribed to `leaderboardChanged`
 * (the query and variables come from the parent). Talks to its parent over IPC:
 *
 *   parent → { type: 'start', url, tokens, query, variables, handles, concurrency }
 *            handles: the tracked members (the authors being voted for), whose scores each emission is read for
 *   child  → { type: 'opened', count }                      progress, then once all are connected
 *   parent → { type: 'status' }   child → { type: 'status', heard, errors, firstError }
 *   parent → { type: 'collect', votes, final }
 *            votes: Float64Array of [send time (epoch ms), tracked member index, score it makes] triples
 *            final: the board's first entries from the ledger, as 'handle:score,…'
 *   child  → { type: 'collected', latencies, early, missed, emissions, stale, errors, firstError }
 *   parent → { type: 'close' }
 *
 * The tracked members only gain points during the bench (upvotes on their posts), so their scores
 * only grow: a vote is reflected by the first emission in which its member's score is at least the
 * score that vote made. A member missing from an emission counts as −∞.
 */

const { connectClient } = require('./harness');

const now = () => performance.timeOrigin + performance.now();
const ABSENT = -(2 ** 31);
const clients = [];
let errors = 0;
let firstError = null;
let closing = false;
let subscribers = 0;
let tracked = new Map();
let emissions = 0;
/** Per subscriber: emission times, the tracked members' scores in each (flattened), and the last board's signature. */
let times = [];
let scores = [];
let last = [];

function fail(err) {
  errors++;
  if (!firstError) firstError = err instanceof Error ? err.message : JSON.stringify(err);
}

const signatureOf = (entries) => entries.map((e) => `${e.member.user.handle}:${e.score}`).join(',');

function open(url, token, query, variables, s) {
  return new Promise((resolve) => {
    const { client, connected } = connectClient(url, token, fail, () => closing);
    connected.then(resolve);
    client.subscribe(
      { query, variables },
      {
        next: (result) => {
          if (result.errors) return fail(result.errors[0]);
          const at = now();
          const entries = result.data.leaderboardChanged;
          emissions++;
          times[s].push(at);
          const row = new Array(tracked.size).fill(ABSENT);
          for (const e of entries) {
            const i = tracked.get(e.member.user.handle);
            if (i !== undefined) row[i] = e.score;
          }
          scores[s].push(...row);
          last[s] = signatureOf(entries);
        },
        error: fail,
        complete: () => !closing && fail(new Error('subscription completed by the server')),
      },
    );
    clients.push(client);
  });
}

function collect({ votes, final }) {
  const n = votes.length / 3;
  const width = tracked.size;
  const latencies = new Float32Array(subscribers * n);
  let count = 0;
  let early = 0;
  let missed = 0;
  for (let s = 0; s < subscribers; s++) {
    const t = times[s];
    const sc = scores[s];
    for (let k = 0; k < n; k++) {
      const sent = votes[3 * k];
      const member = votes[3 * k + 1];
      const score = votes[3 * k + 2];
      let e = 0;
      while (e < t.length && sc[e * width + member] < score) e++;
      if (e === t.length) {
        missed++;
        continue;
      }
      const latency = t[e] - sent;
      if (latency < 0) early++;
      latencies[count++] = Math.max(0, latency);
    }
  }
  return {
    type: 'collected',
    latencies: latencies.slice(0, count),
    early,
    missed,
    emissions,
    stale: last.filter((sig) => sig !== final).length,
    errors,
    firstError,
  };
}

process.on('message', async (msg) => {
  if (msg.type === 'start') {
    const { url, tokens, query, variables, handles, concurrency } = msg;
    subscribers = tokens.length;
    tracked = new Map(handles.map((h, i) => [h, i]));
    times = Array.from({ length: subscribers }, () => []);
    scores = Array.from({ length: subscribers }, () => []);
    last = new Array(subscribers).fill('');
    for (let i = 0; i < subscribers; i += concurrency) {
      await Promise.all(tokens.slice(i, i + concurrency).map((t, j) => open(url, t, query, variables, i + j)));
      process.send({ type: 'opened', count: Math.min(subscribers, i + concurrency) });
    }
  } else if (msg.type === 'status') {
    process.send({ type: 'status', heard: times.filter((t) => t.length > 0).length, errors, firstError });
  } else if (msg.type === 'collect') {
    process.send(collect(msg));
  } else if (msg.type === 'close') {
    closing = true;
    await Promise.all(clients.map((c) => c.dispose()));
    process.exit(0);
  }
});
process.on('disconnect', () => process.exit(0));
