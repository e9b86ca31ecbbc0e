#!/usr/bin/env node
/**
 * `node bench/automod-engine.js` (after `npm run build`): the cost of AutoMod's engine
 * (src/modules/moderation/automod-engine.ts), which runs on every write inside its transaction. Needs no
 * database. Compiles 50 realistic rules (keyword lists of 20–50 words and phrases, 1–3 patterns on some,
 * link domains, mention counts, rate and repeated text, author conditions, some limited to subjects) and
 * evaluates them against 1,000 varied comments of 50–2,000 characters (about one in ten is spam),
 * each by a random author with a few recent writes. Prints the compile time, the wall time per
 * evaluation (mean, p50, p99, max over RUNS passes, after a warm-up pass), the CPU per evaluation
 * (process.cpuUsage over the passes), the matches found, then evaluations of 40,000-character texts,
 * ordinary and hostile (the first evaluation of a text, then the median of five). Asserts nothing.
 * RUNS (default 5): passes; SEED (default 1): changes the rules and texts.
 */
const { join } = require('node:path');

const engine = require(join(__dirname, '..', 'dist', 'src', 'modules', 'moderation', 'automod-engine.js'));

const RUNS = Number(process.env.RUNS ?? 5);
let seed = Number(process.env.SEED ?? 1);

