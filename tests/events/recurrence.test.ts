import { DateTime } from 'luxon';
import { BadInput } from '../../src/platform/errors';
import {
  RECURRENCE_LIMITS,
  isOccurrence,
  isValidTimeZone,
  normalizeRecurrence,
  occurrencesAfter,
  occurrencesBetween,
  seriesEnd,
  type EventTiming,
} from '../../src/modules/events/recurrence';

const at = (iso: string) => new Date(iso);
const iso = (d: Date) => d.toISOString();
const starts = (list: { startsAt: Date }[]) => list.map((o) => iso(o.startsAt));

/** Tuesdays 19:00–21:00 Paris, from Tuesday 18 March 2025 (CET, UTC+1). */
const tuesdays = (recurrence: string | null = 'FREQ=WEEKLY;BYDAY=TU'): EventTiming => ({
  startsAt: at('2025-03-18T18:00:00Z'),
  endsAt: at('2025-03-18T20:00:00Z'),
  timeZone: 'Europe/Paris',
  recurrence,
});

describe('wall-clock time across DST', () => {
  it('keeps 19:00 Paris time when summer time starts (30 March 2025)', () => {
    const list = occurrencesBetween(tuesdays(), at('2025-03-01T00:00:00Z'), at('2025-04-09T00:00:00Z'));
    expect(starts(list)).toEqual([
      '2025-03-18T18:00:00.000Z',
      '2025-03-25T18:00:00.000Z',
      '2025-04-01T17:00:00.000Z',
      '2025-04-08T17:00:00.000Z',
    ]);
    for (const o of list) {
      const local = DateTime.fromJSDate(o.startsAt, { zone: 'Europe/Paris' });
      expect([local.weekday, local.hour, local.minute]).toEqual([2, 19, 0]);
      expect(o.endsAt.getTime() - o.startsAt.getTime()).toBe(2 * 3600_000);
    }
  });

  it('keeps 19:00 Paris time when summer time ends (26 October 2025)', () => {
    const list = occurrencesBetween(tuesdays(), at('2025-10-15T00:00:00Z'), at('2025-11-01T00:00:00Z'));
    expect(starts(list)).toEqual(['2025-10-21T17:00:00.000Z', '2025-10-28T18:00:00.000Z']);
    expect(list.map((o) => DateTime.fromJSDate(o.startsAt, { zone: 'Europe/Paris' }).toFormat('HH:mm'))).toEqual([
      '19:00',
      '19:00',
    ]);
  });

  it('follows the zone of the event, not Paris: New York changes on 9 March and 2 November 2025', () => {
    const event: EventTiming = {
      startsAt: at('2025-03-03T14:00:00Z'),
      endsAt: at('2025-03-03T15:00:00Z'),
      timeZone: 'America/New_York',
      recurrence: 'FREQ=WEEKLY',
    };
    expect(starts(occurrencesAfter(event, at('2025-03-01T00:00:00Z'), 3))).toEqual([
      '2025-03-03T14:00:00.000Z',
      '2025-03-10T13:00:00.000Z',
      '2025-03-17T13:00:00.000Z',
    ]);
  });

  it('moves a wall time that summer time skips forward by an hour, that day only', () => {
    const event: EventTiming = {
      startsAt: at('2025-03-28T01:30:00Z'),
      endsAt: at('2025-03-28T02:00:00Z'),
      timeZone: 'Europe/Paris',
      recurrence: 'FREQ=DAILY',
    };
    expect(starts(occurrencesBetween(event, at('2025-03-29T00:00:00Z'), at('2025-04-01T00:00:00Z')))).toEqual([
      '2025-03-29T01:30:00.000Z', // 02:30 CET
      '2025-03-30T01:30:00.000Z', // 02:30 does not exist on the 30th: 03:30 CEST
      '2025-03-31T00:30:00.000Z', // 02:30 CEST
    ]);
  });

  it('keeps a first occurrence inside the hour that winter time repeats', () => {
    // 02:30 CEST on 26 October 2025, the first of the two 02:30s.
    const event: EventTiming = {
      startsAt: at('2025-10-26T00:30:00Z'),
      endsAt: at('2025-10-26T01:00:00Z'),
      timeZone: 'Europe/Paris',
      recurrence: 'FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU;COUNT=2',
    };
    expect(isOccurrence(event, event.startsAt)).toBe(true);
    expect(starts(occurrencesAfter(event, at('2025-01-01T00:00:00Z'), 5))).toEqual([
      '2025-10-26T00:30:00.000Z',
      '2026-10-25T00:30:00.000Z',
    ]);
    // 02:30 on 25 October 2026 happens twice too: RFC 5545 takes the first, 02:30 CEST.
  });
});

