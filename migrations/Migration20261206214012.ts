import { Migration } from '@mikro-orm/migrations';

export class Migration20261206214012 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`alter table "feed_affinities" drop constraint if exists "feed_affinities_kind_check";`);

    this.addSql(`alter table "feed_affinities" add constraint "feed_affinities_kind_check" check("kind" in ('COMMUNITY', 'CHANNEL', 'TAG', 'AUTHOR'));`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "feed_affinities" drop constraint if exists "feed_affinities_kind_check";`);

    this.addSql(`alter table "feed_affinities" add constraint "feed_affinities_kind_check" check("kind" in ('COMMUNITY', 'TAG', 'AUTHOR'));`);
  }

}
