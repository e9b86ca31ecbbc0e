/* eslint-disable */
import * as types from './graphql';
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';

/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
    "\n  query CommunityBySlug($slug: String!) {\n    community(slug: $slug) { id name visibility memberCount viewerMember { role } }\n  }\n": typeof types.CommunityBySlugDocument,
    "\n  query CommunityMembers($slug: String!, $first: Int, $after: String, $role: Role) {\n    community(slug: $slug) {\n      members(first: $first, after: $after, role: $role) {\n        edges { cursor node { id role user { handle } } }\n        pageInfo { hasNextPage hasPreviousPage endCursor }\n      }\n    }\n  }\n": typeof types.CommunityMembersDocument,
    "\n  query NodeById($id: ID!) { node(id: $id) { id __typename } }\n": typeof types.NodeByIdDocument,
    "\n  query SearchCommunities($search: String, $first: Int, $after: String) {\n    communities(search: $search, first: $first, after: $after) {\n      edges { node { slug } }\n      pageInfo { hasNextPage endCursor }\n    }\n  }\n": typeof types.SearchCommunitiesDocument,
    "\n  mutation SetRole($input: SetMemberRoleInput!) { setMemberRole(input: $input) { role } }\n": typeof types.SetRoleDocument,
    "\n  mutation Ban($input: BanMemberInput!) { banMember(input: $input) { reason until user { handle } } }\n": typeof types.BanDocument,
    "\n  mutation Unban($input: MemberRefInput!) { unbanMember(input: $input) }\n": typeof types.UnbanDocument,
    "\n  mutation Invite($input: MemberRefInput!) { inviteMember(input: $input) { id user { handle } invitedBy { handle } } }\n": typeof types.InviteDocument,
    "\n  mutation Leave($id: ID!) { leaveCommunity(communityId: $id) }\n": typeof types.LeaveDocument,
    "\n  mutation UpdateCommunity($input: UpdateCommunityInput!) { updateCommunity(input: $input) { name description visibility } }\n": typeof types.UpdateCommunityDocument,
    "\n  query JoinRequests($slug: String!) {\n    community(slug: $slug) { joinRequests(first: 10) { edges { node { id status user { handle } } } } }\n  }\n": typeof types.JoinRequestsDocument,
    "\n  mutation Approve($id: ID!) { approveJoinRequest(id: $id) { role user { handle } } }\n": typeof types.ApproveDocument,
    "\n  mutation Reject($id: ID!) { rejectJoinRequest(id: $id) { status } }\n": typeof types.RejectDocument,
    "\n  query CommunitiesPage($search: String, $first: Int!) {\n    communities(search: $search, first: $first) {\n      edges { node { name members(first: 5) { edges { node { role user { handle } } } } } }\n    }\n  }\n": typeof types.CommunitiesPageDocument,
    "mutation ChatStartLive($id: ID!) { startLiveStream(eventId: $id) { id live liveStartedAt } }": typeof types.ChatStartLiveDocument,
    "mutation ChatEndLive($id: ID!) { endLiveStream(eventId: $id) { id live liveEndedAt } }": typeof types.ChatEndLiveDocument,
    "mutation ChatSlowMode($id: ID!, $seconds: Int!) { setSlowMode(eventId: $id, seconds: $seconds) { slowModeSeconds } }": typeof types.ChatSlowModeDocument,
    "\n  mutation ChatSend($input: SendChatMessageInput!) { sendChatMessage(input: $input) { id body isQuestion cursor author { handle } } }\n": typeof types.ChatSendDocument,
    "mutation ChatRemove($id: ID!) { deleteChatMessage(id: $id) }": typeof types.ChatRemoveDocument,
    "mutation ChatMute($input: MuteChatMemberInput!) { muteChatMember(input: $input) }": typeof types.ChatMuteDocument,
    "mutation ChatUnmute($eventId: ID!, $userId: ID!) { unmuteChatMember(eventId: $eventId, userId: $userId) }": typeof types.ChatUnmuteDocument,
    "mutation ChatUpvote($id: ID!) { upvoteQuestion(id: $id) { id upvotes } }": typeof types.ChatUpvoteDocument,
    "mutation ChatAnswer($id: ID!) { markQuestionAnswered(id: $id) { id answeredAt } }": typeof types.ChatAnswerDocument,
    "mutation ChatBan($input: BanMemberInput!) { banMember(input: $input) { reason } }": typeof types.ChatBanDocument,
    "\n  query ChatHistory($id: ID!, $last: Int, $before: String) {\n    event(id: $id) {\n      chatMessages(last: $last, before: $before) {\n        edges { cursor node { body } }\n        pageInfo { hasPreviousPage startCursor endCursor }\n      }\n    }\n  }\n": typeof types.ChatHistoryDocument,
    "\n  query ChatQuestions($id: ID!, $answered: Boolean) {\n    event(id: $id) { questions(answered: $answered) { edges { node { body upvotes answeredAt } } } }\n  }\n": typeof types.ChatQuestionsDocument,
    "\n  mutation ContestSubmitEntry($input: SubmitContestEntryInput!) {\n    submitContestEntry(input: $input) { id votes rank submittedAt author { handle } post { id title } event { id } }\n  }\n": typeof types.ContestSubmitEntryDocument,
    "\n  mutation ContestWithdrawEntry($entryId: ID!) { withdrawContestEntry(entryId: $entryId) }\n": typeof types.ContestWithdrawEntryDocument,
    "\n  mutation ContestVoteEntry($entryId: ID!) { voteContestEntry(entryId: $entryId) { id votes } }\n": typeof types.ContestVoteEntryDocument,
    "\n  mutation ContestWithdrawVote($eventId: ID!) { withdrawContestVote(eventId: $eventId) }\n": typeof types.ContestWithdrawVoteDocument,
    "\n  mutation ContestMove($input: UpdateEventInput!) { updateEvent(input: $input) { id startsAt endsAt } }\n": typeof types.ContestMoveDocument,
    "\n  query ContestStanding($id: ID!, $first: Int, $after: String) {\n    event(id: $id) {\n      id kind\n      contest {\n        phase entryCount\n        viewerEntry { id }\n        viewerVote { id }\n        entries(first: $first, after: $after) {\n          edges { node { id votes rank author { handle } post { title } } }\n          pageInfo { hasNextPage endCursor }\n        }\n      }\n    }\n  }\n": typeof types.ContestStandingDocument,
    "\n  query ContestResultsPage($id: ID!, $first: Int!) {\n    event(id: $id) {\n      contest {\n        phase entryCount\n        viewerEntry { id }\n        viewerVote { id }\n        entries(first: $first) { edges { node { id votes rank submittedAt post { title } author { handle } } } }\n      }\n    }\n  }\n": typeof types.ContestResultsPageDocument,
    "\n  query ContestEntryNode($id: ID!) { node(id: $id) { id ... on ContestEntry { votes author { handle } } } }\n": typeof types.ContestEntryNodeDocument,
    "\n  mutation ContestCancel($id: ID!) { cancelEvent(id: $id) { id cancelledAt } }\n": typeof types.ContestCancelDocument,
    "\n  query EventsCommunityEvents($slug: String!, $upcoming: Boolean!, $first: Int, $after: String) {\n    community(slug: $slug) {\n      events(upcoming: $upcoming, first: $first, after: $after) {\n        edges { node { id title cancelledAt } }\n        pageInfo { hasNextPage endCursor }\n      }\n    }\n  }\n": typeof types.EventsCommunityEventsDocument,
    "\n  query EventsCalendar($slug: String!, $from: DateTimeISO!, $to: DateTimeISO!, $first: Int, $after: String) {\n    community(slug: $slug) {\n      calendar(from: $from, to: $to, first: $first, after: $after) {\n        edges { node { startsAt endsAt event { title } } }\n        pageInfo { hasNextPage endCursor }\n      }\n    }\n  }\n": typeof types.EventsCalendarDocument,
    "\n  query EventsOccurrences($id: ID!) {\n    event(id: $id) { occurrences(first: 5) { edges { node { startsAt endsAt goingCount viewerRsvp { status } } } } }\n  }\n": typeof types.EventsOccurrencesDocument,
    "\n  mutation EventsUpdateEvent($input: UpdateEventInput!) { updateEvent(input: $input) { id title startsAt endsAt capacity } }\n": typeof types.EventsUpdateEventDocument,
    "\n  mutation EventsCancelEvent($id: ID!) { cancelEvent(id: $id) { id cancelledAt } }\n": typeof types.EventsCancelEventDocument,
    "\n  mutation EventsCheckIn($input: CheckInInput!) { checkIn(input: $input) { id checkedInAt user { handle } } }\n": typeof types.EventsCheckInDocument,
    "\n  query EventsEventById($id: ID!) { event(id: $id) { id title } node(id: $id) { id } }\n": typeof types.EventsEventByIdDocument,
    "\n  mutation EventsCreateEvent($input: CreateEventInput!) {\n    createEvent(input: $input) {\n      id kind title startsAt endsAt timeZone capacity recurrence location onlineUrl cancelledAt\n      organizer { handle }\n    }\n  }\n": typeof types.EventsCreateEventDocument,
    "\n  mutation EventsRsvp($input: RsvpInput!) {\n    rsvp(input: $input) { id status waitlisted waitlistPosition occurrenceStartsAt checkedInAt user { id handle } }\n  }\n": typeof types.EventsRsvpDocument,
    "\n  query EventsEventSeats($id: ID!, $at: DateTimeISO) {\n    event(id: $id) {\n      id\n      goingCount(occurrenceStartsAt: $at)\n      waitlistCount(occurrenceStartsAt: $at)\n      attendees(occurrenceStartsAt: $at, first: 100) { edges { node { user { id handle } checkedInAt } } }\n      waitlist(occurrenceStartsAt: $at, first: 100) { edges { node { user { id handle } waitlistPosition } } }\n    }\n  }\n": typeof types.EventsEventSeatsDocument,
    "\n  query EventsListingPage($slug: String!, $first: Int!) {\n    community(slug: $slug) {\n      events(first: $first) {\n        edges {\n          node {\n            id title startsAt capacity\n            organizer { handle }\n            community { slug }\n            goingCount waitlistCount\n            viewerRsvp { status waitlistPosition }\n            attendees(first: 3) { edges { node { checkedInAt user { handle } } } }\n            chatMessages(last: 3) { edges { node { body author { handle } } } pageInfo { endCursor } }\n            questions(first: 2) { edges { node { body upvotes } } }\n          }\n        }\n      }\n    }\n  }\n": typeof types.EventsListingPageDocument,
    "\n  query CachedPost($id: ID!) {\n    node(id: $id) { ... on Post { id title score viewerVote commentCount } }\n  }\n": typeof types.CachedPostDocument,
    "\n  query CachedPosts($slug: String!) {\n    community(slug: $slug) {\n      posts(first: 10, orderBy: NEW) {\n        edges { node { id title score viewerVote author { handle } comments(first: 3) { edges { node { body } } } } }\n      }\n    }\n  }\n": typeof types.CachedPostsDocument,
    "\n  mutation CachedVote($input: VoteInput!) { vote(input: $input) { ... on Post { id score } } }\n": typeof types.CachedVoteDocument,
    "\n  mutation CachedSignIn($input: SignInInput!) { signIn(input: $input) { token } }\n": typeof types.CachedSignInDocument,
    "\n  mutation CachedLeave($id: ID!) { leaveCommunity(communityId: $id) }\n": typeof types.CachedLeaveDocument,
    "\n  query TimestampsListings($slug: String!, $postId: ID!) {\n    community(slug: $slug) {\n      createdAt\n      posts(first: 5, orderBy: NEW) { edges { node { createdAt editedAt deletedAt author { createdAt } } } }\n    }\n    post(id: $postId) { createdAt comments(first: 5) { edges { node { createdAt editedAt author { createdAt } } } } }\n    feed(first: 5, orderBy: NEW) { edges { node { createdAt } } }\n  }\n": typeof types.TimestampsListingsDocument,
    "mutation TimestampsStartLive($id: ID!) { startLiveStream(eventId: $id) { liveStartedAt } }": typeof types.TimestampsStartLiveDocument,
    "\n  mutation TimestampsSend($input: SendChatMessageInput!) { sendChatMessage(input: $input) { createdAt } }\n": typeof types.TimestampsSendDocument,
    "mutation TimestampsAnswer($id: ID!) { markQuestionAnswered(id: $id) { answeredAt } }": typeof types.TimestampsAnswerDocument,
    "\n  query TimestampsChat($id: ID!) {\n    event(id: $id) {\n      chatMessages(last: 5) { edges { node { createdAt answeredAt author { createdAt } } } pageInfo { startCursor } }\n      questions { edges { node { createdAt answeredAt } } }\n    }\n  }\n": typeof types.TimestampsChatDocument,
    "\n    query TimestampsQuestionId($id: ID!) { event(id: $id) { questions { edges { node { id } } } } }\n  ": typeof types.TimestampsQuestionIdDocument,
    "\n  mutation PollsCreatePoll($input: CreatePollInput!) {\n    createPoll(input: $input) {\n      id question kind allowMultiple maxChoices anonymous hideResultsUntilClosed closesAt closed resultsVisible totalVoters\n      options { id text position votes }\n      createdBy { handle }\n    }\n  }\n": typeof types.PollsCreatePollDocument,
    "\n  mutation PollsCastVote($input: CastVoteInput!) {\n    castVote(input: $input) { id totalVoters options { id votes } viewerVote { id } }\n  }\n": typeof types.PollsCastVoteDocument,
    "\n  mutation PollsClosePoll($id: ID!) { closePoll(id: $id) { id closed closedAt totalVoters options { votes } } }\n": typeof types.PollsClosePollDocument,
    "\n  query PollsPoll($id: ID!) {\n    poll(id: $id) {\n      id question kind closed resultsVisible totalVoters viewerCanClose\n      options { id text votes voters(first: 50) { edges { node { handle } } } }\n      viewerVote { id text }\n      winner { text }\n      rounds { number exhausted tallies { option { text } votes } eliminated { text } }\n    }\n  }\n": typeof types.PollsPollDocument,
    "\n  query PollsNodeOption($id: ID!) {\n    node(id: $id) { id ... on PollOption { text votes voters(first: 10) { edges { node { handle } } } poll { anonymous } } }\n  }\n": typeof types.PollsNodeOptionDocument,
    "query PollsNodePoll($id: ID!) { node(id: $id) { id ... on Poll { question } } }": typeof types.PollsNodePollDocument,
    "\n  query PollsCommunityPolls($slug: String!, $first: Int, $after: String, $open: Boolean) {\n    community(slug: $slug) {\n      polls(first: $first, after: $after, open: $open) { edges { node { question closed } } pageInfo { hasNextPage endCursor } }\n    }\n  }\n": typeof types.PollsCommunityPollsDocument,
    "query PollsAttached($id: ID!) { poll(id: $id) { post { id } event { id } } }": typeof types.PollsAttachedDocument,
    "query PollsOfPost($id: ID!) { post(id: $id) { polls(first: 5) { edges { node { id } } } } }": typeof types.PollsOfPostDocument,
    "query PollsOfEvent($id: ID!) { event(id: $id) { polls(first: 5) { edges { node { id } } } } }": typeof types.PollsOfEventDocument,
    "\n  query PollsSqlCountPage($slug: String!, $first: Int!) {\n    community(slug: $slug) {\n      polls(first: $first) {\n        edges { node { question kind closed totalVoters createdBy { handle } options { text votes } viewerVote { text } } }\n      }\n    }\n  }\n": typeof types.PollsSqlCountPageDocument,
    "\n  subscription CommentAddedStream($postId: ID!, $after: String) {\n    commentAdded(postId: $postId, after: $after) { id body cursor author { handle } }\n  }\n": typeof types.CommentAddedStreamDocument,
    "\n  mutation CommentAddedCreatePost($input: CreatePostInput!) { createPost(input: $input) { id } }\n": typeof types.CommentAddedCreatePostDocument,
    "\n  mutation CommentAddedAddComment($input: AddCommentInput!) { addComment(input: $input) { id body cursor author { handle } } }\n": typeof types.CommentAddedAddCommentDocument,
    "\n  mutation CommentAddedDeleteComment($id: ID!) { deleteComment(id: $id) { id deletedAt } }\n": typeof types.CommentAddedDeleteCommentDocument,
    "\n  mutation CommentAddedInvite($input: MemberRefInput!) { inviteMember(input: $input) { id } }\n": typeof types.CommentAddedInviteDocument,
    "\n  mutation CommentAddedLeave($id: ID!) { leaveCommunity(communityId: $id) }\n": typeof types.CommentAddedLeaveDocument,
    "\n  mutation CommentAddedBan($input: BanMemberInput!) { banMember(input: $input) { reason } }\n": typeof types.CommentAddedBanDocument,
    "\n  query PostsThread($id: ID!, $first: Int, $after: String) {\n    post(id: $id) {\n      commentCount\n      comments(first: $first, after: $after) {\n        edges {\n          cursor\n          node {\n            id body depth replyCount featured deletedAt author { handle } parent { id }\n            replies(first: 10) {\n              edges { node { id body depth parent { id } replies(first: 10) { edges { node { id body depth } } } } }\n              pageInfo { hasNextPage }\n            }\n          }\n        }\n        pageInfo { hasNextPage hasPreviousPage endCursor }\n      }\n    }\n  }\n": typeof types.PostsThreadDocument,
    "\n  query PostsReplies($id: ID!, $first: Int, $after: String) {\n    node(id: $id) {\n      ... on Comment {\n        replyCount\n        replies(first: $first, after: $after) { edges { node { body } } pageInfo { hasNextPage hasPreviousPage endCursor } }\n      }\n    }\n  }\n": typeof types.PostsRepliesDocument,
    "\n  mutation PostsUpdateComment($input: UpdateCommentInput!) { updateComment(input: $input) { id body bodyHtml editedAt } }\n": typeof types.PostsUpdateCommentDocument,
    "\n  mutation PostsDeleteComment($id: ID!) { deleteComment(id: $id) { id body bodyHtml deletedAt author { handle } } }\n": typeof types.PostsDeleteCommentDocument,
    "\n  mutation PostsFeatureComment($id: ID!, $featured: Boolean!) { featureComment(id: $id, featured: $featured) { id featured } }\n": typeof types.PostsFeatureCommentDocument,
    "\n  query PostsCommentNode($id: ID!) { node(id: $id) { __typename ... on Comment { body } } }\n": typeof types.PostsCommentNodeDocument,
    "\n  query PostsCommunityFeedPage($slug: String!, $first: Int!) {\n    community(slug: $slug) {\n      posts(first: $first, orderBy: HOT) {\n        edges {\n          node {\n            id title score viewerVote commentCount tags\n            author { handle }\n            community { slug }\n            comments(first: 3) { edges { node { body author { handle } } } }\n          }\n        }\n      }\n    }\n  }\n": typeof types.PostsCommunityFeedPageDocument,
    "\n  query PostsViewerFeedPage($first: Int!) {\n    feed(first: $first, orderBy: NEW) {\n      edges {\n        node {\n          id title score viewerVote commentCount tags\n          author { handle }\n          community { slug }\n          comments(first: 3) { edges { node { body author { handle } } } }\n        }\n      }\n    }\n  }\n": typeof types.PostsViewerFeedPageDocument,
    "\n  query PostsCommunityPosts($slug: String!, $first: Int, $after: String, $orderBy: PostOrder!, $tag: String) {\n    community(slug: $slug) {\n      posts(first: $first, after: $after, orderBy: $orderBy, tag: $tag) {\n        edges { cursor node { id title score pinned tags } }\n        pageInfo { hasNextPage hasPreviousPage endCursor }\n      }\n    }\n  }\n": typeof types.PostsCommunityPostsDocument,
    "\n  query PostsViewerFeed($first: Int, $after: String, $orderBy: PostOrder!, $tag: String) {\n    feed(first: $first, after: $after, orderBy: $orderBy, tag: $tag) {\n      edges { node { id title community { slug } } }\n      pageInfo { hasNextPage endCursor }\n    }\n  }\n": typeof types.PostsViewerFeedDocument,
    "\n  mutation PostsLeaveCommunity($id: ID!) { leaveCommunity(communityId: $id) }\n": typeof types.PostsLeaveCommunityDocument,
    "\n  mutation PostsCreatePost($input: CreatePostInput!) {\n    createPost(input: $input) { id title body bodyHtml tags score commentCount editedAt deletedAt author { handle } }\n  }\n": typeof types.PostsCreatePostDocument,
    "\n  mutation PostsAddComment($input: AddCommentInput!) {\n    addComment(input: $input) { id depth cursor body author { handle } parent { id } }\n  }\n": typeof types.PostsAddCommentDocument,
    "\n  mutation PostsVote($input: VoteInput!) {\n    vote(input: $input) {\n      __typename\n      ... on Post { id score viewerVote }\n      ... on Comment { id score viewerVote }\n    }\n  }\n": typeof types.PostsVoteDocument,
    "\n  mutation PostsSetRole($input: SetMemberRoleInput!) { setMemberRole(input: $input) { role } }\n": typeof types.PostsSetRoleDocument,
    "\n  mutation PostsLockPost($id: ID!, $locked: Boolean!) { lockPost(id: $id, locked: $locked) { id locked } }\n": typeof types.PostsLockPostDocument,
    "\n  mutation PostsPinPost($id: ID!, $pinned: Boolean!) { pinPost(id: $id, pinned: $pinned) { id pinned } }\n": typeof types.PostsPinPostDocument,
    "\n  mutation PostsDeletePost($id: ID!) { deletePost(id: $id) { id title body bodyHtml deletedAt author { handle } } }\n": typeof types.PostsDeletePostDocument,
    "\n  query PostsPostById($id: ID!) {\n    post(id: $id) {\n      id title body bodyHtml tags editedAt deletedAt commentCount\n      author { handle }\n      community { slug }\n      comments(first: 10) { edges { node { body author { handle } } } }\n    }\n  }\n": typeof types.PostsPostByIdDocument,
    "\n  query PostsPostNode($id: ID!) { node(id: $id) { id __typename ... on Post { title } } }\n": typeof types.PostsPostNodeDocument,
    "\n  mutation PostsUpdatePost($input: UpdatePostInput!) { updatePost(input: $input) { id title body bodyHtml tags editedAt } }\n": typeof types.PostsUpdatePostDocument,
    "\n  query PostsCommunityPostTitles($slug: String!) {\n    community(slug: $slug) { posts(first: 50, orderBy: NEW) { edges { node { title } } } }\n  }\n": typeof types.PostsCommunityPostTitlesDocument,
    "\n  query PostsPostScore($id: ID!) {\n    post(id: $id) { score viewerVote reactions { emoji count viewerReacted } }\n  }\n": typeof types.PostsPostScoreDocument,
    "\n  query PostsCommentScore($id: ID!) {\n    node(id: $id) { ... on Comment { score viewerVote reactions { emoji count viewerReacted } } }\n  }\n": typeof types.PostsCommentScoreDocument,
    "\n  mutation PostsReact($input: ReactInput!) {\n    react(input: $input) {\n      ... on Post { reactions { emoji count viewerReacted } }\n      ... on Comment { reactions { emoji count viewerReacted } }\n    }\n  }\n": typeof types.PostsReactDocument,
    "\n  query ReputationMember($slug: String!, $first: Int!) {\n    community(slug: $slug) {\n      members(first: $first) {\n        edges {\n          node { id reputation level user { id handle } badges { badge name awardedAt } }\n        }\n      }\n    }\n  }\n": typeof types.ReputationMemberDocument,
    "\n  query ReputationHistory($id: ID!) {\n    node(id: $id) {\n      ... on Member {\n        reputation\n        reputationHistory(first: 100) {\n          edges { node { delta reason reversal createdAt actor { handle } subject { __typename id } } }\n        }\n      }\n    }\n  }\n": typeof types.ReputationHistoryDocument,
    "\n  query ReputationLeaderboard($slug: String!, $period: LeaderboardPeriod!, $first: Int!) {\n    community(slug: $slug) {\n      leaderboard(period: $period, first: $first) { rank score member { reputation user { id handle } } }\n    }\n  }\n": typeof types.ReputationLeaderboardDocument,
    "\n  mutation ReputationUpdateRules($input: ReputationRulesInput!) {\n    updateReputationRules(input: $input) {\n      reputationRules { postUpvoted commentUpvoted downvoted commentFeatured eventCheckIn pollVote dailyVoteCap levelThresholds privileges { permission level } }\n    }\n  }\n": typeof types.ReputationUpdateRulesDocument,
    "\n  mutation ReputationRebuild($communityId: ID!) { rebuildReputation(communityId: $communityId) }\n": typeof types.ReputationRebuildDocument,
    "\n  mutation ReputationFeature($id: ID!, $featured: Boolean!) { featureComment(id: $id, featured: $featured) { id featured } }\n": typeof types.ReputationFeatureDocument,
    "\n  mutation ReputationDeleteComment($id: ID!) { deleteComment(id: $id) { id deletedAt } }\n": typeof types.ReputationDeleteCommentDocument,
    "\n  mutation ReputationCheckIn($input: CheckInInput!) { checkIn(input: $input) { id checkedInAt } }\n": typeof types.ReputationCheckInDocument,
    "\n  query ReputationMembersPage($slug: String!, $first: Int!) {\n    community(slug: $slug) {\n      members(first: $first) {\n        edges {\n          node {\n            reputation level badges { badge awardedAt }\n            reputationHistory(first: 3) { edges { node { delta reason reversal subject { id } actor { handle } } } }\n          }\n        }\n      }\n    }\n  }\n": typeof types.ReputationMembersPageDocument,
    "\n  query ReputationBoardPage($slug: String!, $first: Int!) {\n    community(slug: $slug) {\n      leaderboard(period: WEEK, first: $first) { rank score member { reputation level user { handle } badges { badge } } }\n    }\n  }\n": typeof types.ReputationBoardPageDocument,
    "\n  query MyCommunities($first: Int!) {\n    viewer { handle }\n    communities(first: $first) { edges { node { slug name memberCount viewerMember { role } } } }\n  }\n": typeof types.MyCommunitiesDocument,
    "\n  mutation SignUp($input: SignUpInput!) {\n    signUp(input: $input) { token user { id handle email } }\n  }\n": typeof types.SignUpDocument,
    "\n  mutation CreateCommunity($input: CreateCommunityInput!) {\n    createCommunity(input: $input) { id slug visibility }\n  }\n": typeof types.CreateCommunityDocument,
    "\n  mutation JoinCommunity($id: ID!) {\n    joinCommunity(communityId: $id) { outcome member { id role } joinRequest { id } }\n  }\n": typeof types.JoinCommunityDocument,
    "\n  query CommunitiesWithMembers($first: Int!, $members: Int!, $after: String) {\n    communities(first: $first, after: $after) {\n      edges { node { name members(first: $members) { edges { node { role user { handle } } } } } }\n      pageInfo { hasNextPage endCursor }\n    }\n  }\n": typeof types.CommunitiesWithMembersDocument,
};
const documents: Documents = {
    "\n  query CommunityBySlug($slug: String!) {\n    community(slug: $slug) { id name visibility memberCount viewerMember { role } }\n  }\n": types.CommunityBySlugDocument,
    "\n  query CommunityMembers($slug: String!, $first: Int, $after: String, $role: Role) {\n    community(slug: $slug) {\n      members(first: $first, after: $after, role: $role) {\n        edges { cursor node { id role user { handle } } }\n        pageInfo { hasNextPage hasPreviousPage endCursor }\n      }\n    }\n  }\n": types.CommunityMembersDocument,
    "\n  query NodeById($id: ID!) { node(id: $id) { id __typename } }\n": types.NodeByIdDocument,
    "\n  query SearchCommunities($search: String, $first: Int, $after: String) {\n    communities(search: $search, first: $first, after: $after) {\n      edges { node { slug } }\n      pageInfo { hasNextPage endCursor }\n    }\n  }\n": types.SearchCommunitiesDocument,
    "\n  mutation SetRole($input: SetMemberRoleInput!) { setMemberRole(input: $input) { role } }\n": types.SetRoleDocument,
    "\n  mutation Ban($input: BanMemberInput!) { banMember(input: $input) { reason until user { handle } } }\n": types.BanDocument,
    "\n  mutation Unban($input: MemberRefInput!) { unbanMember(input: $input) }\n": types.UnbanDocument,
    "\n  mutation Invite($input: MemberRefInput!) { inviteMember(input: $input) { id user { handle } invitedBy { handle } } }\n": types.InviteDocument,
    "\n  mutation Leave($id: ID!) { leaveCommunity(communityId: $id) }\n": types.LeaveDocument,
    "\n  mutation UpdateCommunity($input: UpdateCommunityInput!) { updateCommunity(input: $input) { name description visibility } }\n": types.UpdateCommunityDocument,
    "\n  query JoinRequests($slug: String!) {\n    community(slug: $slug) { joinRequests(first: 10) { edges { node { id status user { handle } } } } }\n  }\n": types.JoinRequestsDocument,
    "\n  mutation Approve($id: ID!) { approveJoinRequest(id: $id) { role user { handle } } }\n": types.ApproveDocument,
    "\n  mutation Reject($id: ID!) { rejectJoinRequest(id: $id) { status } }\n": types.RejectDocument,
    "\n  query CommunitiesPage($search: String, $first: Int!) {\n    communities(search: $search, first: $first) {\n      edges { node { name members(first: 5) { edges { node { role user { handle } } } } } }\n    }\n  }\n": types.CommunitiesPageDocument,
    "mutation ChatStartLive($id: ID!) { startLiveStream(eventId: $id) { id live liveStartedAt } }": types.ChatStartLiveDocument,
    "mutation ChatEndLive($id: ID!) { endLiveStream(eventId: $id) { id live liveEndedAt } }": types.ChatEndLiveDocument,
    "mutation ChatSlowMode($id: ID!, $seconds: Int!) { setSlowMode(eventId: $id, seconds: $seconds) { slowModeSeconds } }": types.ChatSlowModeDocument,
    "\n  mutation ChatSend($input: SendChatMessageInput!) { sendChatMessage(input: $input) { id body isQuestion cursor author { handle } } }\n": types.ChatSendDocument,
    "mutation ChatRemove($id: ID!) { deleteChatMessage(id: $id) }": types.ChatRemoveDocument,
    "mutation ChatMute($input: MuteChatMemberInput!) { muteChatMember(input: $input) }": types.ChatMuteDocument,
    "mutation ChatUnmute($eventId: ID!, $userId: ID!) { unmuteChatMember(eventId: $eventId, userId: $userId) }": types.ChatUnmuteDocument,
    "mutation ChatUpvote($id: ID!) { upvoteQuestion(id: $id) { id upvotes } }": types.ChatUpvoteDocument,
    "mutation ChatAnswer($id: ID!) { markQuestionAnswered(id: $id) { id answeredAt } }": types.ChatAnswerDocument,
    "mutation ChatBan($input: BanMemberInput!) { banMember(input: $input) { reason } }": types.ChatBanDocument,
    "\n  query ChatHistory($id: ID!, $last: Int, $before: String) {\n    event(id: $id) {\n      chatMessages(last: $last, before: $before) {\n        edges { cursor node { body } }\n        pageInfo { hasPreviousPage startCursor endCursor }\n      }\n    }\n  }\n": types.ChatHistoryDocument,
    "\n  query ChatQuestions($id: ID!, $answered: Boolean) {\n    event(id: $id) { questions(answered: $answered) { edges { node { body upvotes answeredAt } } } }\n  }\n": types.ChatQuestionsDocument,
    "\n  mutation ContestSubmitEntry($input: SubmitContestEntryInput!) {\n    submitContestEntry(input: $input) { id votes rank submittedAt author { handle } post { id title } event { id } }\n  }\n": types.ContestSubmitEntryDocument,
    "\n  mutation ContestWithdrawEntry($entryId: ID!) { withdrawContestEntry(entryId: $entryId) }\n": types.ContestWithdrawEntryDocument,
    "\n  mutation ContestVoteEntry($entryId: ID!) { voteContestEntry(entryId: $entryId) { id votes } }\n": types.ContestVoteEntryDocument,
    "\n  mutation ContestWithdrawVote($eventId: ID!) { withdrawContestVote(eventId: $eventId) }\n": types.ContestWithdrawVoteDocument,
    "\n  mutation ContestMove($input: UpdateEventInput!) { updateEvent(input: $input) { id startsAt endsAt } }\n": types.ContestMoveDocument,
    "\n  query ContestStanding($id: ID!, $first: Int, $after: String) {\n    event(id: $id) {\n      id kind\n      contest {\n        phase entryCount\n        viewerEntry { id }\n        viewerVote { id }\n        entries(first: $first, after: $after) {\n          edges { node { id votes rank author { handle } post { title } } }\n          pageInfo { hasNextPage endCursor }\n        }\n      }\n    }\n  }\n": types.ContestStandingDocument,
    "\n  query ContestResultsPage($id: ID!, $first: Int!) {\n    event(id: $id) {\n      contest {\n        phase entryCount\n        viewerEntry { id }\n        viewerVote { id }\n        entries(first: $first) { edges { node { id votes rank submittedAt post { title } author { handle } } } }\n      }\n    }\n  }\n": types.ContestResultsPageDocument,
    "\n  query ContestEntryNode($id: ID!) { node(id: $id) { id ... on ContestEntry { votes author { handle } } } }\n": types.ContestEntryNodeDocument,
    "\n  mutation ContestCancel($id: ID!) { cancelEvent(id: $id) { id cancelledAt } }\n": types.ContestCancelDocument,
    "\n  query EventsCommunityEvents($slug: String!, $upcoming: Boolean!, $first: Int, $after: String) {\n    community(slug: $slug) {\n      events(upcoming: $upcoming, first: $first, after: $after) {\n        edges { node { id title cancelledAt } }\n        pageInfo { hasNextPage endCursor }\n      }\n    }\n  }\n": types.EventsCommunityEventsDocument,
    "\n  query EventsCalendar($slug: String!, $from: DateTimeISO!, $to: DateTimeISO!, $first: Int, $after: String) {\n    community(slug: $slug) {\n      calendar(from: $from, to: $to, first: $first, after: $after) {\n        edges { node { startsAt endsAt event { title } } }\n        pageInfo { hasNextPage endCursor }\n      }\n    }\n  }\n": types.EventsCalendarDocument,
    "\n  query EventsOccurrences($id: ID!) {\n    event(id: $id) { occurrences(first: 5) { edges { node { startsAt endsAt goingCount viewerRsvp { status } } } } }\n  }\n": types.EventsOccurrencesDocument,
    "\n  mutation EventsUpdateEvent($input: UpdateEventInput!) { updateEvent(input: $input) { id title startsAt endsAt capacity } }\n": types.EventsUpdateEventDocument,
    "\n  mutation EventsCancelEvent($id: ID!) { cancelEvent(id: $id) { id cancelledAt } }\n": types.EventsCancelEventDocument,
    "\n  mutation EventsCheckIn($input: CheckInInput!) { checkIn(input: $input) { id checkedInAt user { handle } } }\n": types.EventsCheckInDocument,
    "\n  query EventsEventById($id: ID!) { event(id: $id) { id title } node(id: $id) { id } }\n": types.EventsEventByIdDocument,
    "\n  mutation EventsCreateEvent($input: CreateEventInput!) {\n    createEvent(input: $input) {\n      id kind title startsAt endsAt timeZone capacity recurrence location onlineUrl cancelledAt\n      organizer { handle }\n    }\n  }\n": types.EventsCreateEventDocument,
    "\n  mutation EventsRsvp($input: RsvpInput!) {\n    rsvp(input: $input) { id status waitlisted waitlistPosition occurrenceStartsAt checkedInAt user { id handle } }\n  }\n": types.EventsRsvpDocument,
    "\n  query EventsEventSeats($id: ID!, $at: DateTimeISO) {\n    event(id: $id) {\n      id\n      goingCount(occurrenceStartsAt: $at)\n      waitlistCount(occurrenceStartsAt: $at)\n      attendees(occurrenceStartsAt: $at, first: 100) { edges { node { user { id handle } checkedInAt } } }\n      waitlist(occurrenceStartsAt: $at, first: 100) { edges { node { user { id handle } waitlistPosition } } }\n    }\n  }\n": types.EventsEventSeatsDocument,
    "\n  query EventsListingPage($slug: String!, $first: Int!) {\n    community(slug: $slug) {\n      events(first: $first) {\n        edges {\n          node {\n            id title startsAt capacity\n            organizer { handle }\n            community { slug }\n            goingCount waitlistCount\n            viewerRsvp { status waitlistPosition }\n            attendees(first: 3) { edges { node { checkedInAt user { handle } } } }\n            chatMessages(last: 3) { edges { node { body author { handle } } } pageInfo { endCursor } }\n            questions(first: 2) { edges { node { body upvotes } } }\n          }\n        }\n      }\n    }\n  }\n": types.EventsListingPageDocument,
    "\n  query CachedPost($id: ID!) {\n    node(id: $id) { ... on Post { id title score viewerVote commentCount } }\n  }\n": types.CachedPostDocument,
    "\n  query CachedPosts($slug: String!) {\n    community(slug: $slug) {\n      posts(first: 10, orderBy: NEW) {\n        edges { node { id title score viewerVote author { handle } comments(first: 3) { edges { node { body } } } } }\n      }\n    }\n  }\n": types.CachedPostsDocument,
    "\n  mutation CachedVote($input: VoteInput!) { vote(input: $input) { ... on Post { id score } } }\n": types.CachedVoteDocument,
    "\n  mutation CachedSignIn($input: SignInInput!) { signIn(input: $input) { token } }\n": types.CachedSignInDocument,
    "\n  mutation CachedLeave($id: ID!) { leaveCommunity(communityId: $id) }\n": types.CachedLeaveDocument,
    "\n  query TimestampsListings($slug: String!, $postId: ID!) {\n    community(slug: $slug) {\n      createdAt\n      posts(first: 5, orderBy: NEW) { edges { node { createdAt editedAt deletedAt author { createdAt } } } }\n    }\n    post(id: $postId) { createdAt comments(first: 5) { edges { node { createdAt editedAt author { createdAt } } } } }\n    feed(first: 5, orderBy: NEW) { edges { node { createdAt } } }\n  }\n": types.TimestampsListingsDocument,
    "mutation TimestampsStartLive($id: ID!) { startLiveStream(eventId: $id) { liveStartedAt } }": types.TimestampsStartLiveDocument,
    "\n  mutation TimestampsSend($input: SendChatMessageInput!) { sendChatMessage(input: $input) { createdAt } }\n": types.TimestampsSendDocument,
    "mutation TimestampsAnswer($id: ID!) { markQuestionAnswered(id: $id) { answeredAt } }": types.TimestampsAnswerDocument,
    "\n  query TimestampsChat($id: ID!) {\n    event(id: $id) {\n      chatMessages(last: 5) { edges { node { createdAt answeredAt author { createdAt } } } pageInfo { startCursor } }\n      questions { edges { node { createdAt answeredAt } } }\n    }\n  }\n": types.TimestampsChatDocument,
    "\n    query TimestampsQuestionId($id: ID!) { event(id: $id) { questions { edges { node { id } } } } }\n  ": types.TimestampsQuestionIdDocument,
    "\n  mutation PollsCreatePoll($input: CreatePollInput!) {\n    createPoll(input: $input) {\n      id question kind allowMultiple maxChoices anonymous hideResultsUntilClosed closesAt closed resultsVisible totalVoters\n      options { id text position votes }\n      createdBy { handle }\n    }\n  }\n": types.PollsCreatePollDocument,
    "\n  mutation PollsCastVote($input: CastVoteInput!) {\n    castVote(input: $input) { id totalVoters options { id votes } viewerVote { id } }\n  }\n": types.PollsCastVoteDocument,
    "\n  mutation PollsClosePoll($id: ID!) { closePoll(id: $id) { id closed closedAt totalVoters options { votes } } }\n": types.PollsClosePollDocument,
    "\n  query PollsPoll($id: ID!) {\n    poll(id: $id) {\n      id question kind closed resultsVisible totalVoters viewerCanClose\n      options { id text votes voters(first: 50) { edges { node { handle } } } }\n      viewerVote { id text }\n      winner { text }\n      rounds { number exhausted tallies { option { text } votes } eliminated { text } }\n    }\n  }\n": types.PollsPollDocument,
    "\n  query PollsNodeOption($id: ID!) {\n    node(id: $id) { id ... on PollOption { text votes voters(first: 10) { edges { node { handle } } } poll { anonymous } } }\n  }\n": types.PollsNodeOptionDocument,
    "query PollsNodePoll($id: ID!) { node(id: $id) { id ... on Poll { question } } }": types.PollsNodePollDocument,
    "\n  query PollsCommunityPolls($slug: String!, $first: Int, $after: String, $open: Boolean) {\n    community(slug: $slug) {\n      polls(first: $first, after: $after, open: $open) { edges { node { question closed } } pageInfo { hasNextPage endCursor } }\n    }\n  }\n": types.PollsCommunityPollsDocument,
    "query PollsAttached($id: ID!) { poll(id: $id) { post { id } event { id } } }": types.PollsAttachedDocument,
    "query PollsOfPost($id: ID!) { post(id: $id) { polls(first: 5) { edges { node { id } } } } }": types.PollsOfPostDocument,
    "query PollsOfEvent($id: ID!) { event(id: $id) { polls(first: 5) { edges { node { id } } } } }": types.PollsOfEventDocument,
    "\n  query PollsSqlCountPage($slug: String!, $first: Int!) {\n    community(slug: $slug) {\n      polls(first: $first) {\n        edges { node { question kind closed totalVoters createdBy { handle } options { text votes } viewerVote { text } } }\n      }\n    }\n  }\n": types.PollsSqlCountPageDocument,
    "\n  subscription CommentAddedStream($postId: ID!, $after: String) {\n    commentAdded(postId: $postId, after: $after) { id body cursor author { handle } }\n  }\n": types.CommentAddedStreamDocument,
    "\n  mutation CommentAddedCreatePost($input: CreatePostInput!) { createPost(input: $input) { id } }\n": types.CommentAddedCreatePostDocument,
    "\n  mutation CommentAddedAddComment($input: AddCommentInput!) { addComment(input: $input) { id body cursor author { handle } } }\n": types.CommentAddedAddCommentDocument,
    "\n  mutation CommentAddedDeleteComment($id: ID!) { deleteComment(id: $id) { id deletedAt } }\n": types.CommentAddedDeleteCommentDocument,
    "\n  mutation CommentAddedInvite($input: MemberRefInput!) { inviteMember(input: $input) { id } }\n": types.CommentAddedInviteDocument,
    "\n  mutation CommentAddedLeave($id: ID!) { leaveCommunity(communityId: $id) }\n": types.CommentAddedLeaveDocument,
    "\n  mutation CommentAddedBan($input: BanMemberInput!) { banMember(input: $input) { reason } }\n": types.CommentAddedBanDocument,
    "\n  query PostsThread($id: ID!, $first: Int, $after: String) {\n    post(id: $id) {\n      commentCount\n      comments(first: $first, after: $after) {\n        edges {\n          cursor\n          node {\n            id body depth replyCount featured deletedAt author { handle } parent { id }\n            replies(first: 10) {\n              edges { node { id body depth parent { id } replies(first: 10) { edges { node { id body depth } } } } }\n              pageInfo { hasNextPage }\n            }\n          }\n        }\n        pageInfo { hasNextPage hasPreviousPage endCursor }\n      }\n    }\n  }\n": types.PostsThreadDocument,
    "\n  query PostsReplies($id: ID!, $first: Int, $after: String) {\n    node(id: $id) {\n      ... on Comment {\n        replyCount\n        replies(first: $first, after: $after) { edges { node { body } } pageInfo { hasNextPage hasPreviousPage endCursor } }\n      }\n    }\n  }\n": types.PostsRepliesDocument,
    "\n  mutation PostsUpdateComment($input: UpdateCommentInput!) { updateComment(input: $input) { id body bodyHtml editedAt } }\n": types.PostsUpdateCommentDocument,
    "\n  mutation PostsDeleteComment($id: ID!) { deleteComment(id: $id) { id body bodyHtml deletedAt author { handle } } }\n": types.PostsDeleteCommentDocument,
    "\n  mutation PostsFeatureComment($id: ID!, $featured: Boolean!) { featureComment(id: $id, featured: $featured) { id featured } }\n": types.PostsFeatureCommentDocument,
    "\n  query PostsCommentNode($id: ID!) { node(id: $id) { __typename ... on Comment { body } } }\n": types.PostsCommentNodeDocument,
    "\n  query PostsCommunityFeedPage($slug: String!, $first: Int!) {\n    community(slug: $slug) {\n      posts(first: $first, orderBy: HOT) {\n        edges {\n          node {\n            id title score viewerVote commentCount tags\n            author { handle }\n            community { slug }\n            comments(first: 3) { edges { node { body author { handle } } } }\n          }\n        }\n      }\n    }\n  }\n": types.PostsCommunityFeedPageDocument,
    "\n  query PostsViewerFeedPage($first: Int!) {\n    feed(first: $first, orderBy: NEW) {\n      edges {\n        node {\n          id title score viewerVote commentCount tags\n          author { handle }\n          community { slug }\n          comments(first: 3) { edges { node { body author { handle } } } }\n        }\n      }\n    }\n  }\n": types.PostsViewerFeedPageDocument,
    "\n  query PostsCommunityPosts($slug: String!, $first: Int, $after: String, $orderBy: PostOrder!, $tag: String) {\n    community(slug: $slug) {\n      posts(first: $first, after: $after, orderBy: $orderBy, tag: $tag) {\n        edges { cursor node { id title score pinned tags } }\n        pageInfo { hasNextPage hasPreviousPage endCursor }\n      }\n    }\n  }\n": types.PostsCommunityPostsDocument,
    "\n  query PostsViewerFeed($first: Int, $after: String, $orderBy: PostOrder!, $tag: String) {\n    feed(first: $first, after: $after, orderBy: $orderBy, tag: $tag) {\n      edges { node { id title community { slug } } }\n      pageInfo { hasNextPage endCursor }\n    }\n  }\n": types.PostsViewerFeedDocument,
    "\n  mutation PostsLeaveCommunity($id: ID!) { leaveCommunity(communityId: $id) }\n": types.PostsLeaveCommunityDocument,
    "\n  mutation PostsCreatePost($input: CreatePostInput!) {\n    createPost(input: $input) { id title body bodyHtml tags score commentCount editedAt deletedAt author { handle } }\n  }\n": types.PostsCreatePostDocument,
    "\n  mutation PostsAddComment($input: AddCommentInput!) {\n    addComment(input: $input) { id depth cursor body author { handle } parent { id } }\n  }\n": types.PostsAddCommentDocument,
    "\n  mutation PostsVote($input: VoteInput!) {\n    vote(input: $input) {\n      __typename\n      ... on Post { id score viewerVote }\n      ... on Comment { id score viewerVote }\n    }\n  }\n": types.PostsVoteDocument,
    "\n  mutation PostsSetRole($input: SetMemberRoleInput!) { setMemberRole(input: $input) { role } }\n": types.PostsSetRoleDocument,
    "\n  mutation PostsLockPost($id: ID!, $locked: Boolean!) { lockPost(id: $id, locked: $locked) { id locked } }\n": types.PostsLockPostDocument,
    "\n  mutation PostsPinPost($id: ID!, $pinned: Boolean!) { pinPost(id: $id, pinned: $pinned) { id pinned } }\n": types.PostsPinPostDocument,
    "\n  mutation PostsDeletePost($id: ID!) { deletePost(id: $id) { id title body bodyHtml deletedAt author { handle } } }\n": types.PostsDeletePostDocument,
    "\n  query PostsPostById($id: ID!) {\n    post(id: $id) {\n      id title body bodyHtml tags editedAt deletedAt commentCount\n      author { handle }\n      community { slug }\n      comments(first: 10) { edges { node { body author { handle } } } }\n    }\n  }\n": types.PostsPostByIdDocument,
    "\n  query PostsPostNode($id: ID!) { node(id: $id) { id __typename ... on Post { title } } }\n": types.PostsPostNodeDocument,
    "\n  mutation PostsUpdatePost($input: UpdatePostInput!) { updatePost(input: $input) { id title body bodyHtml tags editedAt } }\n": types.PostsUpdatePostDocument,
    "\n  query PostsCommunityPostTitles($slug: String!) {\n    community(slug: $slug) { posts(first: 50, orderBy: NEW) { edges { node { title } } } }\n  }\n": types.PostsCommunityPostTitlesDocument,
    "\n  query PostsPostScore($id: ID!) {\n    post(id: $id) { score viewerVote reactions { emoji count viewerReacted } }\n  }\n": types.PostsPostScoreDocument,
    "\n  query PostsCommentScore($id: ID!) {\n    node(id: $id) { ... on Comment { score viewerVote reactions { emoji count viewerReacted } } }\n  }\n": types.PostsCommentScoreDocument,
    "\n  mutation PostsReact($input: ReactInput!) {\n    react(input: $input) {\n      ... on Post { reactions { emoji count viewerReacted } }\n      ... on Comment { reactions { emoji count viewerReacted } }\n    }\n  }\n": types.PostsReactDocument,
    "\n  query ReputationMember($slug: String!, $first: Int!) {\n    community(slug: $slug) {\n      members(first: $first) {\n        edges {\n          node { id reputation level user { id handle } badges { badge name awardedAt } }\n        }\n      }\n    }\n  }\n": types.ReputationMemberDocument,
    "\n  query ReputationHistory($id: ID!) {\n    node(id: $id) {\n      ... on Member {\n        reputation\n        reputationHistory(first: 100) {\n          edges { node { delta reason reversal createdAt actor { handle } subject { __typename id } } }\n        }\n      }\n    }\n  }\n": types.ReputationHistoryDocument,
    "\n  query ReputationLeaderboard($slug: String!, $period: LeaderboardPeriod!, $first: Int!) {\n    community(slug: $slug) {\n      leaderboard(period: $period, first: $first) { rank score member { reputation user { id handle } } }\n    }\n  }\n": types.ReputationLeaderboardDocument,
    "\n  mutation ReputationUpdateRules($input: ReputationRulesInput!) {\n    updateReputationRules(input: $input) {\n      reputationRules { postUpvoted commentUpvoted downvoted commentFeatured eventCheckIn pollVote dailyVoteCap levelThresholds privileges { permission level } }\n    }\n  }\n": types.ReputationUpdateRulesDocument,
    "\n  mutation ReputationRebuild($communityId: ID!) { rebuildReputation(communityId: $communityId) }\n": types.ReputationRebuildDocument,
    "\n  mutation ReputationFeature($id: ID!, $featured: Boolean!) { featureComment(id: $id, featured: $featured) { id featured } }\n": types.ReputationFeatureDocument,
    "\n  mutation ReputationDeleteComment($id: ID!) { deleteComment(id: $id) { id deletedAt } }\n": types.ReputationDeleteCommentDocument,
    "\n  mutation ReputationCheckIn($input: CheckInInput!) { checkIn(input: $input) { id checkedInAt } }\n": types.ReputationCheckInDocument,
    "\n  query ReputationMembersPage($slug: String!, $first: Int!) {\n    community(slug: $slug) {\n      members(first: $first) {\n        edges {\n          node {\n            reputation level badges { badge awardedAt }\n            reputationHistory(first: 3) { edges { node { delta reason reversal subject { id } actor { handle } } } }\n          }\n        }\n      }\n    }\n  }\n": types.ReputationMembersPageDocument,
    "\n  query ReputationBoardPage($slug: String!, $first: Int!) {\n    community(slug: $slug) {\n      leaderboard(period: WEEK, first: $first) { rank score member { reputation level user { handle } badges { badge } } }\n    }\n  }\n": types.ReputationBoardPageDocument,
    "\n  query MyCommunities($first: Int!) {\n    viewer { handle }\n    communities(first: $first) { edges { node { slug name memberCount viewerMember { role } } } }\n  }\n": types.MyCommunitiesDocument,
    "\n  mutation SignUp($input: SignUpInput!) {\n    signUp(input: $input) { token user { id handle email } }\n  }\n": types.SignUpDocument,
    "\n  mutation CreateCommunity($input: CreateCommunityInput!) {\n    createCommunity(input: $input) { id slug visibility }\n  }\n": types.CreateCommunityDocument,
    "\n  mutation JoinCommunity($id: ID!) {\n    joinCommunity(communityId: $id) { outcome member { id role } joinRequest { id } }\n  }\n": types.JoinCommunityDocument,
    "\n  query CommunitiesWithMembers($first: Int!, $members: Int!, $after: String) {\n    communities(first: $first, after: $after) {\n      edges { node { name members(first: $members) { edges { node { role user { handle } } } } } }\n      pageInfo { hasNextPage endCursor }\n    }\n  }\n": types.CommunitiesWithMembersDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 *
 *
 * @example
 * ```ts
 * const query = graphql(`query GetUser($id: ID!) { user(id: $id) { name } }`);
 * ```
 *
 * The query argument is unknown!
 * Please regenerate the types.
 */
export function graphql(source: string): unknown;

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query CommunityBySlug($slug: String!) {\n    community(slug: $slug) { id name visibility memberCount viewerMember { role } }\n  }\n"): (typeof documents)["\n  query CommunityBySlug($slug: String!) {\n    community(slug: $slug) { id name visibility memberCount viewerMember { role } }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query CommunityMembers($slug: String!, $first: Int, $after: String, $role: Role) {\n    community(slug: $slug) {\n      members(first: $first, after: $after, role: $role) {\n        edges { cursor node { id role user { handle } } }\n        pageInfo { hasNextPage hasPreviousPage endCursor }\n      }\n    }\n  }\n"): (typeof documents)["\n  query CommunityMembers($slug: String!, $first: Int, $after: String, $role: Role) {\n    community(slug: $slug) {\n      members(first: $first, after: $after, role: $role) {\n        edges { cursor node { id role user { handle } } }\n        pageInfo { hasNextPage hasPreviousPage endCursor }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query NodeById($id: ID!) { node(id: $id) { id __typename } }\n"): (typeof documents)["\n  query NodeById($id: ID!) { node(id: $id) { id __typename } }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query SearchCommunities($search: String, $first: Int, $after: String) {\n    communities(search: $search, first: $first, after: $after) {\n      edges { node { slug } }\n      pageInfo { hasNextPage endCursor }\n    }\n  }\n"): (typeof documents)["\n  query SearchCommunities($search: String, $first: Int, $after: String) {\n    communities(search: $search, first: $first, after: $after) {\n      edges { node { slug } }\n      pageInfo { hasNextPage endCursor }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation SetRole($input: SetMemberRoleInput!) { setMemberRole(input: $input) { role } }\n"): (typeof documents)["\n  mutation SetRole($input: SetMemberRoleInput!) { setMemberRole(input: $input) { role } }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation Ban($input: BanMemberInput!) { banMember(input: $input) { reason until user { handle } } }\n"): (typeof documents)["\n  mutation Ban($input: BanMemberInput!) { banMember(input: $input) { reason until user { handle } } }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation Unban($input: MemberRefInput!) { unbanMember(input: $input) }\n"): (typeof documents)["\n  mutation Unban($input: MemberRefInput!) { unbanMember(input: $input) }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation Invite($input: MemberRefInput!) { inviteMember(input: $input) { id user { handle } invitedBy { handle } } }\n"): (typeof documents)["\n  mutation Invite($input: MemberRefInput!) { inviteMember(input: $input) { id user { handle } invitedBy { handle } } }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation Leave($id: ID!) { leaveCommunity(communityId: $id) }\n"): (typeof documents)["\n  mutation Leave($id: ID!) { leaveCommunity(communityId: $id) }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation UpdateCommunity($input: UpdateCommunityInput!) { updateCommunity(input: $input) { name description visibility } }\n"): (typeof documents)["\n  mutation UpdateCommunity($input: UpdateCommunityInput!) { updateCommunity(input: $input) { name description visibility } }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query JoinRequests($slug: String!) {\n    community(slug: $slug) { joinRequests(first: 10) { edges { node { id status user { handle } } } } }\n  }\n"): (typeof documents)["\n  query JoinRequests($slug: String!) {\n    community(slug: $slug) { joinRequests(first: 10) { edges { node { id status user { handle } } } } }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation Approve($id: ID!) { approveJoinRequest(id: $id) { role user { handle } } }\n"): (typeof documents)["\n  mutation Approve($id: ID!) { approveJoinRequest(id: $id) { role user { handle } } }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation Reject($id: ID!) { rejectJoinRequest(id: $id) { status } }\n"): (typeof documents)["\n  mutation Reject($id: ID!) { rejectJoinRequest(id: $id) { status } }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query CommunitiesPage($search: String, $first: Int!) {\n    communities(search: $search, first: $first) {\n      edges { node { name members(first: 5) { edges { node { role user { handle } } } } } }\n    }\n  }\n"): (typeof documents)["\n  query CommunitiesPage($search: String, $first: Int!) {\n    communities(search: $search, first: $first) {\n      edges { node { name members(first: 5) { edges { node { role user { handle } } } } } }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation ChatStartLive($id: ID!) { startLiveStream(eventId: $id) { id live liveStartedAt } }"): (typeof documents)["mutation ChatStartLive($id: ID!) { startLiveStream(eventId: $id) { id live liveStartedAt } }"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation ChatEndLive($id: ID!) { endLiveStream(eventId: $id) { id live liveEndedAt } }"): (typeof documents)["mutation ChatEndLive($id: ID!) { endLiveStream(eventId: $id) { id live liveEndedAt } }"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation ChatSlowMode($id: ID!, $seconds: Int!) { setSlowMode(eventId: $id, seconds: $seconds) { slowModeSeconds } }"): (typeof documents)["mutation ChatSlowMode($id: ID!, $seconds: Int!) { setSlowMode(eventId: $id, seconds: $seconds) { slowModeSeconds } }"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ChatSend($input: SendChatMessageInput!) { sendChatMessage(input: $input) { id body isQuestion cursor author { handle } } }\n"): (typeof documents)["\n  mutation ChatSend($input: SendChatMessageInput!) { sendChatMessage(input: $input) { id body isQuestion cursor author { handle } } }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation ChatRemove($id: ID!) { deleteChatMessage(id: $id) }"): (typeof documents)["mutation ChatRemove($id: ID!) { deleteChatMessage(id: $id) }"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation ChatMute($input: MuteChatMemberInput!) { muteChatMember(input: $input) }"): (typeof documents)["mutation ChatMute($input: MuteChatMemberInput!) { muteChatMember(input: $input) }"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation ChatUnmute($eventId: ID!, $userId: ID!) { unmuteChatMember(eventId: $eventId, userId: $userId) }"): (typeof documents)["mutation ChatUnmute($eventId: ID!, $userId: ID!) { unmuteChatMember(eventId: $eventId, userId: $userId) }"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation ChatUpvote($id: ID!) { upvoteQuestion(id: $id) { id upvotes } }"): (typeof documents)["mutation ChatUpvote($id: ID!) { upvoteQuestion(id: $id) { id upvotes } }"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation ChatAnswer($id: ID!) { markQuestionAnswered(id: $id) { id answeredAt } }"): (typeof documents)["mutation ChatAnswer($id: ID!) { markQuestionAnswered(id: $id) { id answeredAt } }"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation ChatBan($input: BanMemberInput!) { banMember(input: $input) { reason } }"): (typeof documents)["mutation ChatBan($input: BanMemberInput!) { banMember(input: $input) { reason } }"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ChatHistory($id: ID!, $last: Int, $before: String) {\n    event(id: $id) {\n      chatMessages(last: $last, before: $before) {\n        edges { cursor node { body } }\n        pageInfo { hasPreviousPage startCursor endCursor }\n      }\n    }\n  }\n"): (typeof documents)["\n  query ChatHistory($id: ID!, $last: Int, $before: String) {\n    event(id: $id) {\n      chatMessages(last: $last, before: $before) {\n        edges { cursor node { body } }\n        pageInfo { hasPreviousPage startCursor endCursor }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ChatQuestions($id: ID!, $answered: Boolean) {\n    event(id: $id) { questions(answered: $answered) { edges { node { body upvotes answeredAt } } } }\n  }\n"): (typeof documents)["\n  query ChatQuestions($id: ID!, $answered: Boolean) {\n    event(id: $id) { questions(answered: $answered) { edges { node { body upvotes answeredAt } } } }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ContestSubmitEntry($input: SubmitContestEntryInput!) {\n    submitContestEntry(input: $input) { id votes rank submittedAt author { handle } post { id title } event { id } }\n  }\n"): (typeof documents)["\n  mutation ContestSubmitEntry($input: SubmitContestEntryInput!) {\n    submitContestEntry(input: $input) { id votes rank submittedAt author { handle } post { id title } event { id } }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ContestWithdrawEntry($entryId: ID!) { withdrawContestEntry(entryId: $entryId) }\n"): (typeof documents)["\n  mutation ContestWithdrawEntry($entryId: ID!) { withdrawContestEntry(entryId: $entryId) }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ContestVoteEntry($entryId: ID!) { voteContestEntry(entryId: $entryId) { id votes } }\n"): (typeof documents)["\n  mutation ContestVoteEntry($entryId: ID!) { voteContestEntry(entryId: $entryId) { id votes } }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ContestWithdrawVote($eventId: ID!) { withdrawContestVote(eventId: $eventId) }\n"): (typeof documents)["\n  mutation ContestWithdrawVote($eventId: ID!) { withdrawContestVote(eventId: $eventId) }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ContestMove($input: UpdateEventInput!) { updateEvent(input: $input) { id startsAt endsAt } }\n"): (typeof documents)["\n  mutation ContestMove($input: UpdateEventInput!) { updateEvent(input: $input) { id startsAt endsAt } }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ContestStanding($id: ID!, $first: Int, $after: String) {\n    event(id: $id) {\n      id kind\n      contest {\n        phase entryCount\n        viewerEntry { id }\n        viewerVote { id }\n        entries(first: $first, after: $after) {\n          edges { node { id votes rank author { handle } post { title } } }\n          pageInfo { hasNextPage endCursor }\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query ContestStanding($id: ID!, $first: Int, $after: String) {\n    event(id: $id) {\n      id kind\n      contest {\n        phase entryCount\n        viewerEntry { id }\n        viewerVote { id }\n        entries(first: $first, after: $after) {\n          edges { node { id votes rank author { handle } post { title } } }\n          pageInfo { hasNextPage endCursor }\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ContestResultsPage($id: ID!, $first: Int!) {\n    event(id: $id) {\n      contest {\n        phase entryCount\n        viewerEntry { id }\n        viewerVote { id }\n        entries(first: $first) { edges { node { id votes rank submittedAt post { title } author { handle } } } }\n      }\n    }\n  }\n"): (typeof documents)["\n  query ContestResultsPage($id: ID!, $first: Int!) {\n    event(id: $id) {\n      contest {\n        phase entryCount\n        viewerEntry { id }\n        viewerVote { id }\n        entries(first: $first) { edges { node { id votes rank submittedAt post { title } author { handle } } } }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ContestEntryNode($id: ID!) { node(id: $id) { id ... on ContestEntry { votes author { handle } } } }\n"): (typeof documents)["\n  query ContestEntryNode($id: ID!) { node(id: $id) { id ... on ContestEntry { votes author { handle } } } }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ContestCancel($id: ID!) { cancelEvent(id: $id) { id cancelledAt } }\n"): (typeof documents)["\n  mutation ContestCancel($id: ID!) { cancelEvent(id: $id) { id cancelledAt } }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query EventsCommunityEvents($slug: String!, $upcoming: Boolean!, $first: Int, $after: String) {\n    community(slug: $slug) {\n      events(upcoming: $upcoming, first: $first, after: $after) {\n        edges { node { id title cancelledAt } }\n        pageInfo { hasNextPage endCursor }\n      }\n    }\n  }\n"): (typeof documents)["\n  query EventsCommunityEvents($slug: String!, $upcoming: Boolean!, $first: Int, $after: String) {\n    community(slug: $slug) {\n      events(upcoming: $upcoming, first: $first, after: $after) {\n        edges { node { id title cancelledAt } }\n        pageInfo { hasNextPage endCursor }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query EventsCalendar($slug: String!, $from: DateTimeISO!, $to: DateTimeISO!, $first: Int, $after: String) {\n    community(slug: $slug) {\n      calendar(from: $from, to: $to, first: $first, after: $after) {\n        edges { node { startsAt endsAt event { title } } }\n        pageInfo { hasNextPage endCursor }\n      }\n    }\n  }\n"): (typeof documents)["\n  query EventsCalendar($slug: String!, $from: DateTimeISO!, $to: DateTimeISO!, $first: Int, $after: String) {\n    community(slug: $slug) {\n      calendar(from: $from, to: $to, first: $first, after: $after) {\n        edges { node { startsAt endsAt event { title } } }\n        pageInfo { hasNextPage endCursor }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query EventsOccurrences($id: ID!) {\n    event(id: $id) { occurrences(first: 5) { edges { node { startsAt endsAt goingCount viewerRsvp { status } } } } }\n  }\n"): (typeof documents)["\n  query EventsOccurrences($id: ID!) {\n    event(id: $id) { occurrences(first: 5) { edges { node { startsAt endsAt goingCount viewerRsvp { status } } } } }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation EventsUpdateEvent($input: UpdateEventInput!) { updateEvent(input: $input) { id title startsAt endsAt capacity } }\n"): (typeof documents)["\n  mutation EventsUpdateEvent($input: UpdateEventInput!) { updateEvent(input: $input) { id title startsAt endsAt capacity } }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation EventsCancelEvent($id: ID!) { cancelEvent(id: $id) { id cancelledAt } }\n"): (typeof documents)["\n  mutation EventsCancelEvent($id: ID!) { cancelEvent(id: $id) { id cancelledAt } }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation EventsCheckIn($input: CheckInInput!) { checkIn(input: $input) { id checkedInAt user { handle } } }\n"): (typeof documents)["\n  mutation EventsCheckIn($input: CheckInInput!) { checkIn(input: $input) { id checkedInAt user { handle } } }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query EventsEventById($id: ID!) { event(id: $id) { id title } node(id: $id) { id } }\n"): (typeof documents)["\n  query EventsEventById($id: ID!) { event(id: $id) { id title } node(id: $id) { id } }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation EventsCreateEvent($input: CreateEventInput!) {\n    createEvent(input: $input) {\n      id kind title startsAt endsAt timeZone capacity recurrence location onlineUrl cancelledAt\n      organizer { handle }\n    }\n  }\n"): (typeof documents)["\n  mutation EventsCreateEvent($input: CreateEventInput!) {\n    createEvent(input: $input) {\n      id kind title startsAt endsAt timeZone capacity recurrence location onlineUrl cancelledAt\n      organizer { handle }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation EventsRsvp($input: RsvpInput!) {\n    rsvp(input: $input) { id status waitlisted waitlistPosition occurrenceStartsAt checkedInAt user { id handle } }\n  }\n"): (typeof documents)["\n  mutation EventsRsvp($input: RsvpInput!) {\n    rsvp(input: $input) { id status waitlisted waitlistPosition occurrenceStartsAt checkedInAt user { id handle } }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query EventsEventSeats($id: ID!, $at: DateTimeISO) {\n    event(id: $id) {\n      id\n      goingCount(occurrenceStartsAt: $at)\n      waitlistCount(occurrenceStartsAt: $at)\n      attendees(occurrenceStartsAt: $at, first: 100) { edges { node { user { id handle } checkedInAt } } }\n      waitlist(occurrenceStartsAt: $at, first: 100) { edges { node { user { id handle } waitlistPosition } } }\n    }\n  }\n"): (typeof documents)["\n  query EventsEventSeats($id: ID!, $at: DateTimeISO) {\n    event(id: $id) {\n      id\n      goingCount(occurrenceStartsAt: $at)\n      waitlistCount(occurrenceStartsAt: $at)\n      attendees(occurrenceStartsAt: $at, first: 100) { edges { node { user { id handle } checkedInAt } } }\n      waitlist(occurrenceStartsAt: $at, first: 100) { edges { node { user { id handle } waitlistPosition } } }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query EventsListingPage($slug: String!, $first: Int!) {\n    community(slug: $slug) {\n      events(first: $first) {\n        edges {\n          node {\n            id title startsAt capacity\n            organizer { handle }\n            community { slug }\n            goingCount waitlistCount\n            viewerRsvp { status waitlistPosition }\n            attendees(first: 3) { edges { node { checkedInAt user { handle } } } }\n            chatMessages(last: 3) { edges { node { body author { handle } } } pageInfo { endCursor } }\n            questions(first: 2) { edges { node { body upvotes } } }\n          }\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query EventsListingPage($slug: String!, $first: Int!) {\n    community(slug: $slug) {\n      events(first: $first) {\n        edges {\n          node {\n            id title startsAt capacity\n            organizer { handle }\n            community { slug }\n            goingCount waitlistCount\n            viewerRsvp { status waitlistPosition }\n            attendees(first: 3) { edges { node { checkedInAt user { handle } } } }\n            chatMessages(last: 3) { edges { node { body author { handle } } } pageInfo { endCursor } }\n            questions(first: 2) { edges { node { body upvotes } } }\n          }\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query CachedPost($id: ID!) {\n    node(id: $id) { ... on Post { id title score viewerVote commentCount } }\n  }\n"): (typeof documents)["\n  query CachedPost($id: ID!) {\n    node(id: $id) { ... on Post { id title score viewerVote commentCount } }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query CachedPosts($slug: String!) {\n    community(slug: $slug) {\n      posts(first: 10, orderBy: NEW) {\n        edges { node { id title score viewerVote author { handle } comments(first: 3) { edges { node { body } } } } }\n      }\n    }\n  }\n"): (typeof documents)["\n  query CachedPosts($slug: String!) {\n    community(slug: $slug) {\n      posts(first: 10, orderBy: NEW) {\n        edges { node { id title score viewerVote author { handle } comments(first: 3) { edges { node { body } } } } }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CachedVote($input: VoteInput!) { vote(input: $input) { ... on Post { id score } } }\n"): (typeof documents)["\n  mutation CachedVote($input: VoteInput!) { vote(input: $input) { ... on Post { id score } } }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CachedSignIn($input: SignInInput!) { signIn(input: $input) { token } }\n"): (typeof documents)["\n  mutation CachedSignIn($input: SignInInput!) { signIn(input: $input) { token } }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CachedLeave($id: ID!) { leaveCommunity(communityId: $id) }\n"): (typeof documents)["\n  mutation CachedLeave($id: ID!) { leaveCommunity(communityId: $id) }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query TimestampsListings($slug: String!, $postId: ID!) {\n    community(slug: $slug) {\n      createdAt\n      posts(first: 5, orderBy: NEW) { edges { node { createdAt editedAt deletedAt author { createdAt } } } }\n    }\n    post(id: $postId) { createdAt comments(first: 5) { edges { node { createdAt editedAt author { createdAt } } } } }\n    feed(first: 5, orderBy: NEW) { edges { node { createdAt } } }\n  }\n"): (typeof documents)["\n  query TimestampsListings($slug: String!, $postId: ID!) {\n    community(slug: $slug) {\n      createdAt\n      posts(first: 5, orderBy: NEW) { edges { node { createdAt editedAt deletedAt author { createdAt } } } }\n    }\n    post(id: $postId) { createdAt comments(first: 5) { edges { node { createdAt editedAt author { createdAt } } } } }\n    feed(first: 5, orderBy: NEW) { edges { node { createdAt } } }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation TimestampsStartLive($id: ID!) { startLiveStream(eventId: $id) { liveStartedAt } }"): (typeof documents)["mutation TimestampsStartLive($id: ID!) { startLiveStream(eventId: $id) { liveStartedAt } }"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation TimestampsSend($input: SendChatMessageInput!) { sendChatMessage(input: $input) { createdAt } }\n"): (typeof documents)["\n  mutation TimestampsSend($input: SendChatMessageInput!) { sendChatMessage(input: $input) { createdAt } }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation TimestampsAnswer($id: ID!) { markQuestionAnswered(id: $id) { answeredAt } }"): (typeof documents)["mutation TimestampsAnswer($id: ID!) { markQuestionAnswered(id: $id) { answeredAt } }"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query TimestampsChat($id: ID!) {\n    event(id: $id) {\n      chatMessages(last: 5) { edges { node { createdAt answeredAt author { createdAt } } } pageInfo { startCursor } }\n      questions { edges { node { createdAt answeredAt } } }\n    }\n  }\n"): (typeof documents)["\n  query TimestampsChat($id: ID!) {\n    event(id: $id) {\n      chatMessages(last: 5) { edges { node { createdAt answeredAt author { createdAt } } } pageInfo { startCursor } }\n      questions { edges { node { createdAt answeredAt } } }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n    query TimestampsQuestionId($id: ID!) { event(id: $id) { questions { edges { node { id } } } } }\n  "): (typeof documents)["\n    query TimestampsQuestionId($id: ID!) { event(id: $id) { questions { edges { node { id } } } } }\n  "];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation PollsCreatePoll($input: CreatePollInput!) {\n    createPoll(input: $input) {\n      id question kind allowMultiple maxChoices anonymous hideResultsUntilClosed closesAt closed resultsVisible totalVoters\n      options { id text position votes }\n      createdBy { handle }\n    }\n  }\n"): (typeof documents)["\n  mutation PollsCreatePoll($input: CreatePollInput!) {\n    createPoll(input: $input) {\n      id question kind allowMultiple maxChoices anonymous hideResultsUntilClosed closesAt closed resultsVisible totalVoters\n      options { id text position votes }\n      createdBy { handle }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation PollsCastVote($input: CastVoteInput!) {\n    castVote(input: $input) { id totalVoters options { id votes } viewerVote { id } }\n  }\n"): (typeof documents)["\n  mutation PollsCastVote($input: CastVoteInput!) {\n    castVote(input: $input) { id totalVoters options { id votes } viewerVote { id } }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation PollsClosePoll($id: ID!) { closePoll(id: $id) { id closed closedAt totalVoters options { votes } } }\n"): (typeof documents)["\n  mutation PollsClosePoll($id: ID!) { closePoll(id: $id) { id closed closedAt totalVoters options { votes } } }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query PollsPoll($id: ID!) {\n    poll(id: $id) {\n      id question kind closed resultsVisible totalVoters viewerCanClose\n      options { id text votes voters(first: 50) { edges { node { handle } } } }\n      viewerVote { id text }\n      winner { text }\n      rounds { number exhausted tallies { option { text } votes } eliminated { text } }\n    }\n  }\n"): (typeof documents)["\n  query PollsPoll($id: ID!) {\n    poll(id: $id) {\n      id question kind closed resultsVisible totalVoters viewerCanClose\n      options { id text votes voters(first: 50) { edges { node { handle } } } }\n      viewerVote { id text }\n      winner { text }\n      rounds { number exhausted tallies { option { text } votes } eliminated { text } }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query PollsNodeOption($id: ID!) {\n    node(id: $id) { id ... on PollOption { text votes voters(first: 10) { edges { node { handle } } } poll { anonymous } } }\n  }\n"): (typeof documents)["\n  query PollsNodeOption($id: ID!) {\n    node(id: $id) { id ... on PollOption { text votes voters(first: 10) { edges { node { handle } } } poll { anonymous } } }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query PollsNodePoll($id: ID!) { node(id: $id) { id ... on Poll { question } } }"): (typeof documents)["query PollsNodePoll($id: ID!) { node(id: $id) { id ... on Poll { question } } }"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query PollsCommunityPolls($slug: String!, $first: Int, $after: String, $open: Boolean) {\n    community(slug: $slug) {\n      polls(first: $first, after: $after, open: $open) { edges { node { question closed } } pageInfo { hasNextPage endCursor } }\n    }\n  }\n"): (typeof documents)["\n  query PollsCommunityPolls($slug: String!, $first: Int, $after: String, $open: Boolean) {\n    community(slug: $slug) {\n      polls(first: $first, after: $after, open: $open) { edges { node { question closed } } pageInfo { hasNextPage endCursor } }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query PollsAttached($id: ID!) { poll(id: $id) { post { id } event { id } } }"): (typeof documents)["query PollsAttached($id: ID!) { poll(id: $id) { post { id } event { id } } }"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query PollsOfPost($id: ID!) { post(id: $id) { polls(first: 5) { edges { node { id } } } } }"): (typeof documents)["query PollsOfPost($id: ID!) { post(id: $id) { polls(first: 5) { edges { node { id } } } } }"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query PollsOfEvent($id: ID!) { event(id: $id) { polls(first: 5) { edges { node { id } } } } }"): (typeof documents)["query PollsOfEvent($id: ID!) { event(id: $id) { polls(first: 5) { edges { node { id } } } } }"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query PollsSqlCountPage($slug: String!, $first: Int!) {\n    community(slug: $slug) {\n      polls(first: $first) {\n        edges { node { question kind closed totalVoters createdBy { handle } options { text votes } viewerVote { text } } }\n      }\n    }\n  }\n"): (typeof documents)["\n  query PollsSqlCountPage($slug: String!, $first: Int!) {\n    community(slug: $slug) {\n      polls(first: $first) {\n        edges { node { question kind closed totalVoters createdBy { handle } options { text votes } viewerVote { text } } }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription CommentAddedStream($postId: ID!, $after: String) {\n    commentAdded(postId: $postId, after: $after) { id body cursor author { handle } }\n  }\n"): (typeof documents)["\n  subscription CommentAddedStream($postId: ID!, $after: String) {\n    commentAdded(postId: $postId, after: $after) { id body cursor author { handle } }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CommentAddedCreatePost($input: CreatePostInput!) { createPost(input: $input) { id } }\n"): (typeof documents)["\n  mutation CommentAddedCreatePost($input: CreatePostInput!) { createPost(input: $input) { id } }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CommentAddedAddComment($input: AddCommentInput!) { addComment(input: $input) { id body cursor author { handle } } }\n"): (typeof documents)["\n  mutation CommentAddedAddComment($input: AddCommentInput!) { addComment(input: $input) { id body cursor author { handle } } }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CommentAddedDeleteComment($id: ID!) { deleteComment(id: $id) { id deletedAt } }\n"): (typeof documents)["\n  mutation CommentAddedDeleteComment($id: ID!) { deleteComment(id: $id) { id deletedAt } }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CommentAddedInvite($input: MemberRefInput!) { inviteMember(input: $input) { id } }\n"): (typeof documents)["\n  mutation CommentAddedInvite($input: MemberRefInput!) { inviteMember(input: $input) { id } }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CommentAddedLeave($id: ID!) { leaveCommunity(communityId: $id) }\n"): (typeof documents)["\n  mutation CommentAddedLeave($id: ID!) { leaveCommunity(communityId: $id) }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CommentAddedBan($input: BanMemberInput!) { banMember(input: $input) { reason } }\n"): (typeof documents)["\n  mutation CommentAddedBan($input: BanMemberInput!) { banMember(input: $input) { reason } }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query PostsThread($id: ID!, $first: Int, $after: String) {\n    post(id: $id) {\n      commentCount\n      comments(first: $first, after: $after) {\n        edges {\n          cursor\n          node {\n            id body depth replyCount featured deletedAt author { handle } parent { id }\n            replies(first: 10) {\n              edges { node { id body depth parent { id } replies(first: 10) { edges { node { id body depth } } } } }\n              pageInfo { hasNextPage }\n            }\n          }\n        }\n        pageInfo { hasNextPage hasPreviousPage endCursor }\n      }\n    }\n  }\n"): (typeof documents)["\n  query PostsThread($id: ID!, $first: Int, $after: String) {\n    post(id: $id) {\n      commentCount\n      comments(first: $first, after: $after) {\n        edges {\n          cursor\n          node {\n            id body depth replyCount featured deletedAt author { handle } parent { id }\n            replies(first: 10) {\n              edges { node { id body depth parent { id } replies(first: 10) { edges { node { id body depth } } } } }\n              pageInfo { hasNextPage }\n            }\n          }\n        }\n        pageInfo { hasNextPage hasPreviousPage endCursor }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query PostsReplies($id: ID!, $first: Int, $after: String) {\n    node(id: $id) {\n      ... on Comment {\n        replyCount\n        replies(first: $first, after: $after) { edges { node { body } } pageInfo { hasNextPage hasPreviousPage endCursor } }\n      }\n    }\n  }\n"): (typeof documents)["\n  query PostsReplies($id: ID!, $first: Int, $after: String) {\n    node(id: $id) {\n      ... on Comment {\n        replyCount\n        replies(first: $first, after: $after) { edges { node { body } } pageInfo { hasNextPage hasPreviousPage endCursor } }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation PostsUpdateComment($input: UpdateCommentInput!) { updateComment(input: $input) { id body bodyHtml editedAt } }\n"): (typeof documents)["\n  mutation PostsUpdateComment($input: UpdateCommentInput!) { updateComment(input: $input) { id body bodyHtml editedAt } }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation PostsDeleteComment($id: ID!) { deleteComment(id: $id) { id body bodyHtml deletedAt author { handle } } }\n"): (typeof documents)["\n  mutation PostsDeleteComment($id: ID!) { deleteComment(id: $id) { id body bodyHtml deletedAt author { handle } } }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation PostsFeatureComment($id: ID!, $featured: Boolean!) { featureComment(id: $id, featured: $featured) { id featured } }\n"): (typeof documents)["\n  mutation PostsFeatureComment($id: ID!, $featured: Boolean!) { featureComment(id: $id, featured: $featured) { id featured } }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query PostsCommentNode($id: ID!) { node(id: $id) { __typename ... on Comment { body } } }\n"): (typeof documents)["\n  query PostsCommentNode($id: ID!) { node(id: $id) { __typename ... on Comment { body } } }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query PostsCommunityFeedPage($slug: String!, $first: Int!) {\n    community(slug: $slug) {\n      posts(first: $first, orderBy: HOT) {\n        edges {\n          node {\n            id title score viewerVote commentCount tags\n            author { handle }\n            community { slug }\n            comments(first: 3) { edges { node { body author { handle } } } }\n          }\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query PostsCommunityFeedPage($slug: String!, $first: Int!) {\n    community(slug: $slug) {\n      posts(first: $first, orderBy: HOT) {\n        edges {\n          node {\n            id title score viewerVote commentCount tags\n            author { handle }\n            community { slug }\n            comments(first: 3) { edges { node { body author { handle } } } }\n          }\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query PostsViewerFeedPage($first: Int!) {\n    feed(first: $first, orderBy: NEW) {\n      edges {\n        node {\n          id title score viewerVote commentCount tags\n          author { handle }\n          community { slug }\n          comments(first: 3) { edges { node { body author { handle } } } }\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query PostsViewerFeedPage($first: Int!) {\n    feed(first: $first, orderBy: NEW) {\n      edges {\n        node {\n          id title score viewerVote commentCount tags\n          author { handle }\n          community { slug }\n          comments(first: 3) { edges { node { body author { handle } } } }\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query PostsCommunityPosts($slug: String!, $first: Int, $after: String, $orderBy: PostOrder!, $tag: String) {\n    community(slug: $slug) {\n      posts(first: $first, after: $after, orderBy: $orderBy, tag: $tag) {\n        edges { cursor node { id title score pinned tags } }\n        pageInfo { hasNextPage hasPreviousPage endCursor }\n      }\n    }\n  }\n"): (typeof documents)["\n  query PostsCommunityPosts($slug: String!, $first: Int, $after: String, $orderBy: PostOrder!, $tag: String) {\n    community(slug: $slug) {\n      posts(first: $first, after: $after, orderBy: $orderBy, tag: $tag) {\n        edges { cursor node { id title score pinned tags } }\n        pageInfo { hasNextPage hasPreviousPage endCursor }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query PostsViewerFeed($first: Int, $after: String, $orderBy: PostOrder!, $tag: String) {\n    feed(first: $first, after: $after, orderBy: $orderBy, tag: $tag) {\n      edges { node { id title community { slug } } }\n      pageInfo { hasNextPage endCursor }\n    }\n  }\n"): (typeof documents)["\n  query PostsViewerFeed($first: Int, $after: String, $orderBy: PostOrder!, $tag: String) {\n    feed(first: $first, after: $after, orderBy: $orderBy, tag: $tag) {\n      edges { node { id title community { slug } } }\n      pageInfo { hasNextPage endCursor }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation PostsLeaveCommunity($id: ID!) { leaveCommunity(communityId: $id) }\n"): (typeof documents)["\n  mutation PostsLeaveCommunity($id: ID!) { leaveCommunity(communityId: $id) }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation PostsCreatePost($input: CreatePostInput!) {\n    createPost(input: $input) { id title body bodyHtml tags score commentCount editedAt deletedAt author { handle } }\n  }\n"): (typeof documents)["\n  mutation PostsCreatePost($input: CreatePostInput!) {\n    createPost(input: $input) { id title body bodyHtml tags score commentCount editedAt deletedAt author { handle } }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation PostsAddComment($input: AddCommentInput!) {\n    addComment(input: $input) { id depth cursor body author { handle } parent { id } }\n  }\n"): (typeof documents)["\n  mutation PostsAddComment($input: AddCommentInput!) {\n    addComment(input: $input) { id depth cursor body author { handle } parent { id } }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation PostsVote($input: VoteInput!) {\n    vote(input: $input) {\n      __typename\n      ... on Post { id score viewerVote }\n      ... on Comment { id score viewerVote }\n    }\n  }\n"): (typeof documents)["\n  mutation PostsVote($input: VoteInput!) {\n    vote(input: $input) {\n      __typename\n      ... on Post { id score viewerVote }\n      ... on Comment { id score viewerVote }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation PostsSetRole($input: SetMemberRoleInput!) { setMemberRole(input: $input) { role } }\n"): (typeof documents)["\n  mutation PostsSetRole($input: SetMemberRoleInput!) { setMemberRole(input: $input) { role } }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation PostsLockPost($id: ID!, $locked: Boolean!) { lockPost(id: $id, locked: $locked) { id locked } }\n"): (typeof documents)["\n  mutation PostsLockPost($id: ID!, $locked: Boolean!) { lockPost(id: $id, locked: $locked) { id locked } }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation PostsPinPost($id: ID!, $pinned: Boolean!) { pinPost(id: $id, pinned: $pinned) { id pinned } }\n"): (typeof documents)["\n  mutation PostsPinPost($id: ID!, $pinned: Boolean!) { pinPost(id: $id, pinned: $pinned) { id pinned } }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation PostsDeletePost($id: ID!) { deletePost(id: $id) { id title body bodyHtml deletedAt author { handle } } }\n"): (typeof documents)["\n  mutation PostsDeletePost($id: ID!) { deletePost(id: $id) { id title body bodyHtml deletedAt author { handle } } }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query PostsPostById($id: ID!) {\n    post(id: $id) {\n      id title body bodyHtml tags editedAt deletedAt commentCount\n      author { handle }\n      community { slug }\n      comments(first: 10) { edges { node { body author { handle } } } }\n    }\n  }\n"): (typeof documents)["\n  query PostsPostById($id: ID!) {\n    post(id: $id) {\n      id title body bodyHtml tags editedAt deletedAt commentCount\n      author { handle }\n      community { slug }\n      comments(first: 10) { edges { node { body author { handle } } } }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query PostsPostNode($id: ID!) { node(id: $id) { id __typename ... on Post { title } } }\n"): (typeof documents)["\n  query PostsPostNode($id: ID!) { node(id: $id) { id __typename ... on Post { title } } }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation PostsUpdatePost($input: UpdatePostInput!) { updatePost(input: $input) { id title body bodyHtml tags editedAt } }\n"): (typeof documents)["\n  mutation PostsUpdatePost($input: UpdatePostInput!) { updatePost(input: $input) { id title body bodyHtml tags editedAt } }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query PostsCommunityPostTitles($slug: String!) {\n    community(slug: $slug) { posts(first: 50, orderBy: NEW) { edges { node { title } } } }\n  }\n"): (typeof documents)["\n  query PostsCommunityPostTitles($slug: String!) {\n    community(slug: $slug) { posts(first: 50, orderBy: NEW) { edges { node { title } } } }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query PostsPostScore($id: ID!) {\n    post(id: $id) { score viewerVote reactions { emoji count viewerReacted } }\n  }\n"): (typeof documents)["\n  query PostsPostScore($id: ID!) {\n    post(id: $id) { score viewerVote reactions { emoji count viewerReacted } }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query PostsCommentScore($id: ID!) {\n    node(id: $id) { ... on Comment { score viewerVote reactions { emoji count viewerReacted } } }\n  }\n"): (typeof documents)["\n  query PostsCommentScore($id: ID!) {\n    node(id: $id) { ... on Comment { score viewerVote reactions { emoji count viewerReacted } } }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation PostsReact($input: ReactInput!) {\n    react(input: $input) {\n      ... on Post { reactions { emoji count viewerReacted } }\n      ... on Comment { reactions { emoji count viewerReacted } }\n    }\n  }\n"): (typeof documents)["\n  mutation PostsReact($input: ReactInput!) {\n    react(input: $input) {\n      ... on Post { reactions { emoji count viewerReacted } }\n      ... on Comment { reactions { emoji count viewerReacted } }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ReputationMember($slug: String!, $first: Int!) {\n    community(slug: $slug) {\n      members(first: $first) {\n        edges {\n          node { id reputation level user { id handle } badges { badge name awardedAt } }\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query ReputationMember($slug: String!, $first: Int!) {\n    community(slug: $slug) {\n      members(first: $first) {\n        edges {\n          node { id reputation level user { id handle } badges { badge name awardedAt } }\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ReputationHistory($id: ID!) {\n    node(id: $id) {\n      ... on Member {\n        reputation\n        reputationHistory(first: 100) {\n          edges { node { delta reason reversal createdAt actor { handle } subject { __typename id } } }\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query ReputationHistory($id: ID!) {\n    node(id: $id) {\n      ... on Member {\n        reputation\n        reputationHistory(first: 100) {\n          edges { node { delta reason reversal createdAt actor { handle } subject { __typename id } } }\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ReputationLeaderboard($slug: String!, $period: LeaderboardPeriod!, $first: Int!) {\n    community(slug: $slug) {\n      leaderboard(period: $period, first: $first) { rank score member { reputation user { id handle } } }\n    }\n  }\n"): (typeof documents)["\n  query ReputationLeaderboard($slug: String!, $period: LeaderboardPeriod!, $first: Int!) {\n    community(slug: $slug) {\n      leaderboard(period: $period, first: $first) { rank score member { reputation user { id handle } } }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ReputationUpdateRules($input: ReputationRulesInput!) {\n    updateReputationRules(input: $input) {\n      reputationRules { postUpvoted commentUpvoted downvoted commentFeatured eventCheckIn pollVote dailyVoteCap levelThresholds privileges { permission level } }\n    }\n  }\n"): (typeof documents)["\n  mutation ReputationUpdateRules($input: ReputationRulesInput!) {\n    updateReputationRules(input: $input) {\n      reputationRules { postUpvoted commentUpvoted downvoted commentFeatured eventCheckIn pollVote dailyVoteCap levelThresholds privileges { permission level } }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ReputationRebuild($communityId: ID!) { rebuildReputation(communityId: $communityId) }\n"): (typeof documents)["\n  mutation ReputationRebuild($communityId: ID!) { rebuildReputation(communityId: $communityId) }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ReputationFeature($id: ID!, $featured: Boolean!) { featureComment(id: $id, featured: $featured) { id featured } }\n"): (typeof documents)["\n  mutation ReputationFeature($id: ID!, $featured: Boolean!) { featureComment(id: $id, featured: $featured) { id featured } }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ReputationDeleteComment($id: ID!) { deleteComment(id: $id) { id deletedAt } }\n"): (typeof documents)["\n  mutation ReputationDeleteComment($id: ID!) { deleteComment(id: $id) { id deletedAt } }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ReputationCheckIn($input: CheckInInput!) { checkIn(input: $input) { id checkedInAt } }\n"): (typeof documents)["\n  mutation ReputationCheckIn($input: CheckInInput!) { checkIn(input: $input) { id checkedInAt } }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ReputationMembersPage($slug: String!, $first: Int!) {\n    community(slug: $slug) {\n      members(first: $first) {\n        edges {\n          node {\n            reputation level badges { badge awardedAt }\n            reputationHistory(first: 3) { edges { node { delta reason reversal subject { id } actor { handle } } } }\n          }\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query ReputationMembersPage($slug: String!, $first: Int!) {\n    community(slug: $slug) {\n      members(first: $first) {\n        edges {\n          node {\n            reputation level badges { badge awardedAt }\n            reputationHistory(first: 3) { edges { node { delta reason reversal subject { id } actor { handle } } } }\n          }\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ReputationBoardPage($slug: String!, $first: Int!) {\n    community(slug: $slug) {\n      leaderboard(period: WEEK, first: $first) { rank score member { reputation level user { handle } badges { badge } } }\n    }\n  }\n"): (typeof documents)["\n  query ReputationBoardPage($slug: String!, $first: Int!) {\n    community(slug: $slug) {\n      leaderboard(period: WEEK, first: $first) { rank score member { reputation level user { handle } badges { badge } } }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query MyCommunities($first: Int!) {\n    viewer { handle }\n    communities(first: $first) { edges { node { slug name memberCount viewerMember { role } } } }\n  }\n"): (typeof documents)["\n  query MyCommunities($first: Int!) {\n    viewer { handle }\n    communities(first: $first) { edges { node { slug name memberCount viewerMember { role } } } }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation SignUp($input: SignUpInput!) {\n    signUp(input: $input) { token user { id handle email } }\n  }\n"): (typeof documents)["\n  mutation SignUp($input: SignUpInput!) {\n    signUp(input: $input) { token user { id handle email } }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CreateCommunity($input: CreateCommunityInput!) {\n    createCommunity(input: $input) { id slug visibility }\n  }\n"): (typeof documents)["\n  mutation CreateCommunity($input: CreateCommunityInput!) {\n    createCommunity(input: $input) { id slug visibility }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation JoinCommunity($id: ID!) {\n    joinCommunity(communityId: $id) { outcome member { id role } joinRequest { id } }\n  }\n"): (typeof documents)["\n  mutation JoinCommunity($id: ID!) {\n    joinCommunity(communityId: $id) { outcome member { id role } joinRequest { id } }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query CommunitiesWithMembers($first: Int!, $members: Int!, $after: String) {\n    communities(first: $first, after: $after) {\n      edges { node { name members(first: $members) { edges { node { role user { handle } } } } } }\n      pageInfo { hasNextPage endCursor }\n    }\n  }\n"): (typeof documents)["\n  query CommunitiesWithMembers($first: Int!, $members: Int!, $after: String) {\n    communities(first: $first, after: $after) {\n      edges { node { name members(first: $members) { edges { node { role user { handle } } } } } }\n      pageInfo { hasNextPage endCursor }\n    }\n  }\n"];

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> = TDocumentNode extends DocumentNode<  infer TType,  any>  ? TType  : never;