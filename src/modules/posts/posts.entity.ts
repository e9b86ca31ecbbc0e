import { Check, Entity, Index, ManyToOne, PrimaryKey, Property, Unique, type Ref } from '@mikro-orm/core';
import { SEARCH_DOCUMENTS, searchDocumentIndex } from '../search/search-documents';
import { Field, Int, ObjectType } from 'type-graphql';
import { Node } from '../../platform/node';
import type { NodeType } from '../../platform/ids';
import { Community } from '../communities/communities.entity';
import { User } from '../identity/identity.entity';
import { Channel } from '../channels/channels.entity';

/** A post in a community. Deleting it is soft: the thread stays, the body is replaced and the author hidden. */
@Entity({ tableName: 'posts' })
// The insights rollup reads each day's rows by time (src/modules/insights/rollup.ts).
@Index({ name: 'posts_created_at_index', properties: ['createdAt'] })
@Index({ name: 'posts_community_new_index', properties: ['community', 'pinned', 'id'] })
@Index({ name: 'posts_community_top_index', properties: ['community', 'pinned', 'score', 'id'] })
@Index({ name: 'posts_community_hot_index', properties: ['community', 'pinned', 'hot', 'id'] })
// A channel's feed (`Channel.posts`), in each ordering, as the community's above.
@Index({ name: 'posts_channel_new_index', properties: ['channel', 'pinned', 'id'] })
@Index({ name: 'posts_channel_top_index', properties: ['channel', 'pinned', 'score', 'id'] })
@Index({ name: 'posts_channel_hot_index', properties: ['channel', 'pinned', 'hot', 'id'] })
@Index({ name: 'posts_author_created_index', properties: ['author', 'createdAt'] })
// The personal feeds (src/modules/feed): a community's posts newest first by time, whatever their pinning.
@Index({ name: 'posts_community_created_index', properties: ['community', 'createdAt', 'id'] })
@Index({ name: 'posts_tags_index', expression: 'create index "posts_tags_index" on "posts" using gin ("tags")' })
@Index(searchDocumentIndex('posts'))
@Index({
  name: 'posts_title_trgm_index',
  expression: 'create index "posts_title_trgm_index" on "posts" using gin ("title" gin_trgm_ops)',
})
@ObjectType('Post', {
  implements: Node,
  simpleResolvers: true,
  description: 'A post in a community, with a threaded discussion.',
})
export class Post extends Node {
  @PrimaryKey({ autoincrement: true })
  id!: number;

  get nodeType(): NodeType {
    return 'Post';
  }

  @ManyToOne(() => Community, { ref: true, deleteRule: 'cascade' })
  community!: Ref<Community>;

  @ManyToOne(() => User, { ref: true, deleteRule: 'cascade' })
  author!: Ref<User>;

  /** The channel it was posted in (of its community); a removed channel's posts move to the default one. */
  @ManyToOne(() => Channel, { ref: true, deleteRule: 'restrict' })
  channel!: Ref<Channel>;

  @Field({ description: 'Title, 1 to 300 characters.' })
  @Property({ length: 300 })
  title!: string;

  @Field({ description: 'Markdown source.' })
  @Property({ type: 'text' })
  body!: string;

  @Field({
    description: 'The body rendered from Markdown and sanitized: no scripts, event handlers or javascript: links.',
  })
  @Property({ type: 'text' })
  bodyHtml!: string;

  // A list without a page size: at most POST_LIMITS.maxTags tags, each a scalar.
  @Field(() => [String], { description: 'Lower-case tags (letters, digits, dashes), at most 5.' })
  @Property({ type: 'text[]', default: '{}' })
  tags: string[] = [];

  /** Upvotes minus downvotes; moved in SQL by the transaction that records the vote. */
  @Field(() => Int, { description: 'Upvotes minus downvotes.' })
  @Property({ default: 0 })
  score: number = 0;

  /** Rank for HOT ordering; see `HOT_RANK_SQL`. */
  @Property({ type: 'double', default: 0 })
  hot: number = 0;

