import { RRule, type Options, type Weekday } from 'rrule';
import { IANAZone } from 'luxon';
import { BadInput } from '../../platform/errors';

/**
 * Limits that keep recurrence rules and their expansion small and bounded, whatever a client sends.
 * Every expansion walks a rule from its first occurrence, so `horizonYears` bounds the work of any call,
 * even for a rule that never matches (such as FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30).
 */
export const RECURRENCE_LIMITS = {
  /** Most occurrences one query returns: the default `limit` of occurrencesBetween. */
  maxOccurrencesPerQuery: 500,
  /** Widest [from, to) window, in days, a query may ask for; the API layer enforces it, these functions do not. */
  maxRangeDays: 366,
  /** Largest INTERVAL a rule may have. */
  maxInterval: 1000,
  /** Longest rule text normalizeRecurrence accepts. */
  maxRuleLength: 500,
  /** Most occurrences seriesEnd expands; a COUNT/UNTIL series longer than this counts as unbounded. */
  maxSeriesExpansion: 10_000,
  /** No occurrence starts more than this many years after the first one. */
  horizonYears: 100,
} as const;

/** A recurring (or one-off) event's timing: its first occurrence, its zone and its RRULE body. */
export interface EventTiming {
  /** Start of the first occurrence. */
  startsAt: Date;
  /** End of the first occurrence; every occurrence lasts endsAt - startsAt. */
  endsAt: Date;
  /** IANA zone whose wall-clock time the occurrences keep, e.g. "Europe/Paris". */
  timeZone: string;
  /** RRULE body such as FREQ=WEEKLY;BYDAY=TU;COUNT=10; null (or undefined, or empty) for a one-off event. */
  recurrence?: string | null;
}

/** One occurrence of an event, as real instants. */
export interface Occurrence {
  startsAt: Date;
  endsAt: Date;
}

const MINUTE = 60_000;
const DAY = 1440 * MINUTE;
/** Margin around floating (wall-clock) windows: wall time and real time never drift further apart. */
const SLACK = 2 * DAY;
/** Ranges of the numeric rule parts (zero is never allowed). */
const RANGES: Partial<Record<keyof Options, number>> = {
  bysetpos: 366,
  bymonth: 12,
  bymonthday: 31,
  byyearday: 366,
  byweekno: 53,
};
/** The supported parts, in their canonical order (so no BYHOUR, BYMINUTE, BYSECOND: occurrences start at startsAt's local time). */
const ORDER: (keyof Options)[] = [
  'freq',
  'interval',
  'count',
  'until',
  'wkst',
  'bysetpos',
  'bymonth',
  'bymonthday',
  'byyearday',
  'byweekno',
  'byweekday',
];

/** Whether `tz` is an IANA time zone name that luxon (and so Intl) knows. */
export function isValidTimeZone(tz: string): boolean {
  return IANAZone.isValidZone(tz);
}

function invalid(why: string): never {
  throw new BadInput(`Invalid recurrence rule: ${why}`, 'recurrence');
}

