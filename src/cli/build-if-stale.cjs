#!/usr/bin/env node
/**
 * Runs before `npm start` and the other commands that run dist/ (`npm run migrate`, `worker`, …):
 * compiles the TypeScript (tsconfig.build.json) into dist/ only when dist/ is missing or older than
 * a source file (src/, migrations/, seed/, the tsconfig files), so a fresh clone's `npm install &&
 * npm start` builds once and later starts do not compile. After `npm ci && npm run build`, an
 * install without dev dependencies (`npm ci --omit=dev`) starts from dist/ as built; if dist/ is
 * stale there, no compiler is at hand and it says so. Plain JavaScript: it runs before any build.
 */
const { existsSync, readdirSync, statSync } = require('node:fs');
const { join, resolve } = require('node:path');
const { spawnSync } = require('node:child_process');

const root = resolve(__dirname, '../..');
const built = join(root, 'dist/src/main.js');

/** The latest modification time (ms) of the TypeScript under `dir`, recursively. */
function newest(dir) {
  let latest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) latest = Math.max(latest, newest(path));
    else if (entry.name.endsWith('.ts')) latest = Math.max(latest, statSync(path).mtimeMs);
  }
  return latest;
}

function stale() {
  if (!existsSync(built)) return 'dist/ is missing';
  const sources = Math.max(
    ...['src', 'migrations', 'seed'].map((dir) => newest(join(root, dir))),
    ...['tsconfig.json', 'tsconfig.build.json'].map((file) => statSync(join(root, file)).mtimeMs),
  );
  return sources > statSync(built).mtimeMs ? 'the sources changed since dist/ was built' : null;
}

const why = stale();
if (why) {
  let tsc;
  try {
    tsc = require.resolve('typescript/bin/tsc', { paths: [root] });
  } catch {
    console.error(
      `${why}, and TypeScript is not installed (an install without dev dependencies). ` +
        'Build first: npm ci && npm run build (then npm ci --omit=dev if you want).',
    );
    process.exit(1);
  }
  console.error(`Building dist/: ${why}…`);
  const run = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { cwd: root, stdio: 'inherit' });
  process.exit(run.status ?? 1);
}
