import { Migration } from '@mikro-orm/migrations';

export class Migration20261204162617 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table "invite_links" ("id" serial primary key, "community_id" int not null, "created_by_id" int not null, "token_hash" varchar(64) not null, "created_at" timestamptz not null default now(), "expires_at" timestamptz not null, "max_uses" int null, "uses" int not null default 0, "revoked_at" timestamptz null, constraint invite_links_uses_check check (uses >= 0 and (max_uses is null or uses <= max_uses)));`);
    this.addSql(`alter table "invite_links" add constraint "invite_links_token_hash_unique" unique ("token_hash");`);
    this.addSql(`create index "invite_links_community_id_id_index" on "invite_links" ("community_id", "id");`);

    this.addSql(`alter table "invite_links" add constraint "invite_links_community_id_foreign" foreign key ("community_id") references "communities" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "invite_links" add constraint "invite_links_created_by_id_foreign" foreign key ("created_by_id") references "users" ("id") on update cascade on delete cascade;`);

    // PostgreSQL 12 and later run `alter type … add value` inside a transaction block (these
    // migrations run in one), but a value added there cannot be used before that transaction commits:
    // nothing in this migration writes 'RESTRICTED', and no later migration may in the same run.
    this.addSql(`alter type "visibility" add value if not exists 'RESTRICTED' after 'PUBLIC';`);

    // Data: the communities that were PRIVATE stay PRIVATE (no row changes). They were invisible to
    // non-members (absent from `communities`, `community(slug)` null, NOT_FOUND on every content path),
    // and the one leak (`joinCommunity`) is closed by the new PRIVATE; turning them RESTRICTED would
    // publish their name, description and member count to everyone, which their owners never chose.
    // What they lose is joining by request: their admins may switch them to RESTRICTED, or invite.
    // Their pending join requests are kept for the admins to approve or reject (approving is the
    // admins' own act, like an invite; the requesters already knew the community), but nobody can
    // file a new one, and a requester no longer sees their request through `node` while the community
    // is PRIVATE.
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "invite_links" cascade;`);
    // PostgreSQL cannot drop an enum value: the value stays, and RESTRICTED communities become
    // PRIVATE (hidden, never exposed), which is what the code before this migration understands.
    this.addSql(`update "communities" set "visibility" = 'PRIVATE' where "visibility" = 'RESTRICTED';`);
  }

}
