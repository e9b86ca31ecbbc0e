/**
 * `npm run admin -- grant <email>` / `revoke <email>` / `list`: platform admin rights, given by an
 * operator. Only ADMIN_EMAILS grants them otherwise, to the owner of a listed address once verified
 * (signing up with an address proves nothing); an address still listed is made admin again at the
 * next start. Same configuration as the server: DATABASE_URL, or the embedded database under
 * DATA_DIR (which must not be in use by a running server: stop it first).
 *
 * A revoked admin loses admin on their next HTTP request (each request reads the users row) and on
 * open WebSockets when they re-validate. Exit codes: 0 done (also when nothing had to change),
 * 1 no user with that email or a failure, 64 bad usage, 78 bad environment.
 */
import 'reflect-metadata';
import { ConfigError, loadConfig } from '../config';
import { listPlatformAdmins, setPlatformAdmin } from '../modules/identity/identity.service';
import { openDatabase } from '../platform/database/database';
import { createLogger } from '../platform/logger';
import { createResponseCache } from '../platform/response-cache';
import { redisTarget } from '../platform/redis';

const USAGE = `Usage: npm run admin -- <command>
  grant <email>    make the user with this email a platform admin
  revoke <email>   take platform admin away from them
  list             list the platform admins`;

/** Exit codes (sysexits.h where one fits). */
const EXIT = { ok: 0, failed: 1, usage: 64, config: 78 } as const;

async function main(argv: string[]): Promise<number> {
  const [command, given, ...extra] = argv;
  const email = given?.trim().toLowerCase();
  const valid =
    (command === 'list' && email === undefined) ||
    ((command === 'grant' || command === 'revoke') && !!email && extra.length === 0);
  if (!valid) {
    console.error(USAGE);
    return EXIT.usage;
  }
  const config = loadConfig();
  const log = createLogger(process.env.LOG_LEVEL ?? 'warn');
  const db = await openDatabase(config, log);
  try {
    const em = db.orm.em.fork();
    if (command === 'list') {
      const admins = await listPlatformAdmins(em);
      if (!admins.length) console.log('No platform admins.');
      for (const a of admins) console.log(`${a.email}\t@${a.handle}\tsince ${a.createdAt.toISOString().slice(0, 10)}`);
      return EXIT.ok;
    }
    const grant = command === 'grant';
    const result = await setPlatformAdmin(em, email, grant);
    if (!result) {
      console.error(`No user has the email ${email}: nothing changed.`);
      return EXIT.failed;
    }
    if (!result.changed) {
      console.log(`@${result.handle} (${email}) ${grant ? 'is already' : 'is not'} a platform admin: nothing changed.`);
      return EXIT.ok;
    }
    const redis = redisTarget(config);
    if (redis) {
      // Cached answers of running servers may show the old flag (User.isAdmin, in every community): a write that touches everything.
      const cache = await createResponseCache({
        seconds: config.RESPONSE_CACHE_SECONDS,
        megabytes: 1,
        redis,
        log,
      });
      await cache.invalidate();
      await cache.close();
    }
    console.log(`@${result.handle} (${email}) ${grant ? 'is now a platform admin' : 'is no longer a platform admin'}.`);
    return EXIT.ok;
  } finally {
    await db.close();
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    console.error(err instanceof ConfigError ? err.message : err);
    process.exitCode = err instanceof ConfigError ? EXIT.config : EXIT.failed;
  },
);
