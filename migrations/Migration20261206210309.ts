import { Migration } from '@mikro-orm/migrations';

export class Migration20261206210309 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create index "posts_community_created_index" on "posts" ("community_id", "created_at", "id");`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop index "posts_community_created_index";`);
  }

}
