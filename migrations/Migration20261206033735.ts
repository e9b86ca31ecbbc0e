import { Migration } from '@mikro-orm/migrations';

export class Migration20261206033735 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`alter table "users" add column "is_bot" boolean not null default false;`);

    this.addSql(`alter table "api_keys" add column "community_id" int null;`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "api_keys" drop column "community_id";`);

    this.addSql(`alter table "users" drop column "is_bot";`);
  }

}
