import type { ModuleManifest } from '../../platform/module';
import { announceClosedPolls } from './polls.closer';
import { createPollLoaders } from './polls.loaders';
import {
  CommunityPollsResolver,
  EventPollsResolver,
  PollOptionsResolver,
  PollsResolver,
  PostPollsResolver,
  pollUpdatedShareKey,
} from './polls.resolver';

type PollLoaders = ReturnType<typeof createPollLoaders>;
declare module '../../platform/loaders' {
  interface Loaders extends PollLoaders {}
}
declare module '../../platform/jobs/jobs' {
  interface JobPayloads {
    /** Announces the close of a poll whose `closesAt` passed (without `pollId`: of every such poll). See `announceClosedPolls`. */
    'polls.close': { pollId?: number };
  }
}

/** Polls (single, multiple and ranked choice), ballots, and their close by time. */
export const polls: ModuleManifest = {
  name: 'polls',
  resolvers: [PollsResolver, PollOptionsResolver, CommunityPollsResolver, PostPollsResolver, EventPollsResolver],
  loaders: (em, viewer) => createPollLoaders(em, viewer),
  shareKeys: [pollUpdatedShareKey],
  tasks: {
    'polls.close': async (payload, ctx) => void (await announceClosedPolls(ctx, payload.pollId)),
  },
  // A safety net for closes whose job went missing (a database upgraded from before the job engine):
  // hourly, a sweep of every poll whose close went unannounced.
  schedules: [{ task: 'polls.close', cron: '30 * * * *' }],
};
