import { Migration } from '@mikro-orm/migrations';

export class Migration20261206035418 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table "job_workers" ("worker_id" text not null, "heartbeat_at" timestamptz not null default now(), constraint "job_workers_pkey" primary key ("worker_id"));`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "job_workers" cascade;`);
  }

}
