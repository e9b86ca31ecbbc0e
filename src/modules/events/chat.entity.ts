import { Check, Entity, Index, ManyToOne, PrimaryKey, Property, Unique, type Ref } from '@mikro-orm/core';
import { Field, Int, ObjectType } from 'type-graphql';
import { Node } from '../../platform/node';
import type { NodeType } from '../../platform/ids';
import { User } from '../identity/identity.entity';
import { Event } from './events.entity';

/** A message in a live stream's chat; a question (live Q&A) can be upvoted and marked answered. */
@Entity({ tableName: 'chat_messages' })
// The insights rollup reads each day's rows by time (src/modules/insights/rollup.ts).
@Index({ name: 'chat_messages_created_at_index', properties: ['createdAt'] })
@Index({ name: 'chat_messages_event_index', properties: ['event', 'id'] })
@Index({ name: 'chat_messages_questions_index', properties: ['event', 'isQuestion', 'upvotes', 'id'] })
@Check({ name: 'chat_messages_upvotes_check', expression: 'upvotes >= 0' })
@ObjectType('ChatMessage', {
  implements: Node,
  simpleResolvers: true,
  description: "A message in a live stream's chat.",
})
export class ChatMessage extends Node {
  @PrimaryKey({ autoincrement: true })
  id!: number;

  get nodeType(): NodeType {
    return 'ChatMessage';
  }

  @ManyToOne(() => Event, { ref: true, deleteRule: 'cascade' })
  event!: Ref<Event>;

  @ManyToOne(() => User, { ref: true, deleteRule: 'cascade' })
  author!: Ref<User>;

  @Field({ description: 'Plain text.' })
  @Property({ length: 1000 })
  body!: string;

  @Field({ description: 'A question for the live Q&A.' })
  @Property({ default: false })
  isQuestion: boolean = false;

  /** Members who upvoted the question; moved in SQL with each upvote. */
  @Field(() => Int, { description: 'How many members upvoted the question (0 for other messages).' })
  @Property({ type: 'integer', default: 0 })
  upvotes: number = 0;

  @Field(() => Date, {
    nullable: true,
    description: 'Set when the organizer or a moderator marked the question answered.',
  })
  @Property({ type: 'datetime', nullable: true })
  answeredAt?: Date | null;

  /** Hidden by moderation (reports past the threshold, AutoMod HOLD, a HIDE decision): see hidden-content.ts. */
  @Property({ type: 'datetime', nullable: true })
  hiddenAt?: Date | null;

  /** Removed by a moderator (or its author): left out of history and replays. */
  @Property({ type: 'datetime', nullable: true })
  deletedAt?: Date | null;

  @Field({ description: 'When the message was sent.' })
  @Property({ type: 'datetime', defaultRaw: 'now()' })
  createdAt: Date = new Date();
}

/** One member's upvote of one question. */
@Entity({ tableName: 'question_upvotes' })
@Unique({ name: 'question_upvotes_member_unique', properties: ['message', 'user'] })
export class QuestionUpvote {
  @PrimaryKey({ autoincrement: true })
  id!: number;

  @ManyToOne(() => ChatMessage, { ref: true, deleteRule: 'cascade' })
  message!: Ref<ChatMessage>;

  @ManyToOne(() => User, { ref: true, deleteRule: 'cascade' })
  user!: Ref<User>;

  @Property({ type: 'datetime', defaultRaw: 'now()' })
  createdAt: Date = new Date();
}

/** A member muted in one stream's chat, until a time or (null) until unmuted. */
@Entity({ tableName: 'chat_mutes' })
@Unique({ name: 'chat_mutes_member_unique', properties: ['event', 'user'] })
export class ChatMute {
  @PrimaryKey({ autoincrement: true })
  id!: number;

  @ManyToOne(() => Event, { ref: true, deleteRule: 'cascade' })
  event!: Ref<Event>;

  @ManyToOne(() => User, { ref: true, deleteRule: 'cascade' })
  user!: Ref<User>;

  @ManyToOne(() => User, { ref: true, deleteRule: 'cascade' })
  mutedBy!: Ref<User>;

  @Property({ type: 'datetime', nullable: true })
  until?: Date | null;

  @Property({ type: 'datetime', defaultRaw: 'now()' })
  createdAt: Date = new Date();
}
