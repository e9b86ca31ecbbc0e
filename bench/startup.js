#!/usr/bin/env node
/**
 * `npm run bench:startup`: time from launching `node dist/src/main.js` to a 200 from /readyz, on a new
 * embedded data folder (creates the database, migrates, seeds) and then on the same, existing folder.
 * Prints figures; asserts nothing. Set RUNS to repeat (default 3).
 */
const { spawn } = require('node:child_process');
const { mkdtempSync, rmSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');

const MAIN = join(__dirname, '..', 'dist', 'src', 'main.js');
const RUNS = Number(process.env.RUNS ?? 3);

function startOnce(dataDir) {
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const child = spawn(process.execPath, [MAIN], {
      env: {
        ...process.env,
        PORT: '0',
        HOST: '127.0.0.1',
        DATA_DIR: dataDir,
        LOG_LEVEL: 'info',
        DATABASE_URL: '',
        REDIS_URL: '',
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let buf = '';
    child.stdout.on('data', async (chunk) => {
      buf += chunk;
      const line = buf.split('\n').find((l) => l.includes('"Townsquare ready"'));
      if (!line) return;
      buf = '';
      const { url } = JSON.parse(line);
      const res = await fetch(url.replace('/graphql', '/readyz'));
      const ms = Number(process.hrtime.bigint() - t0) / 1e6;
      child.once('exit', (code) =>
        code === 0 ? resolve({ ms, ready: res.status }) : reject(new Error(`exit ${code}`)),
      );
      child.kill('SIGTERM');
    });
    child.once('error', reject);
  });
}

(async () => {
  const fresh = [];
  const existing = [];
  for (let i = 0; i < RUNS; i++) {
    const dir = mkdtempSync(join(tmpdir(), 'townsquare-bench-'));
    try {
      process.stderr.write(`run ${i + 1}/${RUNS}: new folder… `);
      fresh.push((await startOnce(dir)).ms);
      process.stderr.write('existing folder… ');
      existing.push((await startOnce(dir)).ms);
      process.stderr.write('done\n');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  const fmt = (xs) =>
    `median ${xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)].toFixed(0)} ms (runs: ${xs.map((x) => x.toFixed(0)).join(', ')})`;
  console.log(`start to ready, new data folder:      ${fmt(fresh)}`);
  console.log(`start to ready, existing data folder: ${fmt(existing)}`);
})().catch((err) => {
  console.error(err);
  process.exit(1);
});
