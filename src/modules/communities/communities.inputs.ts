import { IsDate, IsOptional, Length, Matches, Max, MaxLength, Min } from 'class-validator';
import { ArgsType, Field, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { PageArgs } from '../../platform/pagination';
import { MODERATION_LIMITS } from '../moderation/moderation.inputs';
import { Community, JoinRequest, Member, Role, Visibility } from './communities.entity';

/** Slug rules: 3–50 lower-case letters, digits and single dashes. */
export const SLUG_PATTERN = /^[a-z0-9](?:[a-z0-9]|-(?=[a-z0-9])){2,49}$/;

@InputType()
export class CreateCommunityInput {
  @Field({ description: '3–50 lower-case letters, digits and dashes; unique; cannot change later.' })
  @Matches(SLUG_PATTERN, { message: 'slug must be 3–50 lower-case letters, digits and single dashes' })
  slug!: string;

  @Field()
  @Length(1, 100, { message: 'name must be 1 to 100 characters long' })
  name!: string;

  @Field({ defaultValue: '' })
  @MaxLength(5000)
  description!: string;

  @Field(() => Visibility, { defaultValue: Visibility.PUBLIC })
  visibility!: Visibility;

  @Field({ nullable: true, description: 'IANA time zone of the community\'s days, weeks and months; default "UTC".' })
  timeZone?: string;
}

@InputType()
export class UpdateCommunityInput {
  @Field(() => ID)
  id!: string;

  @Field({ nullable: true })
  @IsOptional()
  @Length(1, 100, { message: 'name must be 1 to 100 characters long' })
  name?: string;

  @Field({ nullable: true })
  @IsOptional()
  @MaxLength(5000)
  description?: string;

  @Field(() => Visibility, { nullable: true })
  visibility?: Visibility;

  @Field({ nullable: true, description: 'IANA time zone, e.g. "Europe/Paris".' })
  timeZone?: string;

  @Field(() => Int, {
    nullable: true,
    description: `The weight of open reports that hides a post or comment until a moderator decides (1 to ${MODERATION_LIMITS.maxReportThreshold}).`,
  })
  @IsOptional()
  @Min(1)
  @Max(MODERATION_LIMITS.maxReportThreshold)
  reportThreshold?: number;
}

@ArgsType()
export class CommunitiesArgs extends PageArgs {
  @Field({ nullable: true, description: 'Case-insensitive match on name or slug.' })
  @IsOptional()
  @MaxLength(100)
  search?: string;
}

@ArgsType()
export class MembersArgs extends PageArgs {
  @Field(() => Role, { nullable: true, description: 'Only members with this role.' })
  role?: Role;
}

@InputType()
export class SetMemberRoleInput {
  @Field(() => ID) communityId!: string;
  @Field(() => ID) userId!: string;
  @Field(() => Role) role!: Role;
}

@InputType()
export class BanMemberInput {
  @Field(() => ID) communityId!: string;
  @Field(() => ID) userId!: string;

  @Field({ defaultValue: '' })
  @MaxLength(500)
  reason!: string;

  @Field(() => Date, { nullable: true, description: 'When the ban ends; omit for a permanent ban.' })
  @IsOptional()
  @IsDate()
  until?: Date;
}

@InputType()
export class MemberRefInput {
  @Field(() => ID) communityId!: string;
  @Field(() => ID) userId!: string;
}

export enum JoinOutcome {
  JOINED = 'JOINED',
  REQUESTED = 'REQUESTED',
}
registerEnumType(JoinOutcome, {
  name: 'JoinOutcome',
  description:
    "JOINED: the viewer is now a member. REQUESTED: a RESTRICTED community's admins must approve the join request.",
});

@ObjectType({ description: 'The result of `joinCommunity`.' })
export class JoinCommunityPayload {
  @Field(() => JoinOutcome) outcome!: JoinOutcome;
  @Field(() => Community) community!: Community;
  @Field(() => Member, { nullable: true, description: 'The membership, when JOINED.' }) member!: Member | null;
  @Field(() => JoinRequest, { nullable: true, description: 'The pending request, when REQUESTED.' })
  joinRequest!: JoinRequest | null;
}
