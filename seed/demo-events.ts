import type { EntityManager } from '@mikro-orm/postgresql';
import type { Community } from '../src/modules/communities/communities.entity';
import type { User } from '../src/modules/identity/identity.entity';
import { ChatMessage, QuestionUpvote } from '../src/modules/events/chat.entity';
import { Event, EventKind, Rsvp, RsvpStatus } from '../src/modules/events/events.entity';
import { normalizeRecurrence, seriesEnd } from '../src/modules/events/recurrence';
import { ContestEntry, ContestVote } from '../src/modules/events/contests.entity';
import { Post } from '../src/modules/posts/posts.entity';
import type { Handle } from './demo-posts';

const HOUR = 3_600_000;

interface DemoEvent {
  community: string;
  by: Handle;
  kind: EventKind;
  title: string;
  description: string;
  /** Hours from the seed's time to the (first) start, rounded down to the hour. */
  inHours: number;
  hours: number;
  timeZone: string;
  capacity?: number;
  location?: string;
  onlineUrl?: string;
  recurrence?: string;
  /** GOING in this order (beyond capacity they wait), then INTERESTED, for the first occurrence. */
  going?: Handle[];
  interested?: Handle[];
  /** CONTEST: entries (each author's first post in the community, in this order) and votes [voter, author of the entry]. */
  entries?: Handle[];
  votes?: [Handle, Handle][];
  /** A live stream started this many minutes ago, with its chat (questions marked `?` and upvoted). */
  liveForMinutes?: number;
  chat?: { by: Handle; body: string; question?: Handle[] }[];
}

const DEMO_EVENTS: DemoEvent[] = [
  {
    community: 'typescript',
    by: 'alice',
    kind: EventKind.MEETUP,
    title: 'TypeScript Tuesday',
    description: 'Bring a type puzzle, leave with three. Weekly, in person and online.',
    inHours: 30,
    hours: 2,
    timeZone: 'Europe/Berlin',
    capacity: 3,
    location: 'Co-working space, 2nd floor',
    onlineUrl: 'https://meet.example.org/typescript-tuesday',
    recurrence: 'FREQ=WEEKLY;COUNT=12',
    going: ['alice', 'bob', 'carol', 'dave'],
    interested: [],
  },
  {
    community: 'typescript',
    by: 'bob',
    kind: EventKind.LIVE_STREAM,
    title: 'Live: type-level programming',
    description: 'Conditional types, mapped types and a lot of infer. Ask questions in the chat.',
    inHours: 0,
    hours: 2,
    timeZone: 'UTC',
    onlineUrl: 'https://stream.example.org/types',
    liveForMinutes: 15,
    chat: [
      { by: 'bob', body: 'Welcome everyone! Questions go in the chat, marked as questions.' },
      { by: 'carol', body: 'Hi from Lisbon 👋' },
      { by: 'dave', body: 'Will the recording be posted?', question: ['alice', 'carol'] },
      { by: 'alice', body: 'How does infer work inside a template literal type?', question: ['dave'] },
      { by: 'carol', body: 'That example with recursive types was great' },
    ],
  },
  {
    community: 'typescript',
    by: 'alice',
    kind: EventKind.CONTEST,
    title: 'Type trick of the month',
    description: 'Enter a post with your best type trick; the community votes until the end of the week.',
    inHours: -24,
    hours: 24 * 6,
    timeZone: 'UTC',
    entries: ['bob', 'carol', 'dave'],
    votes: [
      ['alice', 'carol'],
      ['bob', 'carol'],
      ['dave', 'bob'],
    ],
  },
  {
    community: 'gardening',
    by: 'erin',
    kind: EventKind.MEETUP,
    title: 'Spring seed swap',
    description: 'Bring seeds in labelled envelopes; take what you will grow.',
    inHours: 24 * 10,
    hours: 3,
    timeZone: 'Europe/London',
    location: 'Community garden shed',
    going: ['erin', 'bob'],
    interested: ['alice'],
  },
  {
    community: 'book-club',
    by: 'carol',
    kind: EventKind.MEETUP,
    title: 'Reading night',
    description: 'This month: the one with the lighthouse.',
    inHours: 24 * 5,
    hours: 2,
    timeZone: 'Europe/Lisbon',
    recurrence: 'FREQ=MONTHLY;COUNT=6',
    going: ['carol', 'erin'],
  },
];

