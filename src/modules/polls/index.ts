import type { ModuleManifest } from '../../platform/module';
import { startPollCloser } from './polls.closer';
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

/** Polls (single, multiple and ranked choice), ballots, and their close by time. */
export const polls: ModuleManifest = {
  name: 'polls',
  resolvers: [PollsResolver, PollOptionsResolver, CommunityPollsResolver, PostPollsResolver, EventPollsResolver],
  loaders: (em, viewer) => createPollLoaders(em, viewer),
  shareKeys: [pollUpdatedShareKey],
  async start({ orm, pubsub, log, config, responseCache }) {
    // Runs in every instance (and WEB_CONCURRENCY worker): it claims each close in SQL, so
    // any number of closers announce a close once (see polls.closer.ts).
    const closer = startPollCloser({
      orm,
      pubsub,
      log,
      sweepMs: config.POLL_CLOSE_SWEEP_SECONDS * 1000,
      onClosed: (communities) => responseCache.invalidate({ communities }),
    });
    return { stop: () => closer.stop() };
  },
};
