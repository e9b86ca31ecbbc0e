import type { Context } from '../../platform/context';
import { fastSql } from '../../platform/database/sql';
import { BadInput } from '../../platform/errors';
import { fromGlobalId } from '../../platform/ids';
import { PAGE_LIMITS, decodeCursor, encodeCursor } from '../../platform/pagination';
import { Visibility } from '../communities/communities.entity';
import { assertCanReadContent, visibleCommunity } from '../communities/communities.service';
import { channelNotInSql, unreadableChannelsSql } from '../channels/channels.service';
import { normalizeTag } from '../posts/posts.service';
import { SEARCH_LIMITS, SearchType, type SearchArgs } from './search.inputs';
import type { SearchResultConnection, SearchResultEdge, SearchResultNode } from './search.types';

/** Each kind's number in the keyset (ties on score: posts first, then comments, events, polls, members). */
const KIND_NUMBER: Record<SearchType, number> = {
  [SearchType.POST]: 0,
  [SearchType.COMMENT]: 1,
  [SearchType.EVENT]: 2,
  [SearchType.POLL]: 3,
  [SearchType.MEMBER]: 4,
};

/** CJK characters (the ranges `search_text` rewrites into bigrams: see migrations/Migration20261206140000.ts). */
const CJK_RUN = /[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]+/gu;

/** `ts_rank_cd` weights of D, C, B, A: a title (A) counts 2.5 times a body (B). */
const RANK_WEIGHTS = `'{0.1, 0.2, 0.4, 1.0}'`;

/**
 * The score of a result (README, Search), from its `relevance` (0 to 1), `votes` and `at` (when it
 * was created; null: no decay) as of `as_of`: relevance × (1 + ln(1 + max(votes, 0))) / (1 + age in days / 30).
 */
const SCORE = `h.relevance * (1 + ln(1 + greatest(h.votes, 0))) / (1 + coalesce(greatest(extract(epoch from (q.as_of - h.at)), 0), 0) / 2592000.0)`;

/** HTML-escapes a SQL text expression (before `ts_headline` adds its <mark> tags). */
const escaped = (text: string) =>
  `replace(replace(replace(replace(${text}, '&', '&amp;'), '<', '&lt;'), '>', '&gt;'), '"', '&quot;')`;

const HEADLINE_OPTIONS = `'StartSel=<mark>, StopSel=</mark>, MaxWords=30, MinWords=12, MaxFragments=2, FragmentDelimiter=" … "'`;
const headline = (text: string) => `ts_headline('simple', ${escaped(text)}, q.tsq, ${HEADLINE_OPTIONS})`;

/** The page's snippet of each kind, `l` being the page's row. */
const SNIPPET: Record<SearchType, string> = {
  [SearchType.POST]: `(select ${headline(`p.title || ' · ' || p.body`)} from posts p where p.id = l.id)`,
  [SearchType.COMMENT]: `(select ${headline('c.body')} from comments c where c.id = l.id)`,
  [SearchType.EVENT]: `(select ${headline(`e.title || ' · ' || e.description`)} from events e where e.id = l.id)`,
  [SearchType.POLL]: `(select ${headline('o.question')} from polls o where o.id = l.id)`,
  [SearchType.MEMBER]: `(select ${escaped('u.handle')} from members m join users u on u.id = m.user_id where m.id = l.id)`,
};

/**
 * A query word as the SQL function `search_text` rewrites text (migrations/Migration20261206140000.ts):
 * each run of CJK characters becomes its overlapping bigrams ('你好世界' -> '你好 好世 世界').
 */
export function searchText(word: string): string {
  return word.replace(CJK_RUN, (run) => {
    const chars = [...run];
    if (chars.length < 2) return ` ${run} `;
    return ` ${chars
      .slice(1)
      .map((c, i) => chars[i] + c)
      .join(' ')} `;
  });
}

