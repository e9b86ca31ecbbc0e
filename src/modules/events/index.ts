import type { ModuleManifest } from '../../platform/module';
import { createChatLoaders } from './chat.loaders';
import { ChatResolver, chatMessageAddedShareKey, EventChatResolver } from './chat.resolver';
import { createContestLoaders } from './contests.loaders';
import { ContestEntryResolver, ContestResolver, EventContestResolver } from './contests.resolver';
import { createEventLoaders } from './events.loaders';
import { CommunityEventsResolver, EventOccurrenceResolver, EventsResolver, RsvpResolver } from './events.resolver';

type EventLoaders = ReturnType<typeof createEventLoaders> &
  ReturnType<typeof createChatLoaders> &
  ReturnType<typeof createContestLoaders>;
declare module '../../platform/loaders' {
  interface Loaders extends EventLoaders {}
}

/** Events and RSVPs, live streams with chat, and contests. */
export const events: ModuleManifest = {
  name: 'events',
  resolvers: [
    EventsResolver,
    EventOccurrenceResolver,
    RsvpResolver,
    CommunityEventsResolver,
    ChatResolver,
    EventChatResolver,
    EventContestResolver,
    ContestResolver,
    ContestEntryResolver,
  ],
  loaders: (em, viewer) => ({
    ...createEventLoaders(em, viewer),
    ...createChatLoaders(em),
    ...createContestLoaders(em, viewer),
  }),
  shareKeys: [chatMessageAddedShareKey],
};