describe('occurrencesBetween', () => {
  it('stops after COUNT occurrences', () => {
    const list = occurrencesBetween(
      tuesdays('FREQ=WEEKLY;BYDAY=TU;COUNT=3'),
      at('2025-01-01T00:00:00Z'),
      at('2026-01-01T00:00:00Z'),
    );
    expect(starts(list)).toEqual(['2025-03-18T18:00:00.000Z', '2025-03-25T18:00:00.000Z', '2025-04-01T17:00:00.000Z']);
  });

  it('includes an occurrence starting exactly at UNTIL and nothing after it', () => {
    const daily = (until: string): EventTiming => ({
      startsAt: at('2025-01-01T18:00:00Z'),
      endsAt: at('2025-01-01T19:00:00Z'),
      timeZone: 'Europe/Paris',
      recurrence: `FREQ=DAILY;UNTIL=${until}`,
    });
    const range = [at('2024-12-01T00:00:00Z'), at('2025-02-01T00:00:00Z')] as const;
    expect(starts(occurrencesBetween(daily('20250105T180000Z'), ...range))).toEqual([
      '2025-01-01T18:00:00.000Z',
      '2025-01-02T18:00:00.000Z',
      '2025-01-03T18:00:00.000Z',
      '2025-01-04T18:00:00.000Z',
      '2025-01-05T18:00:00.000Z',
    ]);
    expect(occurrencesBetween(daily('20250105T175959Z'), ...range)).toHaveLength(4);
  });

  it('includes an occurrence that started before `from` and ends after it, and excludes one starting at `to`', () => {
    // The 18 March occurrence runs 18:00–20:00Z; the next starts 25 March 18:00Z.
    expect(starts(occurrencesBetween(tuesdays(), at('2025-03-18T19:30:00Z'), at('2025-03-25T18:00:00Z')))).toEqual([
      '2025-03-18T18:00:00.000Z',
    ]);
    expect(starts(occurrencesBetween(tuesdays(), at('2025-03-18T20:00:00Z'), at('2025-03-25T18:00:00.001Z')))).toEqual([
      '2025-03-25T18:00:00.000Z',
    ]);
    expect(occurrencesBetween(tuesdays(), at('2025-03-18T20:00:00Z'), at('2025-03-25T18:00:00Z'))).toEqual([]);
  });

  it('returns at most `limit` occurrences, the earliest ones', () => {
    const list = occurrencesBetween(tuesdays(), at('2025-03-01T00:00:00Z'), at('2026-03-01T00:00:00Z'), 2);
    expect(starts(list)).toEqual(['2025-03-18T18:00:00.000Z', '2025-03-25T18:00:00.000Z']);
    expect(occurrencesBetween(tuesdays(), at('2025-03-01T00:00:00Z'), at('2026-03-01T00:00:00Z'))).toHaveLength(50);
    expect(RECURRENCE_LIMITS.maxOccurrencesPerQuery).toBe(500);
  });

  it('gives a one-off event exactly one occurrence, when it overlaps the range', () => {
    const once = tuesdays(null);
    expect(occurrencesBetween(once, at('2025-01-01T00:00:00Z'), at('2026-01-01T00:00:00Z'))).toEqual([
      { startsAt: once.startsAt, endsAt: once.endsAt },
    ]);
    expect(occurrencesBetween(once, at('2025-03-18T20:00:00Z'), at('2026-01-01T00:00:00Z'))).toEqual([]);
    expect(occurrencesBetween(once, at('2025-03-25T00:00:00Z'), at('2025-03-26T00:00:00Z'))).toEqual([]);
  });
});

