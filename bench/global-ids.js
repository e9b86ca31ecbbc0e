#!/usr/bin/env node
/**
 * `npm run bench:ids`: the cost of one global ID encode (`toGlobalId`) and decode (`parseGlobalId`),
 * which run for every ID a response carries or a request names. Compares with the former scheme
 * (base64url of `Type:id`, no key), for IDs seen for the first time and for recurring ones (served by
 * the ID cache). Needs no database: it installs a random key. Prints figures;
 * asserts nothing. Set CALLS to change the number of calls per measure (default 1,000,000), RUNS the
 * number of measures (default 5, the median is printed).
 */
const { randomBytes } = require('node:crypto');
const { join } = require('node:path');

const ids = require(join(__dirname, '..', 'dist', 'src', 'platform', 'ids.js'));

const CALLS = Number(process.env.CALLS ?? 1_000_000);
const RUNS = Number(process.env.RUNS ?? 5);

/** Nanoseconds per call of `fn(i)`, median of RUNS measures of CALLS calls. */
function perCall(fn) {
  for (let i = 0; i < 10_000; i++) fn(i); // warm-up
  const runs = [];
  for (let r = 0; r < RUNS; r++) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < CALLS; i++) fn(i);
    runs.push(Number(process.hrtime.bigint() - t0) / CALLS);
  }
  return runs.sort((a, b) => a - b)[Math.floor(runs.length / 2)];
}

ids.installGlobalIdKey(randomBytes(16));
// Twice the size of the ID cache (50,000 entries): cycling through them, every call misses.
const DISTINCT = 100_000;
const distinct = Array.from({ length: DISTINCT }, (_, i) => ids.toGlobalId('Post', 5_000_000 + i));
const recurring = distinct.slice(0, 1024);
const oldSample = recurring.map((_, i) => Buffer.from(`Post:${5_000_000 + i}`, 'utf8').toString('base64url'));
let sink = 0;

const encodeCold = perCall((i) => {
  sink += ids.toGlobalId('Post', 10_000_000 + i).length;
});
const encodeHot = perCall((i) => {
  sink += ids.toGlobalId('Post', 5_000_000 + (i & 1023)).length;
});
const decodeCold = perCall((i) => {
  sink += ids.parseGlobalId(distinct[i % DISTINCT]).id;
});
const decodeHot = perCall((i) => {
  sink += ids.parseGlobalId(recurring[i & 1023]).id;
});
const oldEncode = perCall((i) => {
  sink += Buffer.from(`Post:${i}`, 'utf8').toString('base64url').length;
});
const oldDecode = perCall((i) => {
  const m = /^([A-Za-z]+):(\d{1,15})$/.exec(Buffer.from(oldSample[i & 1023], 'base64url').toString('utf8'));
  sink += Number(m[2]);
});

const f = (ns) => `${ns.toFixed(0)} ns`;
console.log(
  `node ${process.version}, ${CALLS.toLocaleString('en-US')} calls per measure, median of ${RUNS}; load average ${require('node:os').loadavg()[0].toFixed(1)}`,
);
console.log(
  `AES-128 global IDs, per call: encode ${f(encodeCold)} (not cached) / ${f(encodeHot)} (cached); decode ${f(decodeCold)} (not cached) / ${f(decodeHot)} (cached)`,
);
console.log(`former base64url("Type:id"), per call: encode ${f(oldEncode)}, decode ${f(oldDecode)}`);
if (sink === 0.5) console.log('');