/** The words of a query: BAD_USER_INPUT when it is blank, too long or has too many words. */
export function queryWords(query: string): string[] {
  const text = query.normalize('NFKC').trim();
  if (!text) throw new BadInput('query must not be blank', 'query');
  if (text.length > SEARCH_LIMITS.queryLength)
    throw new BadInput(`query must be at most ${SEARCH_LIMITS.queryLength} characters`, 'query');
  const words = text.split(/\s+/u);
  if (words.length > SEARCH_LIMITS.words)
    throw new BadInput(`query must be at most ${SEARCH_LIMITS.words} words`, 'query');
  return words;
}

interface SearchRow {
  kind: number;
  id: number;
  score: number;
  snippet: string | null;
}

/**
 * `search`: one statement finds, ranks and pages the results (with their snippets); the page's
 * nodes then come from the by-id loaders (one statement per kind on the page). Only what the viewer
 * may read: the content of the communities they may read (PUBLIC ones, their memberships; one
 * community with `communityId`, NOT_FOUND or FORBIDDEN as `Community.posts`), never deleted or
 * hidden content, nor content by users they blocked.
 */
export async function search(ctx: Context, args: SearchArgs): Promise<SearchResultConnection> {
  const { em, loaders, viewer } = ctx;
  const words = queryWords(args.query);
  const first = args.first ?? PAGE_LIMITS.defaultSize;
  const types = new Set(args.types?.length ? args.types : Object.values(SearchType));
  const tag = args.tag ? normalizeTag(args.tag, 'tag') : null;
  if (tag) for (const type of [SearchType.EVENT, SearchType.POLL, SearchType.MEMBER]) types.delete(type);
  const authorId = args.authorId ? fromGlobalId('User', args.authorId, 'authorId') : null;
  if (args.from && args.to && args.from >= args.to) throw new BadInput('from must be before to', 'to');
  let asOf = Date.now();
  let after: [number, number, number] | null = null;
  if (args.after) {
    const [at, score, kind, id] = decodeCursor(args.after, ['timestamp', 'float', 'number', 'number']) as number[];
    if (kind < 0 || kind > 4) throw new BadInput('Invalid cursor', 'after');
    asOf = at;
    after = [score, kind, id];
  }

  const params: unknown[] = [];
  const param = (value: unknown, type: string) => {
    params.push(value);
    return `$${params.length}::${type}`;
  };

  // Which communities: one (its readability checked as Community.posts), else every readable one.
  let readable = 'select null::int as id';
  /** The condition that a community id column names a community searched. */
  let inReadable = (column: string) => `${column} in (select id from readable)`;
  const scopeId = args.communityId ? fromGlobalId('Community', args.communityId, 'communityId') : viewer.communityScope;
  if (scopeId !== undefined) {
    await assertCanReadContent(loaders, viewer, await visibleCommunity(loaders, viewer, scopeId));
    const id = param(scopeId, 'int');
    // Inline, so that the planner knows the community (its statistics, its indexes).
    inReadable = (column) => `${column} = ${id}`;
  } else {
    // The answer depends on every community's content and memberships (response cache).
    loaders.cacheScope.everything();
    if (viewer.isAdmin) readable = 'select id from communities';
    else {
      readable = `select id from communities where visibility = ${param(Visibility.PUBLIC, 'visibility')}`;
      if (viewer.userId !== null)
        readable += ` union select community_id from members where user_id = ${param(viewer.userId, 'int')}`;
    }
  }
  // Posts (and their comments) in channels the viewer may not read are left out (README, Channels).
  let hiddenChannels = '';
  if (!viewer.isAdmin) {
    const user = viewer.userId !== null ? param(viewer.userId, 'int') : null;
    hiddenChannels = ` and ${channelNotInSql('p.channel_id', unreadableChannelsSql(user, inReadable))}`;
  }
  const blocked = param([...viewer.blocked], 'int[]');
  const filters = (alias: string, author: string, at = 'created_at') => {
    const where = [`${alias}.${author} <> all(${blocked})`];
    if (authorId !== null) where.push(`${alias}.${author} = ${param(authorId, 'int')}`);
    if (args.from) where.push(`${alias}.${at} >= ${param(args.from, 'timestamptz')}`);
    if (args.to) where.push(`${alias}.${at} < ${param(args.to, 'timestamptz')}`);
    return where.join(' and ');
  };
  const tagged = (alias: string) => (tag ? ` and ${alias}.tags @> array[${param(tag, 'text')}]` : '');
  const n = SEARCH_LIMITS.candidatesPerType;
  // Rewritten here as `search_text` rewrites documents: calling the SQL function would inline its
  // subqueries into every branch, and the statement's planning time with them.
  const tsq = words.map((w) => `phraseto_tsquery('simple', ${param(searchText(w), 'text')})`).join(' && ');
  // The query as typed, for fuzzy matching: a parameter only where used (PostgreSQL types every one it is sent).
  let rawParam: string | undefined;
  const raw = () => (rawParam ??= param(words.join(' '), 'text'));
  // The query inline (not a reference to `q`): the planner then estimates each match from the index statistics.
  const fts = (doc: string) => `${doc} @@ (${tsq})`;
  // A word match scores 0.1 plus its rank (0 to 1), above any fuzzy match (at most 0.1).
  const ranked = (doc: string) => `0.1 + ts_rank_cd(${RANK_WEIGHTS}, ${doc}, (select tsq from q), 32)`;
  // Each kind's candidates: its newest matches (at most n), ranked.
  const hits: string[] = [];
  let postWords = '';
  if (types.has(SearchType.POST)) {
    const where = `p.deleted_at is null and p.hidden_at is null and ${inReadable('p.community_id')}${hiddenChannels} and ${filters('p', 'author_id')}${tagged('p')}`;
    hits.push(`select 0 as kind, p.id, p.created_at as at, p.score as votes, ${ranked('p.search_document')} as relevance
      from post_words p`);
    // Fuzzy: titles with a word like the query (a typo), below any word match (relevance at most 0.1),
    // looked for only when fewer posts than a page match by their words (the scan is skipped otherwise).
    hits.push(`select 0, p.id, p.created_at, p.score, 0.1 * word_similarity(${raw()}, p.title)
      from (select * from posts p where (select count(*) from post_words) < ${first}
              and (select set_config('pg_trgm.word_similarity_threshold', '${SEARCH_LIMITS.fuzzyThreshold}', true)) is not null
              and ${raw()} <% p.title and ${where} order by p.id desc limit ${n}) p`);
    postWords = `post_words as materialized (select p.id, p.created_at, p.score, p.search_document from posts p
      where ${fts('p.search_document')} and ${where} order by p.id desc limit ${n}),`;
  }
  if (types.has(SearchType.COMMENT)) {
    // The newest 2n matching comments first, then their posts (readable, not deleted or hidden): the
    // posts are looked up for those only, not for every match of a common word.
    hits.push(`select 1, c.id, c.created_at, c.score, ${ranked('c.search_document')}
      from (select c.* from (select c.id, c.post_id, c.created_at, c.score, c.search_document from comments c
                              where ${fts('c.search_document')} and c.deleted_at is null and c.hidden_at is null
                                and ${filters('c', 'author_id')} order by c.id desc limit ${2 * n}) c
              join posts p on p.id = c.post_id
             where p.deleted_at is null and p.hidden_at is null and ${inReadable('p.community_id')}${hiddenChannels}${tagged('p')}
             order by c.id desc limit ${n}) c`);
  }
  if (types.has(SearchType.EVENT)) {
    hits.push(`select 2, e.id, e.created_at, 0, ${ranked('e.search_document')}
      from (select * from events e where ${fts('e.search_document')} and e.hidden_at is null
              and ${inReadable('e.community_id')} and ${filters('e', 'organizer_id')} order by e.id desc limit ${n}) e`);
  }
  if (types.has(SearchType.POLL)) {
    hits.push(`select 3, o.id, o.created_at, o.total_voters, ${ranked('o.search_document')}
      from (select * from polls o where ${fts('o.search_document')} and o.hidden_at is null
              and ${inReadable('o.community_id')} and ${filters('o', 'created_by_id')}
              and not exists (select 1 from posts p where p.id = o.post_id and (p.deleted_at is not null or p.hidden_at is not null${hiddenChannels ? ` or not (true${hiddenChannels})` : ''}))
            order by o.id desc limit ${n}) o`);
  }
  if (types.has(SearchType.MEMBER)) {
    // Handles: by trigram similarity (a typo), an exact handle scoring 0.5 (a title word's weight).
    hits.push(`select 4, m.id, null::timestamptz, m.reputation, 0.5 * similarity(${raw()}, u.handle)
      from (select m.id, m.reputation, m.user_id from members m join users u on u.id = m.user_id
             where (select set_config('pg_trgm.similarity_threshold', '${SEARCH_LIMITS.handleThreshold}', true)) is not null
               and u.handle % lower(${raw()}) and ${inReadable('m.community_id')} and ${filters('m', 'user_id', 'joined_at')}
             order by m.id desc limit ${n}) m join users u on u.id = m.user_id`);
  }
  if (hits.length === 0) return page([], first, false);

  let keyset = '';
  if (after) {
    const [score, kind, id] = [param(after[0], 'float8'), param(after[1], 'int'), param(after[2], 'int')];
    keyset = `where score < ${score} or (score = ${score} and (kind > ${kind} or (kind = ${kind} and id < ${id})))`;
  }
  const asOfParam = param(new Date(asOf), 'timestamptz');
  const snippet = Object.values(SearchType)
    .filter((t) => types.has(t))
    .map((t) => `when ${KIND_NUMBER[t]} then ${SNIPPET[t]}`)
    .join(' ');
  const sql = `with q as materialized (select ${tsq} as tsq, ${asOfParam} as as_of),
    readable as (${readable}),
    ${postWords}
    hits (kind, id, at, votes, relevance) as (${hits.join('\n union all ')}),
    scored as (select h.kind, h.id, max(${SCORE}) as score from hits h, q group by h.kind, h.id)
    select l.kind, l.id, l.score, case l.kind ${snippet} end as snippet
      from (select * from scored ${keyset} order by score desc, kind, id desc limit ${first + 1}) l, q
     order by l.score desc, l.kind, l.id desc`;
  // Unnamed: its text varies with the arguments, and its plan must be made for the query's words.
  const rows = await fastSql<SearchRow>(em, sql, params, { prepared: false });
  const more = rows.length > first;
  const edges = await Promise.all(
    rows.slice(0, first).map(async (row): Promise<SearchResultEdge | null> => {
      const node = await nodeOf(ctx, row.kind, row.id);
      if (!node) return null;
      return {
        cursor: encodeCursor([asOf, Number(row.score), row.kind, row.id]),
        node,
        snippet: markCjk(row.snippet ?? '', words),
        score: Number(row.score),
      };
    }),
  );
  return page(
    edges.filter((e): e is SearchResultEdge => e !== null),
    first,
    more,
    !!args.after,
  );
}

