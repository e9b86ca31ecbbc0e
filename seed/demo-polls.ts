import type { EntityManager } from '@mikro-orm/postgresql';
import type { Community } from '../src/modules/communities/communities.entity';
import { Event } from '../src/modules/events/events.entity';
import type { User } from '../src/modules/identity/identity.entity';
import { Ballot, BallotChoice, Poll, PollKind, PollOption } from '../src/modules/polls/polls.entity';
import { sql } from '../src/platform/database/sql';
import type { Handle } from './demo-posts';

const HOUR = 3_600_000;

interface DemoPoll {
  community: string;
  by: Handle;
  question: string;
  kind: PollKind;
  options: string[];
  maxChoices?: number;
  anonymous?: boolean;
  hideResultsUntilClosed?: boolean;
  /** Hours from the seed's time to closesAt (negative with `closedHoursAgo` unset: closed by time); none: closed by hand or open. */
  closesInHours?: number;
  /** Closed by hand this many hours ago. */
  closedHoursAgo?: number;
  /** Attach to the community's event of this title. */
  event?: string;
  /** Ballots: the voter and the option indexes they name, in their order. */
  ballots: [Handle, number[]][];
}

const DEMO_POLLS: DemoPoll[] = [
  {
    community: 'typescript',
    by: 'alice',
    question: 'Which strictness flag saved you the most bugs?',
    kind: PollKind.SINGLE,
    options: ['strictNullChecks', 'noUncheckedIndexedAccess', 'exactOptionalPropertyTypes', 'noImplicitAny'],
    closesInHours: 72,
    ballots: [
      ['alice', [1]],
      ['bob', [0]],
      ['carol', [0]],
      ['dave', [1]],
    ],
  },
  {
    community: 'typescript',
    by: 'bob',
    question: 'Rank the topics for the next TypeScript Tuesday',
    kind: PollKind.RANKED,
    options: ['Variance annotations', 'Decorators', 'Project references', 'Type-level parsers'],
    anonymous: true,
    closesInHours: 24 * 5,
    event: 'TypeScript Tuesday',
    ballots: [
      ['alice', [3, 0]],
      ['bob', [0, 3, 1]],
      ['carol', [2, 0]],
      ['dave', [3, 2, 0]],
    ],
  },
  {
    community: 'gardening',
    by: 'erin',
    question: 'What should the shared bed grow this spring?',
    kind: PollKind.MULTIPLE,
    maxChoices: 2,
    options: ['Tomatoes', 'Beans', 'Sunflowers', 'Herbs'],
    closedHoursAgo: 20,
    ballots: [
      ['erin', [0, 3]],
      ['bob', [1, 3]],
      ['alice', [3]],
    ],
  },
  {
    community: 'founders-circle',
    by: 'admin',
    question: 'Where should the next offsite be?',
    kind: PollKind.SINGLE,
    options: ['Lisbon', 'Berlin', 'Online'],
    hideResultsUntilClosed: true,
    closesInHours: 24 * 7,
    ballots: [
      ['alice', [0]],
      ['bob', [2]],
    ],
  },
];

/**
 * Writes DEMO_POLLS: an open single-choice poll, an anonymous ranked poll attached to the weekly
 * meetup, a closed multiple-choice poll, and a private poll that hides its results until it closes.
 * Counters are derived from the ballots in SQL, as the server keeps them; throws on a non-member voting.
 */
export async function seedPolls(
  em: EntityManager,
  now: Date,
  communities: Map<string, Community>,
  members: Map<string, Set<Handle>>,
  users: Map<Handle, User>,
): Promise<void> {
  const member = (slug: string, handle: Handle, what: string) => {
    if (!members.get(slug)?.has(handle))
      throw new Error(`demo data: ${handle} ${what} in ${slug} without being a member`);
    return users.get(handle)!;
  };
  for (const p of DEMO_POLLS) {
    const community = communities.get(p.community)!;
    const event = p.event ? await em.findOneOrFail(Event, { community, title: p.event }) : null;
    const closedAt = p.closedHoursAgo !== undefined ? new Date(now.getTime() - p.closedHoursAgo * HOUR) : null;
    const poll = em.create(Poll, {
      community,
      createdBy: member(p.community, p.by, 'asks'),
      event,
      post: null,
      question: p.question,
      kind: p.kind,
      maxChoices: p.maxChoices ?? null,
      anonymous: !!p.anonymous,
      hideResultsUntilClosed: !!p.hideResultsUntilClosed,
      closesAt: p.closesInHours !== undefined ? new Date(now.getTime() + p.closesInHours * HOUR) : null,
      closedAt,
      closeAnnouncedAt: closedAt,
      totalVoters: 0,
      createdAt: new Date(now.getTime() - 48 * HOUR),
    });
    const options = p.options.map((text, position) => em.create(PollOption, { poll, position, text, votes: 0 }));
    for (const [handle, picks] of p.ballots) {
      if (p.kind === PollKind.SINGLE && picks.length !== 1)
        throw new Error(`demo data: ${handle} names ${picks.length} options in a single-choice poll`);
      const ballot = em.create(Ballot, {
        poll,
        user: member(p.community, handle, 'votes'),
        castAt: now,
        updatedAt: now,
      });
      picks.forEach((index, rank) => em.create(BallotChoice, { ballot, option: options[index], rank }));
    }
  }
  await em.flush();
  await sql(
    em,
    `update poll_options o set votes = (
      select count(*) from ballot_choices c join polls p on p.id = o.poll_id
       where c.option_id = o.id and (p.kind <> 'RANKED' or c.rank = 0))`,
    [],
    'run',
  );
  await sql(em, 'update polls p set total_voters = (select count(*) from ballots b where b.poll_id = p.id)', [], 'run');
}
