/**
 * The search documents that PostgreSQL keeps in a STORED generated column `search_document` of
 * each searchable table (README, Search), in the write's own statement: title-like text weight A,
 * bodies weight B, an event's location C, through `search_text` (CJK runs as bigrams: see
 * migrations/Migration20261206140000.ts). Each expression is written as PostgreSQL prints it back
 * (`information_schema.columns.generation_expression`), so MikroORM's schema diff stays quiet;
 * the entities declare the columns `lazy` (never read by the ORM's own queries).
 */
export const SEARCH_DOCUMENTS = {
  posts: `(setweight(to_tsvector('simple'::regconfig, search_text((title)::text)), 'A'::"char") || setweight(to_tsvector('simple'::regconfig, search_text(body)), 'B'::"char")) stored`,
  comments: `setweight(to_tsvector('simple'::regconfig, search_text(body)), 'B'::"char") stored`,
  events: `((setweight(to_tsvector('simple'::regconfig, search_text((title)::text)), 'A'::"char") || setweight(to_tsvector('simple'::regconfig, search_text(description)), 'B'::"char")) || setweight(to_tsvector('simple'::regconfig, search_text((COALESCE(location, ''::character varying))::text)), 'C'::"char")) stored`,
  polls: `setweight(to_tsvector('simple'::regconfig, search_text((question)::text)), 'A'::"char") stored`,
} as const;

/** The GIN index of a table's search document, as its entity declares it. */
export const searchDocumentIndex = (table: keyof typeof SEARCH_DOCUMENTS) => ({
  name: `${table}_search_document_index`,
  expression: `create index "${table}_search_document_index" on "${table}" using gin ("search_document")`,
});
