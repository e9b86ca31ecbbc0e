import { randomBytes } from 'node:crypto';
import { linkSync, readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { ConfigError } from '../../config';

/**
 * An exclusive lock on the embedded database's folder, so that two processes never open it at once
 * (PGlite has no locking of its own: both would write and one would lose the other's writes).
 *
 * The lock is a file beside the folder (`<folder>.lock`) naming its owner: pid, host, and on Linux
 * the boot and the process's start time. It is created atomically (written aside, then hard-linked
 * into place, which fails if it exists), so it is never seen half-written. A lock whose owner is gone
 * (crashed, killed, the machine rebooted, the pid now someone else's) is stale and taken over: a
 * crash never locks the folder for good. Node has no flock() without a native addon, and abstract
 * Unix sockets (released by the kernel) are per network namespace, so two containers sharing one
 * volume would both get one; a file on the volume is seen by both.
 */
export interface FolderLock {
  readonly file: string;
  /** Removes the lock file if it is still this process's. */
  release(): void;
}

interface Owner {
  pid: number;
  host: string;
  /** Linux: `<boot id>:<start time in clock ticks>`, which tells a reused pid apart. */
  started?: string;
  since: string;
}

/** Folders this process holds, so that a lock naming our own pid is told from one left by a predecessor with the same pid. */
const heldHere = new Set<string>();

/** `<boot id>:<start time>` of a process on Linux; undefined elsewhere or when it is gone. */
function processStart(pid: number): string | undefined {
  try {
    const boot = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Field 22 is the start time; field 2 (the command) may hold spaces, so count from its closing parenthesis.
    return `${boot}:${stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]}`;
  } catch {
    return undefined;
  }
}

/** Whether the process that wrote `owner` is certainly gone (a lock on another host never is: we cannot look). */
function isStale(owner: Owner | undefined, file: string): boolean {
  if (!owner || typeof owner.pid !== 'number') return true; // not ours to read: a file no Townsquare wrote
  if (owner.host !== hostname()) return false;
  if (owner.pid === process.pid) return !heldHere.has(file);
  try {
    process.kill(owner.pid, 0);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ESRCH';
  }
  const started = processStart(owner.pid);
  return owner.started !== undefined && started !== undefined && started !== owner.started;
}

function readOwner(file: string): { text: string; owner: Owner | undefined } | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  try {
    return { text, owner: JSON.parse(text) as Owner };
  } catch {
    return { text, owner: undefined };
  }
}

/** Creates `file` with `text` unless it exists (written aside, then linked: never half-written). */
function createExclusive(file: string, text: string): boolean {
  const aside = `${file}.${process.pid}.${randomBytes(4).toString('hex')}`;
  writeFileSync(aside, text, { mode: 0o644 });
  try {
    linkSync(aside, file);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    // A file system without hard links: exclusive creation, which a reader may catch half-written.
    try {
      writeFileSync(file, text, { flag: 'wx', mode: 0o644 });
      return true;
    } catch (second) {
      if ((second as NodeJS.ErrnoException).code === 'EEXIST') return false;
      throw second;
    }
  } finally {
    unlinkSync(aside);
  }
}

/**
 * Takes the lock of an embedded database folder, or throws a ConfigError naming DATA_DIR and the
 * process that holds it. Released by `release()`, and at the latest when the process exits.
 * @param folder the PGlite data folder (DATA_DIR/pgdata by default)
 */
export function lockFolder(folder: string): FolderLock {
  const file = `${folder}.lock`;
  const mine: Owner = {
    pid: process.pid,
    host: hostname(),
    started: processStart(process.pid),
    since: new Date().toISOString(),
  };
  const text = `${JSON.stringify(mine)}\n`;
  for (let attempt = 0; attempt < 5; attempt++) {
    if (createExclusive(file, text)) {
      heldHere.add(file);
      const onExit = () => release();
      const release = () => {
        process.off('exit', onExit);
        heldHere.delete(file);
        if (readOwner(file)?.text === text) unlinkSync(file);
      };
      process.on('exit', onExit);
      return { file, release };
    }
    const current = readOwner(file);
    if (!current) continue; // released meanwhile: try again
    if (!isStale(current.owner, file)) {
      const { pid, host, since } = current.owner!;
      throw new ConfigError(
        `DATA_DIR: the embedded database folder ${folder} is in use by another Townsquare process (pid ${pid} on ${host}, since ${since}). ` +
          "Two processes on one folder would lose each other's writes: stop that one, or give this one another DATA_DIR or a DATABASE_URL. " +
          `If no such process runs, delete ${file}.`,
      );
    }
    // Stale: move it aside (only one of several processes racing for it succeeds), then check that
    // what was moved is the stale lock read above and not a live one taken meanwhile.
    const aside = `${file}.stale.${process.pid}.${randomBytes(4).toString('hex')}`;
    try {
      renameSync(file, aside);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw err;
    }
    const moved = readOwner(aside);
    if (moved && moved.text !== current.text) {
      try {
        linkSync(aside, file); // a live lock: put it back
      } catch {
        // its place is taken again; the owner of the moved lock keeps running regardless
      }
    }
    unlinkSync(aside);
  }
  throw new ConfigError(`DATA_DIR: could not lock the embedded database folder ${folder} (${file} keeps changing)`);
}
