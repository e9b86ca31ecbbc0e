/**
 * Trusted documents and automatic persisted queries (issue 16, point 7), through HTTP and WebSocket:
 * the manifest is the one graphql-codegen writes for this repository's typed documents
 * (codegen/persisted-documents.json). Under TRUSTED_DOCUMENTS=only a client runs its documents by
 * `documentId` (or their exact text); any other text is PERSISTED_QUERY_NOT_SUPPORTED unless a
 * platform admin sends it; APQ is off. Under `allow`, ids and texts both run. With the default (off),
 * APQ answers an unknown hash with PERSISTED_QUERY_NOT_FOUND, and with REDIS_URL a hash registered on
 * one instance runs on another.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { record } from '../support/subscription';
import { setPlatformAdmin } from '../../src/modules/identity/identity.service';
import { closeAll, startTestServer, unique, type TestServer } from '../support/server';

afterAll(closeAll);

const MANIFEST = join(__dirname, '../../codegen/persisted-documents.json');
const manifest: Record<string, string> = JSON.parse(readFileSync(MANIFEST, 'utf8'));
/** The manifest's id and text of the operation named `name`. */
function trusted(name: string): { id: string; text: string } {
  const found = Object.entries(manifest).find(([, text]) =>
    new RegExp(`^(query|mutation|subscription) ${name}\\b`).test(text),
  );
  if (!found) throw new Error(`no trusted document named ${name}`);
  return { id: found[0], text: found[1] };
}

async function post(server: TestServer, body: unknown, token?: string) {
  const res = await fetch(server.httpUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as { data?: any; errors?: any[] } };
}

/** Signs up through the trusted SignUp document, as a client under `only` must; optionally a platform admin. */
async function signUp(server: TestServer, prefix: string, admin = false): Promise<{ token: string }> {
  const handle = unique(prefix);
  const answer = await post(server, {
    documentId: trusted('SignUp').id,
    variables: { input: { handle, email: `${handle}@example.test`, password: 'correct horse battery staple' } },
  });
  if (!answer.body.data) throw new Error(JSON.stringify(answer.body.errors));
  if (admin) await setPlatformAdmin(server.app.db.orm.em.fork(), `${handle}@example.test`, true);
  return { token: answer.body.data.signUp.token };
}

const codes = (answer: { body: { errors?: any[] } }) => (answer.body.errors ?? []).map((e) => e.extensions?.code);
// A listing any client may read whatever other test files left in the shared database (a member
// list would answer FORBIDDEN for someone else's private community).
const LISTING = trusted('MyCommunities');
const VARIABLES = { first: 2 };

