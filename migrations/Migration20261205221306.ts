import { Migration } from '@mikro-orm/migrations';

export class Migration20261205221306 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table "user_blocks" ("id" serial primary key, "blocker_id" int not null, "blocked_id" int not null, "created_at" timestamptz not null default now(), constraint user_blocks_not_self_check check (blocker_id <> blocked_id));`);
    this.addSql(`create index "user_blocks_blocked_index" on "user_blocks" ("blocked_id", "blocker_id");`);
    this.addSql(`alter table "user_blocks" add constraint "user_blocks_pair_unique" unique ("blocker_id", "blocked_id");`);

    this.addSql(`alter table "user_blocks" add constraint "user_blocks_blocker_id_foreign" foreign key ("blocker_id") references "users" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "user_blocks" add constraint "user_blocks_blocked_id_foreign" foreign key ("blocked_id") references "users" ("id") on update cascade on delete cascade;`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "user_blocks" cascade;`);
  }

}
