import { Migration } from '@mikro-orm/migrations';

export class Migration20261206064000 extends Migration {

  override async up(): Promise<void> {
    // A poll's close by time is a job (polls.close) scheduled at its closes_at in the transaction
    // that creates the poll, one per poll (job_key), and removed when the poll is closed by hand first.
    this.addSql(`create function polls_close_schedule() returns trigger language plpgsql as $$
      begin
        if tg_op = 'INSERT' and new.closes_at is not null and new.closed_at is null and new.close_announced_at is null then
          perform graphile_worker.add_job('polls.close', json_build_object('pollId', new.id), run_at => new.closes_at,
                                          job_key => 'poll-close:' || new.id, job_key_mode => 'replace', max_attempts => 10);
        elsif tg_op = 'UPDATE' and old.closed_at is null and new.closed_at is not null and new.closes_at is not null then
          perform graphile_worker.remove_job('poll-close:' || new.id);
        end if;
        return null;
      end $$;`);
    this.addSql(`create trigger polls_close_schedule after insert or update of closed_at on "polls" for each row execute function polls_close_schedule();`);
    // Polls waiting for their close when this migration runs (the in-process closer announced them
    // before). A database from before the job engine has no graphile_worker schema yet: the hourly
    // polls.close sweep announces those.
    this.addSql(`do $$ begin
      if to_regnamespace('graphile_worker') is not null then
        perform graphile_worker.add_job('polls.close', json_build_object('pollId', id), run_at => closes_at,
                                        job_key => 'poll-close:' || id, job_key_mode => 'replace', max_attempts => 10)
           from polls where closes_at is not null and closed_at is null and close_announced_at is null;
      end if;
    end $$;`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop trigger if exists polls_close_schedule on "polls";`);
    this.addSql(`drop function if exists polls_close_schedule();`);
  }

}