describe('TRUSTED_DOCUMENTS=only', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ TRUSTED_DOCUMENTS: 'only', TRUSTED_DOCUMENTS_FILE: MANIFEST });
  });

  it('runs a trusted document by its documentId (bare or sha256:-prefixed) and by its exact text', async () => {
    for (const documentId of [LISTING.id, LISTING.id.replace(/^sha256:/, '')]) {
      const answer = await post(server, { documentId, variables: VARIABLES });
      expect([answer.status, answer.body.errors]).toEqual([200, undefined]);
      expect(answer.body.data.communities.edges).toEqual(expect.any(Array));
    }
    const byText = await post(server, { query: LISTING.text, variables: VARIABLES });
    expect(byText.body.errors).toBeUndefined();
  });

  it('refuses other texts, unknown ids, an id beside a query, and APQ; a platform admin may send any text', async () => {
    const other = await post(server, { query: '{ communities(first: 1) { edges { node { slug } } } }' });
    expect([other.status, codes(other)]).toEqual([200, ['PERSISTED_QUERY_NOT_SUPPORTED']]);
    const unknown = await post(server, { documentId: `sha256:${'0'.repeat(64)}` });
    expect([unknown.status, codes(unknown)]).toEqual([200, ['PERSISTED_QUERY_NOT_FOUND']]);
    const both = await post(server, { documentId: LISTING.id, query: LISTING.text });
    expect([both.status, codes(both)]).toEqual([400, ['BAD_USER_INPUT']]);
    const text = '{ __typename }';
    const apq = await post(server, {
      query: text,
      extensions: { persistedQuery: { version: 1, sha256Hash: createHash('sha256').update(text).digest('hex') } },
    });
    expect([apq.status, codes(apq)]).toEqual([200, ['PERSISTED_QUERY_NOT_SUPPORTED']]);

    const admin = await signUp(server, 'trustadmin', true);
    const asAdmin = await post(server, { query: '{ communities(first: 1) { edges { node { slug } } } }' }, admin.token);
    expect(asAdmin.body.errors).toBeUndefined();
    // Signed in but no admin: refused as the anonymous caller is.
    const member = await signUp(server, 'trustmember');
    expect(codes(await post(server, { query: '{ viewer { handle } }' }, member.token))).toEqual([
      'PERSISTED_QUERY_NOT_SUPPORTED',
    ]);
  });

  it('refuses a subscription text that is no trusted document over WebSocket, and runs a trusted one', async () => {
    // Set up by a platform admin, whose texts run.
    const admin = await signUp(server, 'trustsetup', true);
    const slug = `trusted-${Date.now().toString(36)}`;
    const created = await post(
      server,
      {
        query: `mutation { createCommunity(input: { slug: "${slug}", name: "Trusted", description: "x", visibility: PUBLIC }) { id } }`,
      },
      admin.token,
    );
    const community = created.body.data.createCommunity.id;
    const posted = await post(
      server,
      {
        query: 'mutation($c: ID!) { createPost(input: { communityId: $c, title: "Hello", body: "Words" }) { id } }',
        variables: { c: community },
      },
      admin.token,
    );
    const postId = posted.body.data.createPost.id;

    const member = await signUp(server, 'trustws');
    const refused = record<any>(server.ws({ token: member.token }), {
      query: 'subscription Untrusted($p: ID!) { commentAdded(postId: $p) { id } }',
      variables: { p: postId },
    });
    await refused.settled(5000);
    expect(JSON.stringify(refused.failure)).toContain('PERSISTED_QUERY_NOT_SUPPORTED');
    const stream = trusted('CommentAddedStream');
    const accepted = record<any>(server.ws({ token: member.token }), { query: stream.text, variables: { postId } });
    // Comments until the subscription (registered asynchronously) hears one.
    for (let i = 0; accepted.results.length === 0; i++) {
      if (i === 50 || accepted.failure) throw new Error(`nothing heard: ${JSON.stringify(accepted.failure)}`);
      const comment = await post(
        server,
        {
          query: 'mutation($p: ID!) { addComment(input: { postId: $p, body: "Live" }) { id } }',
          variables: { p: postId },
        },
        admin.token,
      );
      expect(comment.body.errors).toBeUndefined();
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(accepted.results[0].data.commentAdded.body).toBe('Live');
  });
});

describe('TRUSTED_DOCUMENTS=allow', () => {
  it('runs documents by id and any text', async () => {
    const server = await startTestServer({ TRUSTED_DOCUMENTS: 'allow', TRUSTED_DOCUMENTS_FILE: MANIFEST });
    expect((await post(server, { documentId: LISTING.id, variables: VARIABLES })).body.errors).toBeUndefined();
    expect((await post(server, { query: '{ __typename }' })).body).toEqual({ data: { __typename: 'Query' } });
  });

  it('refuses to start without its manifest, naming TRUSTED_DOCUMENTS_FILE', async () => {
    await expect(startTestServer({ TRUSTED_DOCUMENTS: 'allow' })).rejects.toThrow(/TRUSTED_DOCUMENTS_FILE/);
  });
});

describe('automatic persisted queries (TRUSTED_DOCUMENTS=off)', () => {
  const text = 'query ApqProbe { communities(first: 1) { edges { node { slug } } } }';
  const persistedQuery = { version: 1, sha256Hash: createHash('sha256').update(text).digest('hex') };

  it(`answer an unknown hash with PERSISTED_QUERY_NOT_FOUND, then run it by hash once registered${process.env.REDIS_URL ? ', on every instance' : ''}`, async () => {
    const first = await startTestServer();
    const other = process.env.REDIS_URL ? await startTestServer() : first;
    const unknown = await post(first, { extensions: { persistedQuery } });
    expect(codes(unknown)).toEqual(['PERSISTED_QUERY_NOT_FOUND']);
    const registered = await post(first, { query: text, extensions: { persistedQuery } });
    expect(registered.body.errors).toBeUndefined();
    const byHash = await post(other, { extensions: { persistedQuery } });
    expect(byHash.body.errors).toBeUndefined();
    expect(byHash.body.data).toEqual(registered.body.data);
  });
});
