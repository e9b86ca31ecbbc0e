import { Migration } from '@mikro-orm/migrations';

/** The CJK ranges whose runs `search_text` rewrites into bigrams (Hiragana, Katakana, CJK ideographs, Hangul). */
const CJK = '\\u3040-\\u30ff\\u3400-\\u4dbf\\u4e00-\\u9fff\\uac00-\\ud7af\\uf900-\\ufaff';

/** The search documents of posts, comments, events and polls (README, Search), kept by PostgreSQL in the write's own statement. */
const DOCUMENTS: Record<string, string> = {
  posts: `setweight(to_tsvector('simple', search_text(title)), 'A') || setweight(to_tsvector('simple', search_text(body)), 'B')`,
  comments: `setweight(to_tsvector('simple', search_text(body)), 'B')`,
  events: `setweight(to_tsvector('simple', search_text(title)), 'A') || setweight(to_tsvector('simple', search_text(description)), 'B') || setweight(to_tsvector('simple', search_text(coalesce(location, ''))), 'C')`,
  polls: `setweight(to_tsvector('simple', search_text(question)), 'A')`,
};

export class Migration20261206140000 extends Migration {

  override async up(): Promise<void> {
    // Trusted since PostgreSQL 13 (the database owner may create it); PGlite loads it at creation.
    this.addSql(`create extension if not exists pg_trgm;`);
    // Text as the 'simple' configuration should read it: each run of CJK characters (written without
    // spaces between words) becomes its overlapping bigrams, in place ('你好世界' -> '你好 好世 世界'), so a
    // query of two characters is a lexeme and a longer one a phrase of bigrams. Text without CJK is returned as it is.
    this.addSql(`create function search_text(t text) returns text language sql immutable strict parallel safe as $$
      select case when t !~ '[${CJK}]' then t else (
        select string_agg(case when char_length(r.m[1]) > 1 and r.m[1] ~ '^[${CJK}]'
                 then (select string_agg(substr(r.m[1], i, 2), ' ' order by i) from generate_series(1, char_length(r.m[1]) - 1) as i)
                 else r.m[1] end, ' ' order by r.n)
          from regexp_matches(t, '[${CJK}]+|[^${CJK}]+', 'g') with ordinality as r(m, n))
      end $$;`);
    for (const [table, document] of Object.entries(DOCUMENTS)) {
      this.addSql(`alter table "${table}" add column "search_document" tsvector generated always as (${document}) stored;`);
      this.addSql(`create index "${table}_search_document_index" on "${table}" using gin ("search_document");`);
    }
    // Fuzzy matching (typos) of post titles and member handles.
    this.addSql(`create index "posts_title_trgm_index" on "posts" using gin ("title" gin_trgm_ops);`);
    this.addSql(`create index "users_handle_trgm_index" on "users" using gin ("handle" gin_trgm_ops);`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop index if exists "users_handle_trgm_index";`);
    this.addSql(`drop index if exists "posts_title_trgm_index";`);
    for (const table of Object.keys(DOCUMENTS)) this.addSql(`alter table "${table}" drop column if exists "search_document";`);
    this.addSql(`drop function if exists search_text(text);`);
  }

}
