import type { MikroORM } from '@mikro-orm/postgresql';
import type { Logger } from '../../platform/logger';
import { awardMonthlyTop } from './badges';

export interface BadgeSweep {
  stop(): Promise<void>;
}

/**
 * Awards the monthly top-10 badges of months that ended: at start, then every `everyMs`. Each
 * community's month is claimed in SQL with its awards, so instances sweeping at once award it once.
 */
export function startBadgeSweep(o: {
  orm: MikroORM;
  log: Logger;
  everyMs: number;
  onAwarded: () => Promise<void>;
}): BadgeSweep {
  let running: Promise<void> = Promise.resolve();
  let stopped = false;
  const sweep = () => {
    running = (async () => {
      try {
        const awarded = await awardMonthlyTop(o.orm.em.fork());
        if (awarded) {
          o.log.info({ awarded }, 'monthly top-10 badges awarded');
          await o.onAwarded();
        }
      } catch (err) {
        if (!stopped) o.log.error({ err }, 'monthly badge sweep failed; retrying at the next sweep');
      }
    })();
  };
  sweep();
  const timer = setInterval(sweep, o.everyMs);
  timer.unref();
  return {
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}
