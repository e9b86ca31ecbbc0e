#!/usr/bin/env node
/**
 * The package registry this project's machines reach lacks some platform-specific optional builds
 * (e.g. @swc/core-darwin-arm64), so `npm install` leaves them out of package-lock.json and `npm ci`
 * then refuses the lockfile as out of sync. This adds each missing optional package to the lockfile
 * with its version, os, cpu and libc, so npm ci knows it and skips it on this platform.
 * Run after `npm install` changes the lockfile: `node .ci/lockfile-stubs.js`.
 */
const { execSync } = require('node:child_process');
const { readFileSync, writeFileSync, mkdtempSync, copyFileSync, rmSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');

const root = join(__dirname, '..');
const OSES = ['darwin', 'linux', 'win32', 'android', 'freebsd', 'openharmony', 'sunos', 'netbsd', 'openbsd'];
const CPUS = ['arm64', 'x64', 'arm', 'ia32', 'ppc64', 's390x', 'riscv64', 'loong64', 'wasm32'];

function missingPackages() {
  const dir = mkdtempSync(join(tmpdir(), 'lockcheck-'));
  for (const f of ['package.json', 'package-lock.json', '.npmrc']) copyFileSync(join(root, f), join(dir, f));
  try {
    execSync('npm ci --dry-run --ignore-scripts', { cwd: dir, stdio: 'pipe' });
    return [];
  } catch (err) {
    const out = String(err.stderr) + String(err.stdout);
    return [...out.matchAll(/Missing: (.+?)@\S* from lock file/g)].map((m) => m[1]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const lockPath = join(root, 'package-lock.json');
const lock = JSON.parse(readFileSync(lockPath, 'utf8'));
const missing = missingPackages();
for (const name of missing) {
  const parent = Object.values(lock.packages).find((p) => p.optionalDependencies?.[name]);
  if (!parent) throw new Error(`${name} is missing but no package lists it as optional: run npm install`);
  const base = name.split('/').pop();
  const os = OSES.find((o) => base.includes(`-${o}-`) || base.endsWith(`-${o}`));
  const cpu = CPUS.find((c) => new RegExp(`-${c}(-|$)`).test(base));
  if (!os && !cpu) throw new Error(`cannot tell the platform of ${name}`);
  const entry = { version: parent.optionalDependencies[name], optional: true };
  if (cpu) entry.cpu = [cpu];
  if (os) entry.os = [os];
  if (os === 'linux') entry.libc = [base.includes('musl') ? 'musl' : 'glibc'];
  if (parent.dev) entry.dev = true;
  lock.packages[`node_modules/${name}`] = entry;
}
if (missing.length) {
  const [rootEntry, ...rest] = Object.entries(lock.packages);
  lock.packages = Object.fromEntries([rootEntry, ...rest.sort(([a], [b]) => a.localeCompare(b))]);
  writeFileSync(lockPath, JSON.stringify(lock, null, 2) + '\n');
}
console.log(
  missing.length
    ? `Added ${missing.length} platform stubs to package-lock.json`
    : 'package-lock.json is complete for npm ci',
);
