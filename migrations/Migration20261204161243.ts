import { Migration } from '@mikro-orm/migrations';

export class Migration20261204161243 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`alter table "bans" add column "banned_role" "member_role" null;`);

    // Bans placed before the role was recorded: the banned user's role is unknown, but it ranked below
    // the placer's. Assume the highest such role (one below the placer's role today), so that lifting
    // the ban takes at least the placer's rank; bans placed by non-members (platform admins) stay open
    // to any moderator, as before.
    this.addSql(`update "bans" b set "banned_role" = (case m."role"
        when 'OWNER' then 'ADMIN' when 'ADMIN' then 'MODERATOR' when 'MODERATOR' then 'MEMBER' end)::"member_role"
      from "members" m where m."community_id" = b."community_id" and m."user_id" = b."banned_by_id";`);

    // A live stream cancelled while live kept its chat open (issue 12): it ends when it was cancelled.
    this.addSql(`update "events" set "live_ended_at" = "cancelled_at"
      where "cancelled_at" is not null and "live_started_at" is not null and "live_ended_at" is null;`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "bans" drop column "banned_role";`);
  }

}