describe('occurrencesAfter', () => {
  const mornings: EventTiming = {
    startsAt: at('2025-01-01T07:00:00Z'),
    endsAt: at('2025-01-01T07:30:00Z'),
    timeZone: 'Europe/Paris',
    recurrence: 'FREQ=DAILY',
  };

  it('returns exactly `limit` occurrences of an unbounded rule, strictly after the instant', () => {
    expect(starts(occurrencesAfter(mornings, at('2025-06-10T06:00:00Z'), 3))).toEqual([
      '2025-06-11T06:00:00.000Z',
      '2025-06-12T06:00:00.000Z',
      '2025-06-13T06:00:00.000Z',
    ]);
    const far = occurrencesAfter(mornings, at('2040-01-01T00:00:00Z'), 400);
    expect(far).toHaveLength(400);
    expect(iso(far[0].startsAt)).toBe('2040-01-01T07:00:00.000Z');
  });

  it('returns fewer when the series ends, and nothing for limit 0', () => {
    expect(starts(occurrencesAfter(tuesdays('FREQ=WEEKLY;BYDAY=TU;COUNT=3'), at('2025-03-20T00:00:00Z'), 10))).toEqual([
      '2025-03-25T18:00:00.000Z',
      '2025-04-01T17:00:00.000Z',
    ]);
    expect(occurrencesAfter(mornings, at('2025-06-10T00:00:00Z'), 0)).toEqual([]);
  });

  it('handles one-off events', () => {
    expect(occurrencesAfter(tuesdays(null), at('2025-03-18T17:59:59Z'), 5)).toHaveLength(1);
    expect(occurrencesAfter(tuesdays(null), at('2025-03-18T18:00:00Z'), 5)).toEqual([]);
  });

  it('gives up quickly, at the horizon, on a rule that never matches', () => {
    // CPU time, not the clock: a loaded machine stretches the clock, not the work.
    const began = process.cpuUsage();
    const never: EventTiming = { ...mornings, recurrence: 'FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30' };
    expect(occurrencesAfter(never, at('2025-01-01T00:00:00Z'), 5)).toEqual([]);
    expect(occurrencesBetween(never, at('2030-01-01T00:00:00Z'), at('2031-01-01T00:00:00Z'))).toEqual([]);
    expect(isOccurrence(never, at('2030-02-28T07:00:00Z'))).toBe(false);
    expect(seriesEnd({ ...never, recurrence: 'FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30;COUNT=2' })).toEqual(never.endsAt);
    expect(
      occurrencesAfter({ ...mornings, recurrence: 'FREQ=DAILY;INTERVAL=7;BYDAY=TU' }, at('2025-01-01T00:00:00Z'), 5),
    ).toEqual([]);
    const spent = process.cpuUsage(began);
    // rrule alone walks to the year 9999: about 20 s of CPU each here
    expect((spent.user + spent.system) / 1000).toBeLessThan(5000);
  });

  it('finds nothing past the horizon, and everything before it', () => {
    const last = occurrencesAfter(mornings, at('2124-12-29T00:00:00Z'), 10);
    expect(starts(last)).toEqual(['2124-12-29T07:00:00.000Z', '2124-12-30T07:00:00.000Z', '2124-12-31T07:00:00.000Z']);
    expect(
      starts(occurrencesAfter({ ...mornings, recurrence: 'FREQ=YEARLY' }, at('2120-01-01T00:00:00Z'), 10)),
    ).toHaveLength(5);
  });
});

describe('isOccurrence', () => {
  it('is true for a real start only', () => {
    const event = tuesdays('FREQ=WEEKLY;BYDAY=TU;COUNT=5');
    expect(isOccurrence(event, at('2025-03-18T18:00:00Z'))).toBe(true);
    expect(isOccurrence(event, at('2025-04-01T17:00:00Z'))).toBe(true);
    expect(isOccurrence(event, at('2025-04-01T17:01:00Z'))).toBe(false);
    expect(isOccurrence(event, at('2025-04-01T18:00:00Z'))).toBe(false); // 20:00 Paris: the winter UTC time
    expect(isOccurrence(event, at('2025-03-11T18:00:00Z'))).toBe(false); // before the series
    expect(isOccurrence(event, at('2025-04-15T17:00:00Z'))).toBe(true); // the fifth
    expect(isOccurrence(event, at('2025-04-22T17:00:00Z'))).toBe(false); // a sixth
  });

  it('is true for a one-off event at its start only', () => {
    expect(isOccurrence(tuesdays(null), at('2025-03-18T18:00:00Z'))).toBe(true);
    expect(isOccurrence(tuesdays(null), at('2025-03-25T18:00:00Z'))).toBe(false);
  });

  it('follows rrule when startsAt is off the rule: the first occurrence is the next match', () => {
    const event: EventTiming = {
      ...tuesdays('FREQ=WEEKLY;BYDAY=TU'),
      startsAt: at('2025-03-17T18:00:00Z'),
      endsAt: at('2025-03-17T20:00:00Z'),
    };
    expect(isOccurrence(event, event.startsAt)).toBe(false);
    expect(starts(occurrencesAfter(event, at('2025-03-01T00:00:00Z'), 1))).toEqual(['2025-03-18T18:00:00.000Z']);
  });
});

