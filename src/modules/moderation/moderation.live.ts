import type { Context } from '../../platform/context';
import { isHidden } from '../../platform/errors';
import { listenForRechecks, type Followed } from '../../platform/follow';
import { Channel } from '../../platform/pubsub/channel';
import { closable } from '../../platform/streams';
import { communityTopics } from '../communities/communities.events';
import { visibleCommunity } from '../communities/communities.service';
import type { ModerationItem } from './moderation.entity';
import { moderationTopics, type QueueChangedEvent } from './moderation.events';
import { assertReviewer } from './moderation.service';

/**
 * `moderationQueueChanged(communityId)`: each item of the community's review queue as it is
 * created, reported again or decided, on any instance (pub/sub). For reviewers only
 * (`moderation.review`): access is checked when subscribing, again before every item (with fresh
 * loaders), and at once when the viewer's memberships or role change; the stream ends when they
 * may no longer review. Runs per socket: a queue is read by a community's few moderators.
 */
export async function moderationQueueStream(
  ctx: Context,
  communityId: number,
): Promise<AsyncIterableIterator<ModerationItem>> {
  // Checked before listening (a refusal costs no subscription) and again once listening, so that a
  // role change between the two is not missed.
  await visibleCommunity(ctx.loaders, ctx.viewer, communityId);
  await assertReviewer(ctx.loaders, ctx.viewer, communityId);
  const channel = new Channel<Followed<number>>({
    topic: moderationTopics.queueChanged(communityId),
    maxBuffered: 1000,
    log: ctx.log,
    onReturn: () => undefined,
  });
  const events = ctx.pubsub.subscribe<QueueChangedEvent>(moderationTopics.queueChanged(communityId));
  const rechecks = listenForRechecks(
    ctx,
    ctx.viewer.userId !== null ? [communityTopics.membershipChanged(ctx.viewer.userId)] : [],
    channel,
  );
  let closed: Promise<unknown> | undefined;
  const close = () =>
    (closed ??= (async () => {
      channel.end();
      await events.return?.();
      await (await rechecks.catch(() => undefined))?.close();
    })());
  try {
    await events.ready;
    await rechecks;
    ctx.refresh();
    await assertReviewer(ctx.loaders, ctx.viewer, communityId);
  } catch (err) {
    await close();
    throw err;
  }
  void (async () => {
    for await (const event of events) channel.push({ value: event.itemId });
    channel.end();
  })();

  /** Whether the viewer still reviews the queue, read afresh. */
  async function stillReviewer(): Promise<boolean> {
    ctx.refresh();
    try {
      await visibleCommunity(ctx.loaders, ctx.viewer, communityId);
      await assertReviewer(ctx.loaders, ctx.viewer, communityId);
      return true;
    } catch (err) {
      if (isHidden(err)) return false;
      throw err;
    }
  }

  async function* stream(): AsyncGenerator<ModerationItem> {
    try {
      for await (const event of channel) {
        if (!(await stillReviewer())) return;
        if ('recheck' in event) continue;
        const item = await ctx.loaders.moderationItem.load(event.value);
        if (item) yield item;
      }
    } finally {
      await close();
    }
  }
  return closable(stream(), close);
}
