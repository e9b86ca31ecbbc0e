/**
 * Bad input is BAD_USER_INPUT, never INTERNAL_SERVER_ERROR (issue 12, point 12): text that PostgreSQL
 * cannot store or that is not text, wherever it comes from (an inline literal, a variable, a variable's
 * default; over HTTP or WebSocket); values that fit their input limit but not their column once
 * normalized; poll options nobody can tell apart. The schema-driven fuzz test (fuzz.test.ts) covers
 * every argument; these tests pin each path of the rule.
 */
import {
  closeAll,
  createCommunity,
  errorCode,
  openPrivileges,
  signUp,
  startTestServer,
  unique,
  type GqlResponse,
  type TestServer,
  type TestUser,
} from '../support/server';
import { record } from '../support/subscription';

let server: TestServer;
let owner: TestUser;
let community: { id: string; slug: string };

beforeAll(async () => {
  server = await startTestServer();
  owner = await signUp(server, 'inputs');
  community = await createCommunity(server, owner);
  await openPrivileges(server, owner, community.id);
});
afterAll(closeAll);

/** Refused before anything ran: HTTP 400, no data, BAD_USER_INPUT naming `field`. */
function expectBadInput(res: GqlResponse<unknown>, field: string, status = 400): void {
  const error = res.body.errors?.[0];
  expect({
    status: res.status,
    code: error?.extensions?.code,
    field: error?.extensions?.field,
    data: res.body.data ?? null,
  }).toEqual({ status, code: 'BAD_USER_INPUT', field, data: null });
}

async function postTitles(): Promise<string[]> {
  const res = await server.gql(
    `{ community(slug: "${community.slug}") { posts(first: 100, orderBy: NEW) { edges { node { title } } } } }`,
    undefined,
    { token: owner.token },
  );
  return res.body.data.community.posts.edges.map((e: { node: { title: string } }) => e.node.title);
}

const CREATE_POST = 'mutation($input: CreatePostInput!) { createPost(input: $input) { id title } }';

describe('text that is not text', () => {
  it('refuses a NUL character in a variable with BAD_USER_INPUT on its field and writes nothing, but keeps emoji and other scripts', async () => {
    const res = await server.gql(
      CREATE_POST,
      { input: { communityId: community.id, title: 'Nul\u0000title', body: 'Body.' } },
      { token: owner.token },
    );
    expectBadInput(res, 'title');
    expect(await postTitles()).not.toContain('Nul\u0000title');

    // Surrogate pairs (emoji) are well-formed text.
    const fine = await server.gql(
      CREATE_POST,
      { input: { communityId: community.id, title: 'Café 🎉 日本語', body: '👍🏽 ok' } },
      { token: owner.token },
    );
    expect(fine.body.errors).toBeUndefined();
    expect(fine.body.data.createPost.title).toBe('Café 🎉 日本語');
  });

  it('refuses a NUL character written inline in the document', async () => {
    const res = await server.gql(
      `mutation { createPost(input: { communityId: "${community.id}", title: "Inline", body: "Before\\u0000after" }) { id } }`,
      undefined,
      { token: owner.token },
    );
    expectBadInput(res, 'body');
    expect(await postTitles()).not.toContain('Inline');
  });

  it('refuses an unpaired surrogate inside a list, naming the list', async () => {
    const res = await server.gql(
      CREATE_POST,
      { input: { communityId: community.id, title: 'Tagged', body: 'Body.', tags: ['fine', 'half\uD83D'] } },
      { token: owner.token },
    );
    expectBadInput(res, 'tags');
  });

  it('refuses a lone low surrogate in a query argument as well', async () => {
    expectBadInput(
      await server.gql('query($slug: String!) { community(slug: $slug) { id } }', { slug: '\uDE00' }),
      'slug',
    );
  });

  it('checks the default value of a variable the client did not send', async () => {
    const res = await server.gql(
      'query($search: String = "a\\u0000") { communities(search: $search) { edges { node { id } } } }',
    );
    expectBadInput(res, 'search');
  });

  it('refuses a NUL character over WebSocket too, with the same error', async () => {
    const r = record(server.ws({ token: owner.token }), {
      query: CREATE_POST,
      variables: { input: { communityId: community.id, title: 'Socket\u0000', body: 'Body.' } },
    });
    await r.settled();
    const errors = [
      ...(Array.isArray(r.failure) ? r.failure : []),
      ...r.results.flatMap((result) => result.errors ?? []),
    ];
    expect(errors.map((e) => [e.extensions?.code, e.extensions?.field])).toEqual([['BAD_USER_INPUT', 'title']]);
    expect(await postTitles()).not.toContain('Socket\u0000');
  });
});