describe('seriesEnd', () => {
  it('is the end of the last occurrence of a COUNT or UNTIL rule', () => {
    expect(seriesEnd(tuesdays('FREQ=WEEKLY;BYDAY=TU;COUNT=3'))).toEqual(at('2025-04-01T19:00:00Z'));
    expect(seriesEnd(tuesdays('FREQ=WEEKLY;BYDAY=TU;UNTIL=20251031T000000Z'))).toEqual(at('2025-10-28T20:00:00Z'));
  });

  it('is null for an unbounded rule or one longer than the expansion limit', () => {
    expect(seriesEnd(tuesdays())).toBeNull();
    const mornings: EventTiming = {
      startsAt: at('2025-01-01T07:00:00Z'),
      endsAt: at('2025-01-01T07:30:00Z'),
      timeZone: 'Europe/Paris',
      recurrence: `FREQ=DAILY;COUNT=${RECURRENCE_LIMITS.maxSeriesExpansion + 1}`,
    };
    expect(seriesEnd(mornings)).toBeNull();
    expect(seriesEnd({ ...mornings, recurrence: 'FREQ=DAILY;COUNT=10000' })).toEqual(at('2052-05-18T06:30:00Z'));
  });

  it('is endsAt for a one-off event', () => {
    expect(seriesEnd(tuesdays(null))).toEqual(at('2025-03-18T20:00:00Z'));
  });
});

describe('normalizeRecurrence', () => {
  const rejects = (rule: string) => {
    try {
      normalizeRecurrence(rule);
    } catch (error) {
      expect(error).toBeInstanceOf(BadInput);
      expect((error as BadInput).extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'recurrence' });
      return (error as BadInput).message;
    }
    throw new Error(`accepted ${rule}`);
  };

  it('rejects rules more frequent than daily', () => {
    expect(rejects('FREQ=HOURLY')).toMatch(/DAILY/);
    rejects('FREQ=MINUTELY;COUNT=5');
    rejects('FREQ=SECONDLY');
    rejects('FREQ=DAILY;BYHOUR=9,10,11');
  });

  it('rejects DTSTART, TZID and DTEND inside the rule', () => {
    expect(rejects('FREQ=WEEKLY;DTSTART=20250101T000000Z')).toMatch(/DTSTART/);
    rejects('DTSTART:20250101T000000Z\nRRULE:FREQ=WEEKLY');
    rejects('FREQ=WEEKLY;TZID=Europe/Paris');
    rejects('FREQ=WEEKLY;DTEND=20250101T000000Z');
  });

  it('rejects garbage and out-of-range values', () => {
    for (const rule of [
      'garbage',
      '',
      'FREQ=FOO',
      'BYDAY=TU',
      'FREQ=WEEKLY;BYDAY=XX',
      'FREQ=DAILY;INTERVAL=1001',
      'FREQ=DAILY;INTERVAL=0',
      'FREQ=DAILY;INTERVAL=abc',
      'FREQ=DAILY;COUNT=0',
      'FREQ=YEARLY;BYMONTH=13',
      'FREQ=DAILY;COUNT=3;COUNT=4',
      'FREQ=DAILY;COUNT=3;UNTIL=20250101T000000Z',
      'FREQ=DAILY;UNTIL=20250101',
      'FREQ=DAILY;UNTIL=garbage',
      'x'.repeat(600),
      'FREQ=WEEKLY;WKST=XX',
      'FREQ=DAILY;BYEASTER=0',
      'FREQ=DAILY;X-FOO=1',
      'FREQ=WEEKLY;BYDAY=',
      'FREQ=DAILY;COUNT=3.5',
    ])
      rejects(rule);
  });

  it('returns the canonical body', () => {
    expect(normalizeRecurrence('RRULE:FREQ=MONTHLY;BYMONTHDAY=1')).toBe('FREQ=MONTHLY;BYMONTHDAY=1');
    expect(normalizeRecurrence(' rrule:count=3;byday=tu,th;freq=weekly; ')).toBe('FREQ=WEEKLY;COUNT=3;BYDAY=TU,TH');
    expect(normalizeRecurrence('FREQ=WEEKLY;INTERVAL=1')).toBe('FREQ=WEEKLY');
    expect(normalizeRecurrence('FREQ=WEEKLY;INTERVAL=1000;UNTIL=20251231T235959Z')).toBe(
      'FREQ=WEEKLY;INTERVAL=1000;UNTIL=20251231T235959Z',
    );
    expect(normalizeRecurrence('FREQ=MONTHLY;BYDAY=-1FR')).toBe('FREQ=MONTHLY;BYDAY=-1FR');
  });
});

describe('isValidTimeZone', () => {
  it('knows IANA zones only', () => {
    expect(isValidTimeZone('Europe/Paris')).toBe(true);
    expect(isValidTimeZone('America/New_York')).toBe(true);
    expect(isValidTimeZone('Mars/Olympus')).toBe(false);
    expect(isValidTimeZone('')).toBe(false);
  });

  it('makes the expanders throw BadInput for an unknown zone', () => {
    expect(() => occurrencesAfter({ ...tuesdays(), timeZone: 'Mars/Olympus' }, at('2025-01-01T00:00:00Z'), 1)).toThrow(
      BadInput,
    );
  });
});
