import { Migration } from '@mikro-orm/migrations';

export class Migration20261206031321 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create type "email_token_purpose" as enum ('VERIFY_EMAIL', 'RESET_PASSWORD');`);
    this.addSql(`create table "email_tokens" ("id" serial primary key, "user_id" int not null, "purpose" "email_token_purpose" not null, "email" varchar(254) not null, "seed" varchar(64) not null, "token_hash" varchar(64) not null, "created_at" timestamptz not null default now(), "expires_at" timestamptz not null, "used_at" timestamptz null);`);
    this.addSql(`create index "email_tokens_user_id_index" on "email_tokens" ("user_id");`);
    this.addSql(`alter table "email_tokens" add constraint "email_tokens_token_hash_unique" unique ("token_hash");`);

    this.addSql(`alter table "email_tokens" add constraint "email_tokens_user_id_foreign" foreign key ("user_id") references "users" ("id") on update cascade on delete cascade;`);

    this.addSql(`alter table "users" add column "email_verified_at" timestamptz null;`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "email_tokens" cascade;`);

    this.addSql(`alter table "users" drop column "email_verified_at";`);

    this.addSql(`drop type "email_token_purpose";`);
  }

}
