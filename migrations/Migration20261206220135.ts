import { Migration } from '@mikro-orm/migrations';

export class Migration20261206220135 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`alter table "quest_goals" add column "channel_id" int null;`);
    this.addSql(`alter table "quest_goals" add constraint "quest_goals_channel_id_foreign" foreign key ("channel_id") references "channels" ("id") on update cascade on delete set null;`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "quest_goals" drop constraint "quest_goals_channel_id_foreign";`);

    this.addSql(`alter table "quest_goals" drop column "channel_id";`);
  }

}
