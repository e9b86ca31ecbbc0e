#!/usr/bin/env node
/**
 * `npm run bench:chat`: live stream chat under load (issue 4, point 7). Sets up, in SQL, a PUBLIC
 * community with its owner, CHATTERS chatters and VIEWERS viewers as members, each with a session;
 * starts the real server as a child process (CHAT_RATE_LIMIT=1000000, so the per-member flood limit
 * does not stop the chatters); as the owner, creates a LIVE_STREAM event starting now and starts it.
 * Opens VIEWERS graphql-ws clients, each over its own WebSocket and signed in as its own member,
 * spread over CLIENT_PROCS child processes (chat-viewers.js), all subscribed to
 * `chatMessageAdded(eventId)` on the stream: without `after` by default (a PUBLIC stream's viewers
 * then share one server-side execution), or with --after each viewer first loads
 * `chatMessages(last: 20)` and subscribes with `after: endCursor` (the gap-free path: each socket
 * replays on its own, then joins the shared execution once caught up). The owner sends probe messages until every viewer has received one (so all are
 * subscribed); with the subscriptions idle, the server's memory is read. Then CHATTERS chatters each
 * send RATE messages a second for DURATION seconds through HTTP `sendChatMessage` (keep-alive, from
 * this process; each chatter waits for its previous send, and catches up on its schedule when late).
 * Each body carries the message's id (chatter, sequence) and its send time, taken just before the
 * request is sent; viewers record when each message reaches them. After the last send, the bench
 * waits until every viewer has every message or no delivery has come for 5 s, then collects.
 *
 * Prints: messages sent (failed sends and the first error), sendChatMessage round trip, delivery
 * latency p50/p99/max over every (message, viewer) pair, p50/p99/max per message until it has
 * reached every viewer, messages lost (must be 0), duplicates, out-of-order deliveries; CPU while
 * sending of the server (and per message until the last delivery), of PostgreSQL's backends, of the
 * viewer processes, of this process and of the rest of the machine (other load skews the figures);
 * server memory per idle viewer and before, during and after the load. Asserts nothing.
 *
 * Options (flag or environment): --viewers=N (VIEWERS, default 500), --chatters=N (CHATTERS,
 * default 20), --rate=N (RATE, messages per second per chatter, default 10), --duration=S
 * (DURATION, seconds of sending, default 10), --client-procs=N (CLIENT_PROCS, default: cores − 1,
 * from 1 to 4), --after (AFTER=1: history, then `chatMessageAdded(after:)`). Database: see harness.js.
 */
const { readFileSync } = require('node:fs');
const { availableParallelism } = require('node:os');
const { join } = require('node:path');
const { createClient } = require('graphql-ws');
const WebSocket = require('ws');
const {
  progress,
  startWorker,
  sleep,
  option,
  openBenchDatabase,
  createSessions,
  startServer,
  assertFileLimit,
  openFileLimits,
  gql,
  newTokenSecret,
  rssKb,
  cpuSeconds,
  databaseBackends,
  machineLoad,
  quantile,
  closeWorkers,
  sampleRssPeak,
  addDefaultChannel,
} = require('./harness');

const VIEWERS = Number(option('viewers', 'VIEWERS', '500'));
const CHATTERS = Number(option('chatters', 'CHATTERS', '20'));
const RATE = Number(option('rate', 'RATE', '10'));
const DURATION = Number(option('duration', 'DURATION', '10'));
const CLIENT_PROCS = Number(
  option('client-procs', 'CLIENT_PROCS', String(Math.min(4, Math.max(1, availableParallelism() - 1)))),
);
const AFTER = process.argv.includes('--after') || process.env.AFTER === '1';
const PER_CHATTER = Math.round(RATE * DURATION);
const MESSAGES = CHATTERS * PER_CHATTER;
/** After the last send: stop waiting once no delivery has come for this long. */
const DRAIN_IDLE_MS = 5000;
const SLUG = 'bench-chat';
const now = () => performance.timeOrigin + performance.now();