/** Parses and checks a rule; `until`, when set, is a real UTC instant. */
function parseRule(rule: string): Partial<Options> {
  if (rule.length > RECURRENCE_LIMITS.maxRuleLength) invalid('too long');
  const body = rule
    .trim()
    .toUpperCase()
    .replace(/^RRULE:/, '')
    .replace(/;+$/, '');
  if (!body || /[\s:]/.test(body)) invalid('expected one RRULE such as FREQ=WEEKLY;BYDAY=TU');
  const parts = new Map<string, string>();
  for (const part of body.split(';')) {
    const [key, value = ''] = part.split('=');
    if (parts.has(key)) invalid(`${key} appears twice`);
    parts.set(key, value);
  }
  for (const key of parts.keys()) {
    if (['DTSTART', 'TZID', 'DTEND'].includes(key))
      invalid(`${key} is not allowed: the event's own start and time zone apply`);
    if (!ORDER.includes(key === 'BYDAY' ? 'byweekday' : (key.toLowerCase() as keyof Options)))
      invalid(`${key} is not supported`);
  }
  if (parts.has('UNTIL') && !/^\d{8}T\d{6}Z$/.test(parts.get('UNTIL')!))
    invalid('UNTIL must be a UTC date-time such as 20251231T235959Z');
  if (parts.has('UNTIL') && parts.has('COUNT')) invalid('COUNT and UNTIL cannot both be set');
  if (parts.has('WKST') && !/^(MO|TU|WE|TH|FR|SA|SU)$/.test(parts.get('WKST')!))
    invalid('WKST must be a day such as MO');
  let options: Partial<Options>;
  try {
    options = RRule.parseString(body);
    new RRule({ ...options, dtstart: new Date(0) }, true); // the constructor checks more (BYSETPOS, weekdays)
  } catch (error) {
    return invalid(error instanceof Error ? error.message : String(error));
  }
  if (options.freq == null || options.freq > RRule.DAILY)
    invalid('FREQ must be DAILY, WEEKLY, MONTHLY or YEARLY (nothing more frequent than daily)');
  const interval = options.interval ?? 1;
  if (!(Number.isInteger(interval) && interval >= 1 && interval <= RECURRENCE_LIMITS.maxInterval))
    invalid(`INTERVAL must be 1 to ${RECURRENCE_LIMITS.maxInterval}`);
  if (options.count != null && !(Number.isInteger(options.count) && options.count >= 1))
    invalid('COUNT must be a positive whole number');
  for (const [key, max] of Object.entries(RANGES) as [keyof Options, number][]) {
    const values = [options[key] ?? []].flat();
    if (values.some((v) => !Number.isInteger(v) || v === 0 || Math.abs(v as number) > max))
      invalid(`${key.toUpperCase()} is out of range`);
  }
  const weekdays = [options.byweekday ?? []].flat() as (Weekday | null)[];
  if (weekdays.some((d) => d === null || (d.n !== undefined && Math.abs(d.n) > 53)))
    invalid('BYDAY must list days such as MO,TU or 1MO,-1FR');
  return options;
}

/**
 * Checks a client's rule and returns its canonical RRULE body (no `RRULE:` prefix), e.g.
 * `rrule:freq=weekly;count=3;byday=tu` → `FREQ=WEEKLY;COUNT=3;BYDAY=TU`.
 * Throws BadInput (field `recurrence`) for unparsable rules, DTSTART/TZID/DTEND, parts other than FREQ, INTERVAL,
 * COUNT, UNTIL, WKST, BYSETPOS, BYMONTH, BYMONTHDAY, BYYEARDAY, BYWEEKNO and BYDAY (so no BYHOUR), FREQ finer
 * than DAILY, INTERVAL outside 1..1000, COUNT with UNTIL, and an UNTIL that is not a UTC date-time.
 */
export function normalizeRecurrence(rule: string): string {
  const options = parseRule(rule);
  const ordered = ORDER.filter((key) => options[key] != null && !(key === 'interval' && options[key] === 1)).map(
    (key) => [key, options[key]],
  );
  return RRule.optionsToString(Object.fromEntries(ordered) as Partial<Options>).replace(/^RRULE:/, '');
}

/** The wall-clock time of `instant` in `zone`, as a "floating" Date whose UTC fields hold it. */
function toWall(instant: Date, zone: IANAZone): Date {
  return new Date(instant.getTime() + zone.offset(instant.getTime()) * MINUTE);
}

/**
 * The real instant of a floating wall-clock time in `zone`, as RFC 5545 (3.3.5) reads local times: a time
 * that occurs twice (clocks going back) is the first one, a time skipped (clocks going forward) uses the
 * offset from before the change, so 02:30 becomes 03:30. (luxon's DateTime.fromObject picks by today's offset.)
 */
function fromWall(wall: Date, zone: IANAZone): Date {
  const local = wall.getTime();
  const [before, after] = [zone.offset(local - DAY), zone.offset(local + DAY)];
  const valid = [before, after].filter((o) => zone.offset(local - o * MINUTE) === o).map((o) => local - o * MINUTE);
  return new Date(valid.length ? Math.min(...valid) : local - before * MINUTE);
}

/**
 * rrule walks period by period up to the year 9999 and calls back on matches only, so a rule that never matches
 * (FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30) would block the event loop for seconds. rrule 2.8 reads
 * `options.interval` twice a period and stops when it reads 0: make it read 0 once the periods up to the
 * horizon are spent. The period being walked may then be walked twice; walk skips the repeats.
 */
function stopAtHorizon(rule: RRule): void {
  const { freq, interval } = rule.options;
  let reads = 2 * Math.ceil(((RECURRENCE_LIMITS.horizonYears + 1) * [1, 12, 53, 366][freq]) / interval) + 4;
  Object.defineProperty(rule.options, 'interval', { get: () => (--reads > 0 ? interval : 0) });
}