/** A deterministic pseudo-random number in [0, 1) (mulberry32). */
function random() {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
const int = (lo, hi) => lo + Math.floor(random() * (hi - lo + 1));
const pick = (list) => list[Math.floor(random() * list.length)];

const WORDS = (
  'the of and to a in is it you that he was for on are with as I his they be at one have this from or had by ' +
  'not word but what some we can out other were all there when up use your how said an each she which do their ' +
  'time if will way about many then them write would like so these her long make thing see him two has look ' +
  'more day could go come did number sound no most people my over know water than call first who may down side ' +
  'been now find any new work part take get place made live where after back little only round man year came ' +
  'show every good me give our under name very through just form sentence great think say help low line differ ' +
  'community meetup thanks question answer idea event photo tomorrow weekend garden recipe coffee café naïve ' +
  'über Straße déjà vu mañana ciudad bonjour merci привет спасибо 谢谢 ありがとう'
).split(' ');

const SPAM = (
  'viagra|cialis|casino|poker|bitcoin|crypto|forex|payday loan|replica|rolex|weight loss|diet pills|free money|' +
  'make money fast|work from home|click here|buy now|limited offer|act now|earn cash|double your|' +
  'investment opportunity|guaranteed|lottery|escort|xxx|cheap meds|no prescription|onlyfans|telegram me|' +
  'whatsapp me|dm me|казино|ставки|広告|argent facile|dinero fácil|gratuit|promo code|airdrop|nft drop'
).split('|');
const PATTERNS = [
  'b[i1!][t7]c[o0]{1,2}[i1!]n',
  '(?:free|cheap)\\s+(?:v[i1]agra|pills|meds)',
  'https?://\\S+\\.(?:ru|cn|xyz|top)\\b',
  '\\b\\d{3}[-. ]?\\d{3}[-. ]?\\d{4}\\b',
  '\\w{40,}',
  'whats\\s*app\\s*\\+?\\d{6,}',
  '(?:earn|make)\\s+\\$?\\d+\\s*k?\\s*(?:per|a|/)\\s*(?:day|week)',
  'c[a@4]s[i1!]n[o0]',
  '[!?]{6,}',
  't\\.me/\\w+',
  '\\bu\\s*r\\s*g\\s*e\\s*n\\s*t\\b',
  'p[o0]rn',
  '(?:100|1000)%\\s+(?:free|guaranteed)',
];
const SPAM_DOMAINS = Array.from({ length: 200 }, (_, i) => `${pick(['cheap', 'best', 'win', 'free'])}${i}.example`);
const OK_DOMAINS = ['github.com', 'wikipedia.org', 'youtube.com', 'example.org', 'docs.python.org'];

/** A made-up word, so that each keyword list has 20–50 entries without repeating the spam list. */
const madeUp = () => Array.from({ length: int(4, 10) }, () => pick('abcdefghijklmnopqrstuvwxyz')).join('');

const SUBJECTS = Object.values(engine.AutoModSubject);
const ACTIONS = [engine.AutoModAction.REPORT, engine.AutoModAction.HOLD, engine.AutoModAction.BLOCK];

function makeRules() {
  const rules = [];
  for (let i = 0; i < 50; i++) {
    const conditions = {};
    const kind = i % 10;
    if (kind <= 4) {
      const keywords = new Set();
      while (keywords.size < int(20, 50)) keywords.add(random() < 0.4 ? pick(SPAM) : madeUp());
      conditions.keywords = [...keywords];
    }
    if (kind === 2 || kind === 5 || kind === 6) {
      conditions.patterns = Array.from({ length: int(1, 3) }, () => pick(PATTERNS));
    }
    if (kind === 7 || kind === 3) {
      conditions.linkDomains = Array.from({ length: int(5, 30) }, () => pick(SPAM_DOMAINS));
    }
    if (kind === 8) conditions.maxMentions = int(3, 8);
    if (kind === 9) {
      if (i % 20 === 9) conditions.rate = { count: int(5, 10), withinSeconds: 60 };
      else conditions.repeatedText = { count: 2, withinSeconds: 600 };
    }
    if (i % 4 === 1) conditions.author = { accountAgeHoursBelow: 72, reputationBelow: 10 };
    if (i % 6 === 5) conditions.subjects = [pick(SUBJECTS), pick(SUBJECTS)];
    const action = kind === 9 ? engine.AutoModAction.MUTE : pick(ACTIONS);
    const validated = engine.validateAutoModRule({
      conditions,
      action,
      durationSeconds: action === engine.AutoModAction.MUTE ? 600 : null,
    });
    rules.push({ id: i + 1, name: `rule ${i + 1}`, action, enabled: true, ...validated });
  }
  return rules;
}

/** Texts that the patterns above catch. */
const PATTERN_HITS = ['b1tc0in', 'free  pills', 'earn $500 per day', 'WhatsApp +4412345678', 'c@s1no', 't.me/deals'];

/**
 * A comment of 50–2,000 characters (most of them short), of ordinary words with a few links, Markdown
 * links and mentions; about one in ten is spam: a spam keyword, a text a pattern catches, a link to a spam
 * domain or a crowd of mentions, somewhere in it.
 */
function makeText() {
  const length = Math.round(50 * Math.pow(40, random()));
  const parts = [];
  let size = 0;
  while (size < length) {
    let part = pick(WORDS);
    const r = random();
    if (r < 0.004) part = `https://${pick(OK_DOMAINS)}/${madeUp()}`;
    else if (r < 0.008) part = `[${pick(WORDS)}](https://www.${pick(OK_DOMAINS)}/wiki/${madeUp()})`;
    else if (r < 0.012) part = `@${madeUp()}`;
    else if (r < 0.05) part = `${part}.`;
    else if (r < 0.06) part = `${part},\n`;
    parts.push(part);
    size += part.length + 1;
  }
  if (random() < 0.1) {
    const spam = pick([
      () => pick(SPAM),
      () => pick(PATTERN_HITS),
      () => `https://${pick(SPAM_DOMAINS)}/${madeUp()}`,
      () => Array.from({ length: 10 }, () => `@${madeUp()}`).join(' '),
    ])();
    parts.splice(int(0, parts.length), 0, spam);
  }
  return parts.join(' ').slice(0, Math.max(length, 50));
}

function makeInput(text, now) {
  const newcomer = random() < 0.2;
  const recent = [];
  for (let k = 0, n = int(0, 12); k < n; k++) {
    recent.push({ text: random() < 0.02 ? text : makeText().slice(0, 200), at: new Date(now - int(1, 600) * 1000) });
  }
  recent.sort((a, b) => b.at - a.at);
  return {
    subject: pick(SUBJECTS),
    text,
    now: new Date(now),
    author: {
      accountCreatedAt: new Date(now - (newcomer ? int(1, 48) : int(100, 20000)) * 3_600_000),
      joinedAt: new Date(now - int(1, 5000) * 3_600_000),
      level: newcomer ? 0 : int(1, 10),
      reputation: newcomer ? int(0, 20) : int(10, 5000),
      exempt: false,
    },
    recent,
  };
}

const rules = makeRules();
const now = Date.parse('2025-06-01T12:00:00Z');
const inputs = Array.from({ length: 1000 }, () => makeInput(makeText(), now));

const compileTimes = [];
let compiled;
for (let r = 0; r < 5; r++) {
  const t0 = process.hrtime.bigint();
  compiled = engine.compileAutoMod(rules);
  compileTimes.push(Number(process.hrtime.bigint() - t0) / 1e6);
}

const counts = { evaluations: 0, matched: 0, matches: 0, byAction: {} };
for (const input of inputs) {
  const matches = compiled.evaluate(input); // warm-up, and the matches found
  counts.matched += matches.length ? 1 : 0;
  counts.matches += matches.length;
  const strongest = engine.strongestMatch(matches);
  if (strongest) counts.byAction[strongest.action] = (counts.byAction[strongest.action] ?? 0) + 1;
}

const times = [];
const cpu0 = process.cpuUsage();
const wall0 = process.hrtime.bigint();
for (let r = 0; r < RUNS; r++) {
  for (const input of inputs) {
    const t0 = process.hrtime.bigint();
    compiled.evaluate(input);
    times.push(Number(process.hrtime.bigint() - t0) / 1e3);
  }
}
const wall = Number(process.hrtime.bigint() - wall0) / 1e3;
const cpu = process.cpuUsage(cpu0);
times.sort((a, b) => a - b);
const quantile = (q) => times[Math.min(times.length - 1, Math.floor(q * times.length))];
const mean = times.reduce((a, b) => a + b, 0) / times.length;
const chars = inputs.reduce((a, i) => a + i.text.length, 0) / inputs.length;
const us = (x) => `${x.toFixed(1)} µs`;

/**
 * Evaluations of `text`: the first (which builds the RE2 DFA states the text needs, kept for later texts)
 * and the median of the next five, in milliseconds, and how many rules matched.
 */
function once(text) {
  const input = makeInput(text, now);
  const ms = () => {
    const t0 = process.hrtime.bigint();
    const matches = compiled.evaluate(input);
    return { ms: Number(process.hrtime.bigint() - t0) / 1e6, matched: matches.length };
  };
  const first = ms();
  const next = Array.from({ length: 5 }, ms).sort((a, b) => a.ms - b.ms)[2];
  return `${first.ms.toFixed(2)} ms then ${next.ms.toFixed(2)} ms (${next.matched} rules matched)`;
}
const keywords = rules.flatMap((r) => r.conditions.keywords ?? []);
let nearMisses = '';
for (let k = 0; nearMisses.length < 40_000; k++) nearMisses += `${keywords[k % keywords.length].slice(0, -1)} `;
let plain = '';
while (plain.length < 40_000) plain += `${makeText()} `;

console.log(
  `node ${process.version}; load average ${require('node:os').loadavg()[0].toFixed(1)}; ${rules.length} rules ` +
    `(${keywords.length} keywords, ${rules.reduce((a, r) => a + (r.conditions.patterns?.length ?? 0), 0)} patterns, ` +
    `${rules.reduce((a, r) => a + (r.conditions.linkDomains?.length ?? 0), 0)} link domains); ` +
    `${inputs.length} texts of ${chars.toFixed(0)} characters on average, ${RUNS} passes`,
);
console.log(
  `compile: ${compileTimes.map((t) => t.toFixed(1)).join(' / ')} ms (lookbackSeconds ${compiled.lookbackSeconds}, ` +
    `needsAuthor ${compiled.needsAuthor})`,
);
console.log(
  `evaluate, per text: mean ${us(mean)}, p50 ${us(quantile(0.5))}, p99 ${us(quantile(0.99))}, ` +
    `max ${us(times[times.length - 1])}; ` +
    `CPU ${us((cpu.user + cpu.system) / times.length)} (wall ${us(wall / times.length)} with the timers)`,
);
console.log(
  `matches: ${counts.matched} of ${inputs.length} texts matched ${counts.matches} rules; strongest: ` +
    Object.entries(counts.byAction)
      .map(([action, n]) => `${action} ${n}`)
      .join(', '),
);
console.log(
  `40,000 characters: ordinary text ${once(plain.slice(0, 40_000))}; ` +
    `keyword near-misses ${once(nearMisses.slice(0, 40_000))}; ` +
    `'a' × 40,000 ${once('a'.repeat(40_000))}; 'https://' × 5,000 ${once('https://'.repeat(5000))}`,
);
