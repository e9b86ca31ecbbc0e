import { Migration } from '@mikro-orm/migrations';

export class Migration20261123172920 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`alter table "votes" drop constraint votes_value_check;`);

    this.addSql(`alter table "votes" add constraint votes_value_check check(abs(value) = 1);`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "votes" drop constraint votes_value_check;`);

    this.addSql(`alter table "votes" add constraint votes_value_check check(value in (-1, 1));`);
  }

}
