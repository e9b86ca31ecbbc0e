import { Migration } from '@mikro-orm/migrations';

export class Migration20261206175510 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table "member_activity_weeks" ("community_id" int not null, "week" date not null, "user_id" int not null, constraint "member_activity_weeks_pkey" primary key ("community_id", "week", "user_id"));`);
    this.addSql(`create index "member_activity_weeks_week_index" on "member_activity_weeks" ("week");`);
    this.addSql(`create index "member_activity_weeks_user_index" on "member_activity_weeks" ("user_id");`);

    this.addSql(`alter table "member_activity_weeks" add constraint "member_activity_weeks_community_id_foreign" foreign key ("community_id") references "communities" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "member_activity_weeks" add constraint "member_activity_weeks_user_id_foreign" foreign key ("user_id") references "users" ("id") on update cascade on delete cascade;`);

    // The weeks of the days rolled up so far (the hourly job keeps them from now on).
    this.addSql(`insert into "member_activity_weeks" ("community_id", "week", "user_id") select distinct community_id, date_trunc('week', day)::date, user_id from member_activity_days;`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "member_activity_weeks" cascade;`);
  }

}
