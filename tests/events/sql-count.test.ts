import { graphql } from '../../codegen/index';
import { castOf } from '../posts/operations';
import { closeAll, joinCommunity, signUp, startTestServer, type TestServer } from '../support/server';
import { createEvent, hoursFromNow, rsvp } from './operations';

/** A community's events, each with organizer, community, seat counts, the viewer's answer, the first attendees, the latest chat and top questions. */
const EventsPage = graphql(`
  query EventsListingPage($slug: String!, $first: Int!) {
    community(slug: $slug) {
      events(first: $first) {
        edges {
          node {
            id
            title
            startsAt
            capacity
            organizer {
              handle
            }
            community {
              slug
            }
            goingCount
            waitlistCount
            viewerRsvp {
              status
              waitlistPosition
            }
            attendees(first: 3) {
              edges {
                node {
                  checkedInAt
                  user {
                    handle
                  }
                }
              }
            }
            chatMessages(last: 3) {
              edges {
                node {
                  body
                  author {
                    handle
                  }
                }
              }
              pageInfo {
                endCursor
              }
            }
            questions(first: 2) {
              edges {
                node {
                  body
                  upvotes
                }
              }
            }
          }
        }
      }
    }
  }
`);

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(closeAll);

describe('SQL statements per events page (no N+1)', () => {
  it("costs the same number of statements for 5 events as for 20, each with its seats, attendees and the viewer's answer", async () => {
    const { owner, community } = await castOf(server, 0);
    const people = await Promise.all(Array.from({ length: 4 }, (_, i) => signUp(server, `att${i}`)));
    for (const p of people) await joinCommunity(server, p, community.id);
    // 20 events of 2 seats; three people answer GOING (one waits), the viewer (people[3]) on every other one.
    for (let i = 0; i < 20; i++) {
      const event = await createEvent(server, owner, community.id, {
        title: `event ${i}`,
        capacity: 2,
        startsAt: hoursFromNow(24 + i),
      });
      for (const p of people.slice(0, 3)) await rsvp(server, p, event.id, 'GOING');
      if (i % 2 === 0) await rsvp(server, people[3], event.id, 'INTERESTED');
    }

    const counts: Record<string, number> = {};
    for (const [who, token] of [
      ['anonymous', undefined],
      ['signed in', people[3].token],
    ] as const) {
      for (const first of [5, 20]) {
        const res = await server.gql(EventsPage, { slug: community.slug, first }, { token });
        expect(res.body.errors).toBeUndefined();
        const edges = res.body.data!.community!.events.edges;
        expect(edges).toHaveLength(first);
        for (const { node } of edges as any[]) {
          expect([node.goingCount, node.waitlistCount]).toEqual([2, 1]);
          expect(node.attendees.edges.map((e: any) => e.node.user.handle)).toEqual(
            people.slice(0, 2).map((p) => p.user.handle),
          );
          expect(node.organizer.handle).toBe(owner.user.handle);
        }
        const answers = edges.map((e: any) => e.node.viewerRsvp?.status ?? null);
        expect(answers[0]).toBe(token ? 'INTERESTED' : null);
        counts[`${who}, first ${first}`] = res.sqlStatements;
      }
    }
    console.log('SQL statements per events page:', counts);
    // The community by slug, the events, their organizers, the seat counts, the attendee pages (ids,
    // then the rows), the attendees' users, the chat pages, the newest message ids (for an empty
    // history's end cursor) and the question pages; signed in, also the token and the viewer's answers (ids, rows).
    expect(counts).toEqual({
      'anonymous, first 5': 10,
      'anonymous, first 20': 10,
      'signed in, first 5': 13,
      'signed in, first 20': 13,
    });
  });
});

describe('SQL statements of the hot event writes', () => {
  it('an RSVP and a chat message cost 3 each: the session, one read (event, community, standing), one write', async () => {
    const { owner, members, community } = await castOf(server, 1);
    const meetup = await createEvent(server, owner, community.id, { capacity: 10 });
    const answered = await server.gql(
      'mutation($input: RsvpInput!) { rsvp(input: $input) { status } }',
      { input: { eventId: meetup.id, status: 'GOING' } },
      { token: members[0].token },
    );
    expect(answered.body.errors).toBeUndefined();
    expect(answered.body.data.rsvp.status).toBe('GOING');
    expect(answered.sqlStatements).toBe(3);

    const stream = await createEvent(server, owner, community.id, { kind: 'LIVE_STREAM', startsAt: hoursFromNow(1) });
    const started = await server.gql(
      'mutation($id: ID!) { startLiveStream(eventId: $id) { live } }',
      { id: stream.id },
      {
        token: owner.token,
      },
    );
    expect(started.body.errors).toBeUndefined();
    const sent = await server.gql(
      'mutation($input: SendChatMessageInput!) { sendChatMessage(input: $input) { id body } }',
      { input: { eventId: stream.id, body: 'Counted.' } },
      { token: members[0].token },
    );
    expect(sent.body.errors).toBeUndefined();
    expect(sent.body.data.sendChatMessage.body).toBe('Counted.');
    expect(sent.sqlStatements).toBe(3);
  });
});
