import { Arg, Ctx, ID, Query, Resolver } from 'type-graphql';
import type { Context } from '../../platform/context';
import { nullIfHidden } from '../../platform/errors';
import { parseGlobalId } from '../../platform/ids';
import { Node } from '../../platform/node';
import { actorIn, canReadContent, canSeeCommunity } from '../communities/communities.service';
import { can } from '../communities/permissions';
import { ApiKey } from '../identity/identity.entity';
import { InviteLink } from '../communities/invite-links.entity';
import { readableComment } from '../posts/comments.service';
import { readablePost } from '../posts/posts.service';
import { readableChannel } from '../channels/channels.service';
import { Rsvp } from '../events/events.entity';
import { readableChatMessage } from '../events/chat.service';
import { readableEvent } from '../events/events.service';
import { readableEntry } from '../events/contests.service';
import { readablePoll } from '../polls/polls.service';
import { Appeal, ModerationLogEntry, Report } from '../moderation/moderation.entity';
import { canReadDecision, isReviewer } from '../moderation/moderation.service';
import { ownNotification } from '../notifications/notifications.service';
import { managedWebhookNode } from '../webhooks/webhooks.service';
import { ownDataExport } from '../privacy/exports';
import { readableQuest } from '../quests/quests.service';

/**
 * `node(id)`: any object by global ID, under the same visibility rules as every other path.
 * Whatever the viewer may not see is reported exactly like what does not exist: null.
 */
@Resolver()
export class NodeResolver {
  @Query(() => Node, {
    nullable: true,
    description: 'Fetches any object by its global ID; null when it does not exist or you may not see it.',
  })
  async node(
    @Arg('id', () => ID, { description: "A global ID, as any object's `id` gives it." }) id: string,
    @Ctx() ctx: Context,
  ): Promise<Node | null> {
    const ref = parseGlobalId(id);
    if (!ref) return null;
    const { loaders, viewer } = ctx;
    const communityVisible = async (communityId: number, content: boolean) => {
      const community = await loaders.community.load(communityId);
      return (
        !!community &&
        (content ? canReadContent(loaders, viewer, community) : canSeeCommunity(loaders, viewer, community))
      );
    };
    switch (ref.type) {
      case 'User':
        return loaders.user.load(ref.id);
      case 'Community': {
        const community = await loaders.community.load(ref.id);
        return community && (await canSeeCommunity(loaders, viewer, community)) ? community : null;
      }
      case 'Member': {
        const member = await loaders.member.load(ref.id);
        return member && (await communityVisible(member.community.id, true)) ? member : null;
      }
      case 'JoinRequest': {
        // Its requester sees it while they see its community: not once that community is PRIVATE.
        const request = await loaders.joinRequest.load(ref.id);
        if (!request || !(await communityVisible(request.community.id, false))) return null;
        if (request.user.id === viewer.userId) return request;
        return can(await actorIn(loaders, viewer, request.community.id), 'joinRequests.review') ? request : null;
      }
      case 'Invite': {
        const invite = await loaders.invite.load(ref.id);
        if (!invite) return null;
        // The invitee's path checks nothing in its community, whose writes (a join, a ban) remove it.
        loaders.cacheScope.community(invite.community.id);
        if (invite.user.id === viewer.userId) return invite;
        return can(await actorIn(loaders, viewer, invite.community.id), 'members.invite') ? invite : null;
      }
      case 'Channel':
        return nullIfHidden(readableChannel(loaders, viewer, ref.id).then((r) => r.channel));
      case 'Post':
        return nullIfHidden(readablePost(loaders, viewer, ref.id).then((r) => r.post));
      case 'Comment':
        return nullIfHidden(readableComment(loaders, viewer, ref.id).then((r) => r.comment));
      case 'Event':
        return nullIfHidden(readableEvent(loaders, viewer, ref.id).then((r) => r.event));
      case 'Rsvp': {
        const rsvp = await ctx.em.findOne(Rsvp, ref.id);
        return rsvp && (await nullIfHidden(readableEvent(loaders, viewer, rsvp.event.id))) ? rsvp : null;
      }
      case 'ChatMessage':
        return nullIfHidden(readableChatMessage(loaders, viewer, ref.id).then((r) => r.message));
      case 'ContestEntry':
        return nullIfHidden(readableEntry(loaders, viewer, ref.id).then((r) => r.entry));
      case 'Poll':
        return nullIfHidden(readablePoll(loaders, viewer, ref.id).then((r) => r.poll));
      case 'PollOption': {
        const option = await loaders.pollOption.load(ref.id);
        return option && (await nullIfHidden(readablePoll(loaders, viewer, option.poll.id))) ? option : null;
      }
      case 'InviteLink': {
        const link = await ctx.em.findOne(InviteLink, ref.id);
        if (!link || !(await communityVisible(link.community.id, false))) return null;
        return can(await actorIn(loaders, viewer, link.community.id), 'members.invite') ? link : null;
      }
      case 'CommunityRule': {
        const rule = await loaders.communityRule.load(ref.id);
        return rule && !rule.archivedAt && (await communityVisible(rule.community.id, false)) ? rule : null;
      }
      case 'ModerationItem': {
        const item = await loaders.moderationItem.load(ref.id);
        if (!item || !(await communityVisible(item.community.id, false))) return null;
        return (await isReviewer(loaders, viewer, item.community.id)) ? item : null;
      }
      case 'Report': {
        const report = await ctx.em.findOne(Report, ref.id);
        if (!report || !(await communityVisible(report.community.id, false))) return null;
        if (report.reporter.id === viewer.userId) return report;
        return (await isReviewer(loaders, viewer, report.community.id)) ? report : null;
      }
      case 'ModerationDecision': {
        const decision = await loaders.moderationDecision.load(ref.id);
        if (!decision || !(await communityVisible(decision.community.id, false))) return null;
        return (await canReadDecision(ctx, decision)) ? decision : null;
      }
      case 'Appeal': {
        const appeal = await ctx.em.findOne(Appeal, ref.id);
        if (!appeal || !(await communityVisible(appeal.community.id, false))) return null;
        if (appeal.appellant.id === viewer.userId) return appeal;
        return (await isReviewer(loaders, viewer, appeal.community.id)) ? appeal : null;
      }
      case 'ModerationLogEntry': {
        const entry = await ctx.em.findOne(ModerationLogEntry, ref.id);
        if (!entry || !(await communityVisible(entry.communityId, false))) return null;
        return (await isReviewer(loaders, viewer, entry.communityId)) ? entry : null;
      }
      case 'Notification':
        return ownNotification(ctx, ref.id);
      case 'WebhookEndpoint':
      case 'WebhookDelivery':
      case 'WebhookEvent':
        return managedWebhookNode(ctx, ref.type, ref.id);
      case 'Quest':
        return readableQuest(loaders, viewer, ref.id);
      case 'DataExport':
        return ownDataExport(ctx, ref.id);
      case 'ApiKey': {
        if (viewer.userId === null) return null;
        return ctx.em.findOne(ApiKey, { id: ref.id, user: viewer.userId });
      }
      default:
        return null;
    }
  }
}
