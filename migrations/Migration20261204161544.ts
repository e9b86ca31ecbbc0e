import { randomBytes } from 'node:crypto';
import { Migration } from '@mikro-orm/migrations';

export class Migration20261204161544 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table "settings" ("id" int not null default 1, "global_id_key" bytea not null, constraint "settings_pkey" primary key ("id"), constraint settings_single_row_check check (id = 1));`);
    // The key of global IDs (src/platform/ids.ts): random per database, drawn here once, so every
    // instance reads the same key and IDs survive restarts and TOKEN_SECRET rotations. Never change it:
    // every ID a client holds would stop resolving.
    this.addSql(`insert into "settings" ("id", "global_id_key") values (1, decode('${randomBytes(16).toString('hex')}', 'hex'));`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "settings" cascade;`);
  }

}