// What a chat client selects; nothing viewer-dependent, so a PUBLIC stream's viewers can share it.
const SUBSCRIPTION = `subscription ChatFollow($eventId: ID!, $after: String) {
  chatMessageAdded(eventId: $eventId, after: $after) { id body createdAt author { handle } }
}`;
const HISTORY = `query ChatHistory($id: ID!) {
  event(id: $id) { chatMessages(last: 20) { edges { node { id body createdAt author { handle } } } pageInfo { endCursor } } }
}`;
const SEND = `mutation ChatSend($input: SendChatMessageInput!) { sendChatMessage(input: $input) { id } }`;
const COMMUNITY = `query ChatCommunity($slug: String!) { community(slug: $slug) { id } }`;
const CREATE_EVENT = `mutation ChatCreateEvent($input: CreateEventInput!) { createEvent(input: $input) { id } }`;
const START_LIVE = `mutation ChatStartLive($input: OpenLiveStreamInput!) { openLiveStream(input: $input) { id live } }`;

/** Busy and total jiffies of the whole machine (first line of /proc/stat), for its CPU use over a window. */
function machineJiffies() {
  const [, ...fields] = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/);
  const values = fields.map(Number);
  const total = values.reduce((a, b) => a + b, 0);
  return { busy: total - values[3] - (values[4] || 0), total }; // idle, iowait
}

/**
 * The stream's cast, in SQL: users (handles chat-bench-…), the PUBLIC community `bench-chat`
 * (replaced when it exists) with the owner as OWNER and everyone else as MEMBER, and one session each.
 * @returns `{ owner, chatters, viewers }`: session tokens
 */
async function setUp(client, tokenSecret) {
  const handles = [
    'chat-bench-owner',
    ...Array.from({ length: CHATTERS }, (_, i) => `chat-bench-c${String(i).padStart(4, '0')}`),
    ...Array.from({ length: VIEWERS }, (_, i) => `chat-bench-v${String(i).padStart(6, '0')}`),
  ];
  await client.query(
    `insert into users (handle, email, password_hash, is_admin, created_at)
     select h, h || '@bench.townsquare.dev', '!no-login', false, now() from unnest($1::text[]) h
     on conflict do nothing`,
    [handles],
  );
  const byHandle = new Map(
    (await client.query('select id, handle from users where handle = any($1::text[])', [handles])).rows.map((r) => [
      r.handle,
      r.id,
    ]),
  );
  const ids = handles.map((h) => byHandle.get(h));
  await client.query('delete from communities where slug = $1', [SLUG]);
  const { id: communityId } = (
    await client.query(
      `insert into communities (slug, name, description, visibility, member_count, created_at, updated_at)
     values ($1, 'Bench: a live stream', 'Chat under load (bench/chat.js).', 'PUBLIC', 0, now(), now()) returning id`,
      [SLUG],
    )
  ).rows[0];
  await addDefaultChannel(client, communityId);
  await client.query(
    `insert into members (community_id, user_id, role, joined_at)
     select $1, u.id, (case when u.i = 1 then 'OWNER' else 'MEMBER' end)::member_role, now()
       from unnest($2::int[]) with ordinality as u(id, i)`,
    [communityId, ids],
  );
  await client.query(
    'update communities set member_count = (select count(*) from members where community_id = $1) where id = $1',
    [communityId],
  );
  await client.query('delete from sessions where user_id = any($1::int[])', [ids]);
  for (const table of ['users', 'members', 'sessions']) await client.query(`analyze ${table}`);
  const tokens = await createSessions(client, ids, tokenSecret);
  return { owner: tokens[0], chatters: tokens.slice(1, 1 + CHATTERS), viewers: tokens.slice(1 + CHATTERS) };
}

/**
 * Chatter `c`: message `seq` is due at start + (c / CHATTERS + seq) / RATE seconds; it is sent when
 * due or, when the previous send took longer, as soon as that one returns.
 */
async function chatter(c, token, url, eventId, start, sends) {
  for (let seq = 0; seq < PER_CHATTER; seq++) {
    const due = start + ((c / CHATTERS + seq) * 1000) / RATE;
    const wait = due - now();
    if (wait > 0) await sleep(wait);
    const sentAt = now();
    const body = `m ${c} ${seq} ${sentAt}`;
    try {
      const { headers } = await gql(url, SEND, { input: { eventId, body } }, token);
      sends.roundTrips.push(now() - sentAt);
      sends.statements += Number(headers.get('x-sql-statements') ?? NaN);
      sends.sentAt[c * PER_CHATTER + seq] = sentAt;
      sends.ok++;
    } catch (err) {
      sends.failed.push(c * PER_CHATTER + seq);
      sends.firstError ??= err.message;
    }
    sends.maxLate = Math.max(sends.maxLate, sentAt - due);
  }
}

