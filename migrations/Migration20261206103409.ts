import { Migration } from '@mikro-orm/migrations';

export class Migration20261206103409 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`alter table "posts" add column "top_level_comment_count" int not null default 0;`);
    // Counted once from the rows; from now on moved with each comment, as comment_count is (`comments { totalCount }`).
    this.addSql(`update "posts" p set "top_level_comment_count" = c.n
      from (select post_id, count(*)::int as n from comments where parent_id is null group by post_id) c
     where p.id = c.post_id;`);

    this.addSql(`create index "members_staff_index" on "members" ("community_id", "role") where role <> 'MEMBER';`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop index "members_staff_index";`);

    this.addSql(`alter table "posts" drop column "top_level_comment_count";`);
  }

}