  /** Comments ever added (deleted ones keep their place in the thread); moved in SQL with each comment. */
  @Field(() => Int, { description: 'Number of comments and replies ever added, deleted ones included.' })
  @Property({ default: 0 })
  commentCount: number = 0;

  /** Top-level comments ever added, deleted ones included (`comments { totalCount }`); moved in SQL with each one. */
  @Property({ default: 0 })
  topLevelCommentCount: number = 0;

  @Field({ description: 'Pinned posts come first in every ordering.' })
  @Property({ default: false })
  pinned: boolean = false;

  @Field({ description: 'A locked post takes no new comments.' })
  @Property({ default: false })
  locked: boolean = false;

  @Field({ description: 'When the post was written.' })
  @Property({ type: 'datetime', defaultRaw: 'now()' })
  createdAt: Date = new Date();

  @Field(() => Date, { nullable: true, description: 'When its author last edited it; null if never.' })
  @Property({ type: 'datetime', nullable: true })
  editedAt?: Date | null;

  /**
   * Hidden by moderation (reports past the community's threshold, or a HIDE decision): readers
   * other than its author and the community's moderators see HIDDEN_TEXT instead of its text.
   */
  @Property({ type: 'datetime', nullable: true })
  hiddenAt?: Date | null;

  /** The search document (README, Search), generated by PostgreSQL: never read by the ORM. */
  @Property({ columnType: 'tsvector', generated: SEARCH_DOCUMENTS.posts, lazy: true, nullable: true, hidden: true })
  searchDocument?: string;

  @Field(() => Date, {
    nullable: true,
    description: 'When it was deleted (its body then reads `[deleted]`); null while it stands.',
  })
  @Property({ type: 'datetime', nullable: true })
  deletedAt?: Date | null;
}

/** A comment on a post, possibly a reply to another comment of the same post. */
@Entity({ tableName: 'comments' })
// The insights rollup reads each day's rows by time (src/modules/insights/rollup.ts).
@Index({ name: 'comments_created_at_index', properties: ['createdAt'] })
@Index({ name: 'comments_post_thread_index', properties: ['post', 'parent', 'id'] })
@Index({ name: 'comments_post_id_index', properties: ['post', 'id'] })
@Index({ name: 'comments_parent_index', properties: ['parent', 'id'] })
@Index({ name: 'comments_author_index', properties: ['author', 'id'] })
@Index({ name: 'comments_author_created_index', properties: ['author', 'createdAt'] })
@Index(searchDocumentIndex('comments'))
@ObjectType('Comment', {
  implements: Node,
  simpleResolvers: true,
  description: 'A comment on a post; replies nest up to a limit.',
})
export class Comment extends Node {
  @PrimaryKey({ autoincrement: true })
  id!: number;

  get nodeType(): NodeType {
    return 'Comment';
  }

  @ManyToOne(() => Post, { ref: true, deleteRule: 'cascade' })
  post!: Ref<Post>;

  @ManyToOne(() => Comment, { ref: true, nullable: true, deleteRule: 'cascade' })
  parent?: Ref<Comment> | null;

  @ManyToOne(() => User, { ref: true, deleteRule: 'cascade' })
  author!: Ref<User>;

  @Field({ description: 'Markdown source.' })
  @Property({ type: 'text' })
  body!: string;

  @Field({ description: 'The body rendered from Markdown and sanitized.' })
  @Property({ type: 'text' })
  bodyHtml!: string;

  @Field(() => Int, { description: 'Nesting level: 0 for a comment on the post, 1 for a reply, and so on.' })
  @Property({ type: 'smallint', default: 0 })
  depth: number = 0;

  @Field(() => Int, { description: 'Upvotes minus downvotes.' })
  @Property({ default: 0 })
  score: number = 0;

  @Field(() => Int, { description: 'Number of direct replies ever added, deleted ones included.' })
  @Property({ default: 0 })
  replyCount: number = 0;