(async () => {
  const range = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number);
  if (VIEWERS > range[1] - range[0]) {
    console.error(
      `${VIEWERS} sockets to one server port need more local ports than ip_local_port_range offers (${range.join('–')})`,
    );
    process.exit(1);
  }
  const serverFiles = VIEWERS + CHATTERS + 512;
  const workerFiles = Math.ceil(VIEWERS / CLIENT_PROCS) + 256;
  const { soft } = openFileLimits();
  assertFileLimit(Math.max(serverFiles, workerFiles)); // before anything is created that would need cleaning up
  if (Math.max(serverFiles, workerFiles) > soft) {
    progress(
      `open-file limit: ${soft} here; starting the server with ulimit -n ${serverFiles} and each client process with ${workerFiles}`,
    );
  }

  const db = await openBenchDatabase();
  let server;
  const workers = [];
  try {
    const tokenSecret = newTokenSecret();
    const client = await db.connect();
    let tokens;
    try {
      progress(`setting up the stream's community: ${1 + CHATTERS + VIEWERS} members with a session each…`);
      tokens = await setUp(client, tokenSecret);
    } finally {
      await client.close();
    }
    progress('starting the server…');
    server = await startServer(db.env, { tokenSecret, files: serverFiles, env: { CHAT_RATE_LIMIT: '1000000' } });
    const wsUrl = server.url.replace('http', 'ws');
    const {
      data: { community },
    } = await gql(server.url, COMMUNITY, { slug: SLUG });
    const startsAt = new Date();
    const {
      data: { createEvent: event },
    } = await gql(
      server.url,
      CREATE_EVENT,
      {
        input: {
          communityId: community.id,
          kind: 'LIVE_STREAM',
          title: 'Bench live stream',
          description: 'Chat under load.',
          startsAt: startsAt.toISOString(),
          endsAt: new Date(startsAt.getTime() + 2 * 3600_000).toISOString(),
          timeZone: 'UTC',
        },
      },
      tokens.owner,
    );
    await gql(server.url, START_LIVE, { input: { eventId: event.id } }, tokens.owner);
    const eventId = event.id;
    const ownerSays = (body) => gql(server.url, SEND, { input: { eventId, body } }, tokens.owner);
    console.log(
      `stream:   a LIVE_STREAM of the PUBLIC community "${SLUG}", live; members: its owner, ${CHATTERS} chatters, ${VIEWERS} viewers, one session each`,
    );
    console.log(
      `server:   node ${process.version}, pid ${server.pid}, CHAT_RATE_LIMIT=1000000; viewers: ${VIEWERS} graphql-ws clients, one WebSocket and one member each, in ${CLIENT_PROCS} client process${CLIENT_PROCS === 1 ? '' : 'es'} on the same machine`,
    );
    console.log(
      `          subscribed ${AFTER ? 'with `after` (chatMessages(last: 20), then chatMessageAdded(after: endCursor): each socket replays on its own, then joins the shared execution)' : 'without `after` (one shared execution for all)'}\n`,
    );

    // Warm the subscription and send paths once, so the baseline holds the code every viewer uses.
    progress('warming up the subscription path…');
    await new Promise((resolve, reject) => {
      const warm = createClient({
        url: wsUrl,
        webSocketImpl: WebSocket,
        connectionParams: { authorization: `Bearer ${tokens.viewers[0]}` },
        lazy: false,
        retryAttempts: 0,
      });
      let timer;
      const done = (err) => {
        clearInterval(timer);
        unsubscribe();
        warm.dispose().then(() => (err ? reject(err) : resolve()), reject);
      };
      const unsubscribe = warm.subscribe(
        { query: SUBSCRIPTION, variables: { eventId } },
        {
          next: (result) =>
            done(result.errors && new Error(`chatMessageAdded answered with errors: ${JSON.stringify(result.errors)}`)),
          error: (err) =>
            done(err instanceof Error ? err : new Error(`chatMessageAdded failed: ${JSON.stringify(err)}`)),
          complete: () => undefined,
        },
      );
      timer = setInterval(() => ownerSays('warm-up').catch(done), 300);
    });
    await Promise.all(tokens.chatters.map((t) => gql(server.url, SEND, { input: { eventId, body: 'warm-up' } }, t)));
    await sleep(2000);
    const rssBefore = rssKb(server.pid);

    progress(`opening ${VIEWERS} viewers in ${CLIENT_PROCS} client processes…`);
    const openedAt = Date.now();
    const opened = new Array(CLIENT_PROCS).fill(0);
    let lastShown = 0;
    await Promise.all(
      Array.from({ length: CLIENT_PROCS }, (_, w) => {
        const share = tokens.viewers.filter((_, i) => i % CLIENT_PROCS === w);
        const worker = startWorker(join(__dirname, 'chat-viewers.js'), workerFiles);
        workers.push(worker);
        worker.listen((msg) => {
          if (msg.type !== 'opened') return;
          opened[w] = msg.count;
          const total = opened.reduce((a, b) => a + b, 0);
          if (total - lastShown >= 500 || total === VIEWERS) {
            lastShown = total;
            progress(`  ${total}/${VIEWERS} connected (${((Date.now() - openedAt) / 1000).toFixed(1)} s)`);
          }
        });
        worker.send({
          type: 'start',
          url: wsUrl,
          httpUrl: server.url,
          tokens: share,
          query: SUBSCRIPTION,
          eventId,
          history: AFTER ? HISTORY : null,
          concurrency: 50,
          chatters: CHATTERS,
          perChatter: PER_CHATTER,
        });
        return new Promise((resolve) =>
          worker.listen((msg) => msg.type === 'opened' && msg.count === share.length && resolve()),
        );
      }),
    );
    const connectedMs = Date.now() - openedAt;

    const status = async () => {
      const all = await Promise.all(workers.map((w) => w.ask({ type: 'status' }, 'status')));
      return {
        probed: all.reduce((n, s) => n + s.probed, 0),
        delivered: all.reduce((n, s) => n + s.delivered, 0),
        errors: all.reduce((n, s) => n + s.errors, 0),
        firstError: all.find((s) => s.firstError)?.firstError,
      };
    };
    // Subscriptions have no acknowledgement in the protocol: a probe message that all receive proves them.
    let s = await status();
    for (let probe = 1; s.probed < VIEWERS; probe++) {
      if (Date.now() - openedAt > 120_000 + VIEWERS * 20) {
        throw new Error(
          `only ${s.probed} of ${VIEWERS} viewers received a probe message; ${s.errors} errors (first: ${s.firstError})`,
        );
      }
      await ownerSays(`probe ${probe}`);
      for (let i = 0; i < 10 && s.probed < VIEWERS; i++) {
        await sleep(200);
        s = await status();
      }
      progress(
        `  probe ${probe}: ${s.probed}/${VIEWERS} viewers received it${s.errors ? `, ${s.errors} errors (first: ${s.firstError})` : ''}`,
      );
    }
    const subscribedMs = Date.now() - openedAt;

    progress('subscriptions idle for 3 s…');
    await sleep(3000);
    const rssIdle = rssKb(server.pid);
    const loadBefore = machineLoad();

    // The load.
    progress(`load: ${CHATTERS} chatters × ${RATE} messages/s for ${DURATION} s…`);
    workers.forEach((w) => w.send({ type: 'watch' }));
    await sleep(200); // the watch reaches every client process first
    const sends = {
      ok: 0,
      failed: [],
      firstError: null,
      roundTrips: [],
      maxLate: 0,
      sentAt: new Float64Array(MESSAGES),
      statements: 0,
    };
    const rss = sampleRssPeak(server.pid, rssIdle);
    const pg0 = await databaseBackends(db);
    const pgCpu0 = new Map((pg0 ?? []).map((pid) => [pid, cpuSeconds(pid)]));
    const viewersCpu = () => workers.reduce((n, w) => n + cpuSeconds(w.child.pid), 0);
    const viewers0 = viewersCpu();
    const cpu0 = cpuSeconds(server.pid);
    const own0 = process.cpuUsage();
    const machine0 = machineJiffies();
    const start = now() + 50;
    await Promise.all(tokens.chatters.map((t, c) => chatter(c, t, server.url, eventId, start, sends)));
    const sendingMs = now() - start;
    const cpuSending = cpuSeconds(server.pid) - cpu0;
    const machine1 = machineJiffies();
    const ownCpu = process.cpuUsage(own0);
    const viewersSending = viewersCpu() - viewers0;
    // Backends the pool opened during the load count from 0; one it closed meanwhile is missed.
    const pg1 = pg0 && (await databaseBackends(db));
    const pgSending = pg1 ? pg1.reduce((n, pid) => n + cpuSeconds(pid) - (pgCpu0.get(pid) ?? 0), 0) : NaN;
    const rssSent = rssKb(server.pid);

    progress(`  sent ${sends.ok}/${MESSAGES} in ${(sendingMs / 1000).toFixed(1)} s; waiting for deliveries…`);
    const expected = sends.ok * VIEWERS;
    let lastDelivered = -1;
    let lastProgressAt = now();
    let cpuDrained = cpuSeconds(server.pid) - cpu0;
    for (const deadline = now() + 120_000; now() < deadline; await sleep(250)) {
      s = await status();
      if (s.delivered !== lastDelivered) {
        lastDelivered = s.delivered;
        lastProgressAt = now();
        cpuDrained = cpuSeconds(server.pid) - cpu0;
      }
      if (s.delivered >= expected || now() - lastProgressAt > DRAIN_IDLE_MS) break;
    }
    rss.stop();
    const loadAfter = machineLoad();
    const rssAfter = rssKb(server.pid);

    progress('collecting from the viewer processes…');
    const collected = await Promise.all(
      workers.map((w) => w.ask({ type: 'collect', failed: sends.failed }, 'collected')),
    );
    const sum = (key) => collected.reduce((n, r) => n + r[key], 0);
    const deliveries = new Float32Array(collected.reduce((n, r) => n + r.latencies.length, 0));
    collected.reduce((at, r) => (deliveries.set(r.latencies, at), at + r.latencies.length), 0);
    deliveries.sort();
    // Per message: from its send until the last viewer has it (messages that reached every viewer).
    const reachedAll = [];
    let lastDelivery = 0;
    for (let m = 0; m < MESSAGES; m++) {
      if (!(sends.sentAt[m] > 0)) continue; // not sent, or failed
      let receivers = 0;
      let last = 0;
      for (const r of collected) {
        receivers += r.receivers[m];
        last = Math.max(last, r.lastReceived[m]);
      }
      lastDelivery = Math.max(lastDelivery, last);
      if (receivers >= VIEWERS) reachedAll.push(last - sends.sentAt[m]);
    }
    reachedAll.sort((a, b) => a - b);

    const f = (x) => x.toLocaleString('en-US');
    const ms = (x) => (Number.isFinite(x) ? x.toFixed(x < 10 ? 1 : 0) : '–');
    const mib = (k) => `${(k / 1024).toFixed(0)} MiB`;
    const pct = (x) => `${(x * 100).toFixed(0)} %`;
    const lost = sum('lost');
    const viewerErrors = sum('errors');
    const firstViewerError = collected.find((r) => r.firstError)?.firstError;
    const sendingS = sendingMs / 1000;
    const kb = (rssIdle - rssBefore) / VIEWERS;

    console.log(
      `${f(VIEWERS)} viewers connected in ${(connectedMs / 1000).toFixed(1)} s, all subscribed (probe received) after ${(subscribedMs / 1000).toFixed(1)} s`,
    );
    console.log(
      `server memory: VmRSS ${mib(rssBefore)} before the viewers, ${mib(rssIdle)} with ${f(VIEWERS)} idle subscriptions`,
    );
    console.log(
      `  = ${kb.toFixed(1)} KiB per idle viewer, its WebSocket included (user-space memory only: kernel socket buffers are not in RSS)`,
    );
    console.log('');
    console.log(
      `load: ${CHATTERS} chatters × ${RATE} messages/s for ${DURATION} s (HTTP sendChatMessage, keep-alive; each chatter waits for its previous send)`,
    );
    const rt = sends.roundTrips.sort((a, b) => a - b);
    console.log(
      `  sent:        ${f(sends.ok)} of ${f(MESSAGES)} messages in ${sendingS.toFixed(1)} s (${(sends.ok / sendingS).toFixed(0)}/s of ${CHATTERS * RATE}/s planned), ${f(sends.failed.length)} failed${sends.firstError ? ` (first: ${sends.firstError})` : ''}; at most ${ms(sends.maxLate)} ms behind schedule`,
    );
    console.log(
      `  round trip:  sendChatMessage p50 ${ms(quantile(rt, 0.5))} ms, p99 ${ms(quantile(rt, 0.99))} ms, max ${ms(rt.at(-1))} ms${Number.isFinite(sends.statements) ? `; ${(sends.statements / sends.ok).toFixed(1)} SQL statements each (x-sql-statements)` : ''}`,
    );
    console.log(
      `  delivery:    send → each viewer, ${f(deliveries.length)} deliveries: p50 ${ms(quantile(deliveries, 0.5))} ms, p99 ${ms(quantile(deliveries, 0.99))} ms, max ${ms(deliveries.at(-1))} ms`,
    );
    console.log(
      `  all viewers: send → the last viewer, ${f(reachedAll.length)} messages that reached all ${f(VIEWERS)}: p50 ${ms(quantile(reachedAll, 0.5))} ms, p99 ${ms(quantile(reachedAll, 0.99))} ms, max ${ms(reachedAll.at(-1))} ms`,
    );
    console.log(
      `  lost:        ${f(lost)} of ${f(expected)} (message, viewer) pairs; ${f(sum('viewersWithLoss'))} viewers missed at least one; ${f(sends.ok - reachedAll.length)} messages did not reach every viewer`,
    );
    console.log(
      `  duplicates:  ${f(sum('duplicates'))}; out of order (after a later message of the same chatter): ${f(sum('outOfOrder'))} deliveries, at ${f(sum('viewersOutOfOrder'))} viewers${sum('unexpected') ? `; ${f(sum('unexpected'))} deliveries of messages whose send failed` : ''}`,
    );
    console.log(`  viewer errors: ${f(viewerErrors)}${firstViewerError ? ` (first: ${firstViewerError})` : ''}`);
    console.log(
      `  last delivery ${Math.round(lastDelivery - start - sendingMs)} ms after the last send returned${s.delivered < expected ? ` (then none for ${DRAIN_IDLE_MS / 1000} s: stopped waiting)` : ''}`,
    );
    console.log('');
    const core = (x) => `${x.toFixed(2).padStart(6)} s = ${pct(x / sendingS).padStart(5)} of one core`;
    const ownSending = (ownCpu.user + ownCpu.system) / 1e6;
    const machineBusy = (machine1.busy - machine0.busy) / 100; // USER_HZ jiffies
    const others = machineBusy - cpuSending - viewersSending - ownSending - (Number.isNaN(pgSending) ? 0 : pgSending);
    console.log(`CPU while sending (${sendingS.toFixed(1)} s; user + system):`);
    console.log(
      `  server       ${core(cpuSending)}; ${ms((cpuDrained * 1000) / sends.ok)} ms per message, ${((cpuDrained * 1e6) / deliveries.length).toFixed(1)} µs per delivery (${cpuDrained.toFixed(2)} s until all were delivered)`,
    );
    console.log(
      `  PostgreSQL   ${Number.isNaN(pgSending) ? 'not measured (not a local PostgreSQL)' : `${core(pgSending)} (the bench database's backends)`}`,
    );
    console.log(
      `  viewers      ${core(viewersSending)} (${CLIENT_PROCS} client process${CLIENT_PROCS === 1 ? '' : 'es'})`,
    );
    console.log(`  chatters     ${core(ownSending)} (this process)`);
    console.log(
      `  the rest     ${core(others)} (other processes on the machine${Number.isNaN(pgSending) ? ', PostgreSQL included' : ''})`,
    );
    console.log(
      `  machine      ${pct((machine1.busy - machine0.busy) / (machine1.total - machine0.total))} of all ${availableParallelism()} cores busy; ${loadBefore} before the load, ${loadAfter.replace(/^load average /, '')} after it`,
    );
    console.log(
      `server memory: VmRSS ${mib(rssIdle)} idle, peak ${mib(rss.peak())} during the load, ${mib(rssSent)} at the last send, ${mib(rssAfter)} after the deliveries`,
    );
    console.log('');
    console.log('targets:       messages lost must be 0; issue 4 sets no latency, CPU or memory target for this load');
  } finally {
    progress('closing viewers and stopping the server…');
    await closeWorkers(workers);
    if (server) await server.stop();
    await db.drop();
  }
})().catch((err) => {
  console.error(err.name === 'FileLimitError' ? err.message : err);
  process.exit(1);
});