/**
 * Writes DEMO_EVENTS: a recurring meetup that is full (one member waiting), a live stream under
 * way with its chat and upvoted questions, a contest in its voting week, a one-off meetup, and a
 * private community's monthly event. Seats and arrivals follow the server's rules; throws on a non-member taking part.
 */
export async function seedEvents(
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
  const hour = Math.floor(now.getTime() / HOUR) * HOUR;
  for (const e of DEMO_EVENTS) {
    const startsAt = new Date(hour + e.inHours * HOUR);
    const endsAt = new Date(startsAt.getTime() + e.hours * HOUR);
    const recurrence = e.recurrence ? normalizeRecurrence(e.recurrence) : null;
    const timing = { startsAt, endsAt, timeZone: e.timeZone, recurrence };
    const event = em.create(Event, {
      community: communities.get(e.community)!,
      organizer: member(e.community, e.by, 'organizes'),
      kind: e.kind,
      title: e.title,
      description: e.description,
      ...timing,
      seriesEndsAt: seriesEnd(timing),
      capacity: e.capacity ?? null,
      location: e.location ?? null,
      onlineUrl: e.onlineUrl ?? null,
      slowModeSeconds: 0,
      createdAt: now,
      updatedAt: now,
      liveStartedAt: e.liveForMinutes ? new Date(now.getTime() - e.liveForMinutes * 60_000) : null,
    });
    (e.going ?? []).forEach((handle, i) =>
      em.create(Rsvp, {
        event,
        occurrenceStartsAt: startsAt,
        user: member(e.community, handle, 'RSVPs'),
        status: RsvpStatus.GOING,
        seated: e.capacity === undefined || i < e.capacity,
        arrival: i + 1,
        respondedAt: now,
      }),
    );
    for (const handle of e.interested ?? []) {
      em.create(Rsvp, {
        event,
        occurrenceStartsAt: startsAt,
        user: member(e.community, handle, 'RSVPs'),
        status: RsvpStatus.INTERESTED,
        seated: false,
        arrival: null,
        respondedAt: now,
      });
    }
    const entries = new Map<Handle, ContestEntry>();
    for (const handle of e.entries ?? []) {
      const post = await em.findOneOrFail(
        Post,
        { community: communities.get(e.community)!, author: member(e.community, handle, 'enters') },
        { orderBy: { id: 'asc' } },
      );
      entries.set(
        handle,
        em.create(ContestEntry, {
          event,
          post,
          user: users.get(handle)!,
          votes: 0,
          submittedAt: new Date(startsAt.getTime() - HOUR),
        }),
      );
    }
    for (const [voter, author] of e.votes ?? []) {
      if (voter === author) throw new Error(`demo data: ${voter} votes for their own entry`);
      const entry = entries.get(author)!;
      entry.votes++;
      em.create(ContestVote, { event, entry, user: member(e.community, voter, 'votes'), createdAt: now });
    }
    (e.chat ?? []).forEach((m, i) => {
      const message = em.create(ChatMessage, {
        event,
        author: member(e.community, m.by, 'chats'),
        body: m.body,
        isQuestion: !!m.question,
        upvotes: m.question?.length ?? 0,
        createdAt: new Date(now.getTime() - (e.chat!.length - i) * 60_000),
      });
      for (const handle of m.question ?? []) {
        if (handle === m.by) throw new Error(`demo data: ${handle} upvotes their own question`);
        em.create(QuestionUpvote, { message, user: member(e.community, handle, 'upvotes'), createdAt: now });
      }
    });
  }
  await em.flush();
}
