import { Migration } from '@mikro-orm/migrations';

export class Migration20261123175522 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create index "members_community_id_id_index" on "members" ("community_id", "id");`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop index "members_community_id_id_index";`);
  }

}