describe('values that outgrow their column once normalized', () => {
  const CREATE_EVENT = 'mutation($input: CreateEventInput!) { createEvent(input: $input) { id onlineUrl } }';
  const event = (onlineUrl: string) => ({
    input: {
      communityId: community.id,
      title: 'Online',
      startsAt: '2031-01-01T10:00:00Z',
      endsAt: '2031-01-01T11:00:00Z',
      onlineUrl,
    },
  });

  it('refuses an onlineUrl within 2,000 characters that percent-encoding takes past them, on create and update', async () => {
    // 1,900 characters as typed; each "é" becomes "%C3%A9" once normalized: about 11,000 stored.
    const long = `https://example.test/${'é'.repeat(1879)}`;
    expect(long.length).toBeLessThanOrEqual(2000);
    expectBadInput(await server.gql(CREATE_EVENT, event(long), { token: owner.token }), 'onlineUrl', 200);

    // One that still fits is stored normalized.
    const created = await server.gql(CREATE_EVENT, event('https://example.test/café room'), { token: owner.token });
    expect(created.body.errors).toBeUndefined();
    expect(created.body.data.createEvent.onlineUrl).toBe('https://example.test/caf%C3%A9%20room');
    const updated = await server.gql(
      'mutation($input: UpdateEventInput!) { updateEvent(input: $input) { onlineUrl } }',
      { input: { id: created.body.data.createEvent.id, onlineUrl: long } },
      { token: owner.token },
    );
    expectBadInput(updated, 'onlineUrl', 200);
  });

  it('refuses an email within 254 characters that lower-casing takes past them', async () => {
    // "İ" lower-cases to two characters: 254 as typed, 286 as stored.
    const email = `${'İ'.repeat(32)}@${['a'.repeat(60), 'b'.repeat(60), 'c'.repeat(60), 'd'.repeat(30), 'example'].join('.')}`;
    expect(email.length).toBe(254);
    const res = await server.gql('mutation($input: SignUpInput!) { signUp(input: $input) { token } }', {
      input: { handle: unique('long'), email, password: 'correct horse battery staple' },
    });
    expectBadInput(res, 'email', 200);
  });
});

describe('poll options', () => {
  const CREATE_POLL = 'mutation($input: CreatePollInput!) { createPoll(input: $input) { id options { text } } }';
  const poll = (options: string[]) =>
    server.gql(
      CREATE_POLL,
      { input: { communityId: community.id, question: 'Which?', options } },
      { token: owner.token },
    );

  it('takes full-width and ASCII spellings of an option as the same option (NFKC) and refuses them, keeping distinct options as typed', async () => {
    const res = await poll(['Yes', 'Ｙｅｓ', 'No']);
    expect([errorCode(res), res.body.errors?.[0].extensions?.field]).toEqual(['BAD_USER_INPUT', 'options']);

    const distinct = await poll(['Ｙｅｓ', 'No', 'Café']);
    expect(distinct.body.errors).toBeUndefined();
    expect(distinct.body.data.createPoll.options.map((o: { text: string }) => o.text)).toEqual([
      'Ｙｅｓ',
      'No',
      'Café',
    ]);
  });

  it('takes options that differ only by case, invisible characters or spacing as the same option', async () => {
    for (const pair of [
      ['Straße', 'STRASSE'],
      ['Yes', 'Ye\u200Bs'],
      ['Not sure', 'Not  sure'],
      ['ﬁne', 'fine'],
    ]) {
      const res = await poll([...pair, 'Other']);
      expect([pair, errorCode(res)]).toEqual([pair, 'BAD_USER_INPUT']);
    }
  });

  it('refuses an option made only of invisible characters as blank', async () => {
    const res = await poll(['Yes', '\u200B\u200D']);
    expect([errorCode(res), res.body.errors?.[0].message]).toEqual(['BAD_USER_INPUT', 'options must not be blank']);
  });
});