  @Field({ description: 'Highlighted by a moderator.' })
  @Property({ default: false })
  featured: boolean = false;

  /** How many times it was featured: names each featuring's ledger row ("featured:<id>:<n>"). */
  @Property({ default: 0 })
  featuredCount: number = 0;

  @Field({ description: 'When the comment was written.' })
  @Property({ type: 'datetime', defaultRaw: 'now()' })
  createdAt: Date = new Date();

  @Field(() => Date, { nullable: true, description: 'When its author last edited it; null if never.' })
  @Property({ type: 'datetime', nullable: true })
  editedAt?: Date | null;

  /**
   * Hidden by moderation (reports past the community's threshold, or a HIDE decision): readers
   * other than its author and the community's moderators see HIDDEN_TEXT instead of its text.
   */
  @Property({ type: 'datetime', nullable: true })
  hiddenAt?: Date | null;

  /** The search document (README, Search), generated by PostgreSQL: never read by the ORM. */
  @Property({ columnType: 'tsvector', generated: SEARCH_DOCUMENTS.comments, lazy: true, nullable: true, hidden: true })
  searchDocument?: string;

  @Field(() => Date, {
    nullable: true,
    description: 'When it was deleted (its body then reads `[deleted]`); null while it stands.',
  })
  @Property({ type: 'datetime', nullable: true })
  deletedAt?: Date | null;
}

/** One member's vote on one post or comment: +1 or -1; withdrawing deletes the row. */
@Entity({ tableName: 'votes' })
// The insights rollup reads each day's rows by time (src/modules/insights/rollup.ts).
@Index({ name: 'votes_created_at_index', properties: ['createdAt'] })
@Unique({ name: 'votes_user_post_unique', properties: ['user', 'post'] })
@Unique({ name: 'votes_user_comment_unique', properties: ['user', 'comment'] })
@Check({ name: 'votes_one_subject_check', expression: 'num_nonnulls(post_id, comment_id) = 1' })
@Check({ name: 'votes_value_check', expression: 'abs(value) = 1' })
export class Vote {
  @PrimaryKey({ autoincrement: true })
  id!: number;

  @ManyToOne(() => User, { ref: true, deleteRule: 'cascade' })
  user!: Ref<User>;

  @ManyToOne(() => Post, { ref: true, nullable: true, deleteRule: 'cascade' })
  post?: Ref<Post> | null;

  @ManyToOne(() => Comment, { ref: true, nullable: true, deleteRule: 'cascade' })
  comment?: Ref<Comment> | null;

  @Property({ type: 'smallint' })
  value!: number;

  @Property({ type: 'datetime', defaultRaw: 'now()' })
  createdAt: Date = new Date();
}

/** One member's emoji reaction to a post or comment; each emoji at most once per member. */
@Entity({ tableName: 'reactions' })
// The insights rollup reads each day's rows by time (src/modules/insights/rollup.ts).
@Index({ name: 'reactions_created_at_index', properties: ['createdAt'] })
@Unique({ name: 'reactions_user_post_emoji_unique', properties: ['user', 'post', 'emoji'] })
@Unique({ name: 'reactions_user_comment_emoji_unique', properties: ['user', 'comment', 'emoji'] })
@Check({ name: 'reactions_one_subject_check', expression: 'num_nonnulls(post_id, comment_id) = 1' })
export class Reaction {
  @PrimaryKey({ autoincrement: true })
  id!: number;

  @ManyToOne(() => User, { ref: true, deleteRule: 'cascade' })
  user!: Ref<User>;

  @ManyToOne(() => Post, { ref: true, nullable: true, deleteRule: 'cascade' })
  post?: Ref<Post> | null;

  @ManyToOne(() => Comment, { ref: true, nullable: true, deleteRule: 'cascade' })
  comment?: Ref<Comment> | null;

  @Property({ length: 32 })
  emoji!: string;

  @Property({ type: 'datetime', defaultRaw: 'now()' })
  createdAt: Date = new Date();
}
