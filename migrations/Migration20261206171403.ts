import { Migration } from '@mikro-orm/migrations';

export class Migration20261206171403 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`alter table "users" add column "deletion_scheduled_at" timestamptz null, add column "deletion_removes_content" boolean not null default false, add column "deleted_at" timestamptz null;`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "users" drop column "deletion_scheduled_at", drop column "deletion_removes_content", drop column "deleted_at";`);
  }

}
