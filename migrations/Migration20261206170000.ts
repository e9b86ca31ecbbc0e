import { Migration } from '@mikro-orm/migrations';

export class Migration20261206170000 extends Migration {

  override async up(): Promise<void> {
    // Retention settings: one row, its defaults (chat kept, notifications by NOTIFICATION_RETENTION_DAYS, IPs 24 hours).
    this.addSql(`create table "retention_settings" ("id" int not null default 1, "chat_message_days" int null, "notification_days" int null, "ip_address_hours" int not null default 24, "updated_at" timestamptz null, constraint "retention_settings_pkey" primary key ("id"), constraint retention_settings_ranges_check check (((chat_message_days IS NULL) OR ((chat_message_days >= 1) AND (chat_message_days <= 36500))) AND ((notification_days IS NULL) OR ((notification_days >= 1) AND (notification_days <= 3650))) AND ((ip_address_hours >= 1) AND (ip_address_hours <= 8760))), constraint retention_settings_single_row_check check (id = 1));`);

    this.addSql(`insert into "retention_settings" ("id") values (1);`);

    this.addSql(`create table "data_exports" ("id" serial primary key, "user_id" int not null, "status" text check ("status" in ('PENDING', 'READY', 'FAILED')) not null default 'PENDING', "requested_at" timestamptz not null default now(), "completed_at" timestamptz null, "expires_at" timestamptz null, "byte_size" int null, "token_salt" bytea not null, "token_hash" varchar(64) not null, "archive" bytea null);`);
    this.addSql(`create unique index "data_exports_pending_unique" on "data_exports" ("user_id") where status = 'PENDING';`);
    this.addSql(`create index "data_exports_user_index" on "data_exports" ("user_id", "id");`);
    this.addSql(`alter table "data_exports" add constraint "data_exports_token_unique" unique ("token_hash");`);

    this.addSql(`alter table "data_exports" add constraint "data_exports_user_id_foreign" foreign key ("user_id") references "users" ("id") on update cascade on delete cascade;`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "retention_settings" cascade;`);

    this.addSql(`drop table if exists "data_exports" cascade;`);
  }

}
