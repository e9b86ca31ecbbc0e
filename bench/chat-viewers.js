/**
 * A child process of bench/chat.js holding a share of the viewers: one graphql-ws client, over its
 * own WebSocket (the `ws` package), per session token it is given, each subscribed to
 * `chatMessageAdded(eventId)` (with `history`, after loading `chatMessages(last: 20)` over HTTP and
 * passing its endCursor as `after`). Talks to its parent over IPC (advanced serialization, so typed
 * arrays travel as they are):
 *
 *   parent → { type: 'start', url, httpUrl, tokens, query, eventId, history, concurrency, chatters, perChatter }
 *            history: null, or the query text of Event.chatMessages to load before subscribing with `after`
 *   child  → { type: 'opened', count }                progress, then once all are connected and subscribed
 *   parent → { type: 'status' }    child → { type: 'status', probed, delivered, errors, firstError }
 *   parent → { type: 'watch' }     starts recording load messages
 *   parent → { type: 'collect', failed }               failed: indices of messages whose send failed
 *   child  → { type: 'collected', latencies, lastReceived, receivers, duplicates, outOfOrder,
 *              viewersOutOfOrder, lost, viewersWithLoss, unexpected, errors, firstError }
 *   parent → { type: 'close' }     closes every client and exits
 *
 * A load message's body is `m <chatter> <seq> <send time>`; its index is chatter × perChatter + seq.
 * Per delivery this process does a split, a few typed-array writes and one clock read:
 * `latencies` (Float32Array, ms, receive − send, one per first delivery), `lastReceived`
 * (Float64Array per message: the latest first-delivery time, epoch ms), `receivers` (Uint32Array per
 * message: viewers here that got it). A repeat of a message a viewer already has counts as a
 * duplicate; a chatter's message arriving after a later one of the same chatter counts as out of
 * order (each chatter waits for its previous send, so its messages are committed and published in
 * order). Receive times come from `performance.timeOrigin + performance.now()`, comparable across
 * the processes of one machine.
 */
const { connectClient, gql } = require('./harness');

const now = () => performance.timeOrigin + performance.now();
const clients = [];
let probed = 0;
let delivered = 0;
let errors = 0;
let firstError = null;
let closing = false;

/** Recording state, sized at 'start'. */
let messages = 0; // chatters × perChatter
let perChatter = 0;
let chatters = 0;
let viewers = 0;
let seen; // Uint8Array(viewers × messages): 1 once a viewer has the message
let lastSeq; // Int32Array(viewers × chatters): highest seq seen per (viewer, chatter)
let outOfOrderOf; // Uint32Array(viewers)
let latencies; // Float32Array(viewers × messages)
let lastReceived; // Float64Array(messages)
let receivers; // Uint32Array(messages)
let duplicates = 0;
let outOfOrder = 0;
let recording = false;

function fail(err) {
  errors++;
  if (!firstError) firstError = err instanceof Error ? err.message : JSON.stringify(err);
}

function onMessage(state, v, body) {
  const t = now();
  if (body.charCodeAt(0) !== 109 /* m */ || body.charCodeAt(1) !== 32) {
    if (!state.probed && body.startsWith('probe ')) {
      state.probed = true;
      probed++;
    }
    return;
  }
  if (!recording) return;
  const parts = body.split(' ');
  const chatter = +parts[1];
  const seq = +parts[2];
  const m = chatter * perChatter + seq;
  const at = v * messages + m;
  if (seen[at]) {
    duplicates++;
    return;
  }
  seen[at] = 1;
  latencies[delivered++] = t - +parts[3];
  receivers[m]++;
  if (t > lastReceived[m]) lastReceived[m] = t;
  const k = v * chatters + chatter;
  if (seq < lastSeq[k]) {
    outOfOrder++;
    outOfOrderOf[v]++;
  } else {
    lastSeq[k] = seq;
  }
}

/** Loads the history (with `history`), then opens one client and subscribes; resolves once its socket is acknowledged. */
async function open(url, httpUrl, token, query, eventId, history, v) {
  let variables = { eventId };
  if (history) {
    try {
      const { data } = await gql(httpUrl, history, { id: eventId }, token);
      variables = { eventId, after: data.event.chatMessages.pageInfo.endCursor };
    } catch (err) {
      fail(err);
      return;
    }
  }
  await new Promise((resolve) => {
    const state = { probed: false };
    const { client, connected } = connectClient(url, token, fail, () => closing);
    connected.then(resolve);
    client.subscribe(
      { query, variables },
      {
        next: (result) =>
          result.errors ? fail(result.errors[0]) : onMessage(state, v, result.data.chatMessageAdded.body),
        error: fail,
        complete: () => {
          if (!closing) fail(new Error('subscription completed by the server'));
        },
      },
    );
    clients.push(client);
  });
}

/** What every viewer here got, once the parent says which sends failed. */
function collect(failed) {
  const failedSet = new Uint8Array(messages);
  for (const m of failed) failedSet[m] = 1;
  let lost = 0;
  let viewersWithLoss = 0;
  let unexpected = 0;
  for (let v = 0; v < viewers; v++) {
    let missing = 0;
    for (let m = 0, at = v * messages; m < messages; m++, at++) {
      if (failedSet[m]) unexpected += seen[at];
      else if (!seen[at]) missing++;
    }
    lost += missing;
    if (missing) viewersWithLoss++;
  }
  return {
    type: 'collected',
    latencies: latencies.slice(0, delivered),
    lastReceived,
    receivers,
    duplicates,
    outOfOrder,
    viewersOutOfOrder: outOfOrderOf.reduce((n, x) => n + (x > 0 ? 1 : 0), 0),
    lost,
    viewersWithLoss,
    unexpected,
    errors,
    firstError,
  };
}

process.on('message', async (msg) => {
  if (msg.type === 'start') {
    const { url, httpUrl, tokens, query, eventId, history, concurrency } = msg;
    ({ chatters, perChatter } = msg);
    messages = chatters * perChatter;
    viewers = tokens.length;
    seen = new Uint8Array(viewers * messages);
    lastSeq = new Int32Array(viewers * chatters).fill(-1);
    outOfOrderOf = new Uint32Array(viewers);
    latencies = new Float32Array(viewers * messages);
    lastReceived = new Float64Array(messages);
    receivers = new Uint32Array(messages);
    for (let i = 0; i < viewers; i += concurrency) {
      await Promise.all(
        tokens.slice(i, i + concurrency).map((t, j) => open(url, httpUrl, t, query, eventId, history, i + j)),
      );
      process.send({ type: 'opened', count: Math.min(viewers, i + concurrency) });
    }
  } else if (msg.type === 'status') {
    process.send({ type: 'status', probed, delivered, errors, firstError });
  } else if (msg.type === 'watch') {
    recording = true;
  } else if (msg.type === 'collect') {
    recording = false;
    process.send(collect(msg.failed));
  } else if (msg.type === 'close') {
    closing = true;
    await Promise.all(clients.map((c) => c.dispose()));
    process.exit(0);
  }
});
process.on('disconnect', () => process.exit(0));