function page(edges: SearchResultEdge[], _first: number, more: boolean, hasPrevious = false): SearchResultConnection {
  return {
    edges,
    nodes: edges.map((e) => e.node),
    pageInfo: {
      hasNextPage: more,
      hasPreviousPage: hasPrevious,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges.at(-1)?.cursor ?? null,
    },
  };
}

/** A result's node through the request's by-id loaders (one statement per kind on the page). */
function nodeOf(ctx: Context, kind: number, id: number): Promise<SearchResultNode | null> {
  const { loaders } = ctx;
  switch (kind) {
    case 0:
      return loaders.post.load(id);
    case 1:
      return loaders.comment.load(id);
    case 2:
      return loaders.event.load(id);
    case 3:
      return loaders.poll.load(id);
    default:
      return loaders.member.load(id);
  }
}

/**
 * Marks the query's CJK runs in a snippet: `ts_headline` marks words, and a CJK run is one word of
 * the text (its bigrams are lexemes of the search document only). The snippet is already escaped
 * and CJK characters need no escaping, so the marks are the only tags added.
 */
export function markCjk(snippet: string, words: readonly string[]): string {
  const runs = [...new Set(words.flatMap((w) => w.match(CJK_RUN) ?? []))];
  if (runs.length === 0) return snippet;
  const pattern = new RegExp(runs.sort((a, b) => b.length - a.length).join('|'), 'gu');
  return snippet.replace(pattern, (run) => `<mark>${run}</mark>`);
}