/**
 * Calls `visit` for the occurrences, in order, from about `after` (a little earlier) up to about `before`
 * (or the horizon), until it returns false. Callers filter exactly. A rule yields one occurrence a day at
 * most, at one wall-clock time, so real start times rise with wall-clock times.
 */
function walk(event: EventTiming, after: Date, visit: (o: Occurrence) => boolean, before?: Date): void {
  const zone = IANAZone.create(event.timeZone);
  if (!zone.isValid) throw new BadInput(`Unknown time zone ${event.timeZone}`, 'timeZone');
  const duration = event.endsAt.getTime() - event.startsAt.getTime();
  if (!event.recurrence) return void visit({ startsAt: event.startsAt, endsAt: event.endsAt });
  const options = parseRule(event.recurrence);
  const until = options.until ?? null;
  const first = toWall(event.startsAt, zone);
  const horizon = Date.UTC(
    first.getUTCFullYear() + RECURRENCE_LIMITS.horizonYears,
    first.getUTCMonth(),
    first.getUTCDate(),
  );
  const rule = new RRule(
    {
      ...options,
      dtstart: first,
      tzid: null,
      until: until && new Date(toWall(until, zone).getTime() + SLACK), // exact check below
    },
    true,
  );
  stopAtHorizon(rule);
  let previous = -Infinity;
  const from = new Date(toWall(after, zone).getTime() - SLACK);
  const to = new Date(Math.min(before ? toWall(before, zone).getTime() + SLACK : horizon, horizon));
  if (from > to) return;
  rule.between(from, to, true, (wall) => {
    if (wall.getTime() <= previous) return true;
    previous = wall.getTime();
    // The first occurrence is startsAt itself, even inside an hour that DST repeats.
    const startsAt = wall.getTime() === first.getTime() ? event.startsAt : fromWall(wall, zone);
    if (until && startsAt > until) return false;
    return visit({ startsAt, endsAt: new Date(startsAt.getTime() + duration) });
  });
}

/**
 * The occurrences overlapping [from, to) (endsAt > from and startsAt < to), in start order, at most `limit`.
 * A one-off event (recurrence null) has one occurrence, startsAt..endsAt.
 */
export function occurrencesBetween(
  event: EventTiming,
  from: Date,
  to: Date,
  limit: number = RECURRENCE_LIMITS.maxOccurrencesPerQuery,
): Occurrence[] {
  const found: Occurrence[] = [];
  if (limit < 1 || from >= to) return found;
  const duration = event.endsAt.getTime() - event.startsAt.getTime();
  walk(
    event,
    new Date(from.getTime() - duration),
    (o) => {
      if (o.startsAt >= to) return false;
      if (o.endsAt > from) found.push(o);
      return found.length < limit;
    },
    to,
  );
  return found;
}

/** The next `limit` occurrences starting strictly after `after`, in order; fine for unbounded rules. */
export function occurrencesAfter(event: EventTiming, after: Date, limit: number): Occurrence[] {
  const found: Occurrence[] = [];
  if (limit >= 1)
    walk(event, after, (o) => {
      if (o.startsAt > after) found.push(o);
      return found.length < limit;
    });
  return found;
}

/** Whether an occurrence of the event starts exactly at `startsAt`. */
export function isOccurrence(event: EventTiming, startsAt: Date): boolean {
  let found = false;
  walk(
    event,
    startsAt,
    (o) => {
      found = o.startsAt.getTime() === startsAt.getTime();
      return !found && o.startsAt < startsAt;
    },
    startsAt,
  );
  return found;
}

/**
 * When the series ends: the endsAt of its last occurrence. A one-off event ends at endsAt; a rule without
 * COUNT or UNTIL, or with more than RECURRENCE_LIMITS.maxSeriesExpansion occurrences, gives null (unbounded).
 */
export function seriesEnd(event: EventTiming): Date | null {
  if (!event.recurrence) return event.endsAt;
  const options = parseRule(event.recurrence);
  if (options.count == null && options.until == null) return null;
  let last: Occurrence | null = null;
  let seen = 0;
  walk(event, event.startsAt, (o) => {
    last = o;
    return ++seen <= RECURRENCE_LIMITS.maxSeriesExpansion;
  });
  if (seen > RECURRENCE_LIMITS.maxSeriesExpansion) return null;
  return (last as Occurrence | null)?.endsAt ?? event.endsAt; // no occurrence at all: startsAt is off the rule
}
