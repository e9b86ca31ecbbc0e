/**
 * `periodsAt` keeps each time zone's current day (luxon's zone arithmetic is worked out once a
 * day, not once per earning write): what it answers must not depend on the cache, across day,
 * week and month boundaries and daylight-saving changes.
 */
import { periodsAt } from '../../src/modules/reputation/rules';

const ZONES = ['UTC', 'Europe/Paris', 'America/New_York', 'Asia/Kolkata', 'Pacific/Chatham'];

afterEach(() => jest.useRealTimers());

it.each(ZONES)('answers the same from the cache as worked out afresh, each hour around boundaries (%s)', (zone) => {
  // Month, ISO week and DST boundaries: end of October (Europe), early November (America).
  for (const start of ['2026-10-24T00:00:00Z', '2026-10-31T12:00:00Z', '2026-12-31T00:00:00Z']) {
    for (let h = 0; h < 72; h++) {
      const now = new Date(Date.parse(start) + h * 3_600_000 + 1234);
      jest.useFakeTimers({ now });
      const cached = periodsAt(zone); // the current day: may come from the cache
      const fresh = periodsAt(zone, new Date(now.getTime() - 7 * 86_400_000)); // a past day: never cached…
      const again = periodsAt(zone, now); // …and the current day again
      expect(again).toEqual(cached);
      expect(fresh.dayStart.getTime()).toBeLessThan(cached.dayStart.getTime());
      // The day holds `now`, and is one calendar day of the zone (23 to 25 hours, Chatham's DST included).
      expect(cached.dayStart.getTime()).toBeLessThanOrEqual(now.getTime());
      expect(now.getTime() - cached.dayStart.getTime()).toBeLessThan(25 * 3_600_000);
      const local = new Intl.DateTimeFormat('en-CA', {
        timeZone: zone,
        year: 'numeric',
        month: '2-digit',
        day: '2-digit',
      });
      expect(local.format(cached.dayStart)).toBe(local.format(now));
      expect(cached.month.key).toBe(`m:${local.format(now).slice(0, 7)}`);
    }
  }
});
