import { IsDate, IsOptional, Length, Matches, Max, MaxLength, Min } from 'class-validator';
import { ArgsType, Field, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { PageArgs } from '../../platform/pagination';
import { MODERATION_LIMITS } from '../moderation/moderation.inputs';
import { User } from '../identity/identity.entity';
import { Community, JoinRequest, Member, Role, Visibility } from './communities.entity';

/** Slug rules: 3–50 lower-case letters, digits and single dashes. */
export const SLUG_PATTERN = /^[a-z0-9](?:[a-z0-9]|-(?=[a-z0-9])){2,49}$/;

@InputType({ description: 'A new community.' })
export class CreateCommunityInput {
  @Field({ description: '3–50 lower-case letters, digits and dashes; unique; cannot change later.' })
  @Matches(SLUG_PATTERN, { message: 'slug must be 3–50 lower-case letters, digits and single dashes' })
  slug!: string;

  @Field({ description: 'Display name, 1 to 100 characters.' })
  @Length(1, 100, { message: 'name must be 1 to 100 characters long' })
  name!: string;

  @Field({ defaultValue: '', description: 'Free-text description, at most 5000 characters.' })
  @MaxLength(5000)
  description!: string;

  @Field(() => Visibility, {
    defaultValue: Visibility.PUBLIC,
    description: 'Who may see the community and how one joins it; default PUBLIC.',
  })
  visibility!: Visibility;

  @Field({ nullable: true, description: 'IANA time zone of the community\'s days, weeks and months; default "UTC".' })
  timeZone?: string;
}

@InputType({ description: 'Changes to a community: omitted or null fields keep their value.' })
export class UpdateCommunityInput {
  @Field(() => ID, { description: 'Global id of the community.' })
  id!: string;

  @Field({ nullable: true, description: 'New display name, 1 to 100 characters.' })
  @IsOptional()
  @Length(1, 100, { message: 'name must be 1 to 100 characters long' })
  name?: string;

  @Field({ nullable: true, description: 'New description, at most 5000 characters.' })
  @IsOptional()
  @MaxLength(5000)
  description?: string;

  @Field(() => Visibility, { nullable: true, description: 'New visibility.' })
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

@InputType({ description: 'A member and the role to give them.' })
export class SetMemberRoleInput {
  @Field(() => ID, { description: 'Global id of the community.' }) communityId!: string;
  @Field(() => ID, { description: "Global id of the member's user." }) userId!: string;
  @Field(() => Role, { description: 'The new role: below your own.' }) role!: Role;
}

@InputType({ description: 'A user to ban from a community, and why and until when.' })
export class BanMemberInput {
  @Field(() => ID, { description: 'Global id of the community.' }) communityId!: string;
  @Field(() => ID, { description: 'Global id of the user to ban (a member or not; not yourself).' }) userId!: string;

  @Field({ defaultValue: '', description: 'Why, at most 500 characters (shown to moderators).' })
  @MaxLength(500)
  reason!: string;

  @Field(() => Date, { nullable: true, description: 'When the ban ends; omit for a permanent ban.' })
  @IsOptional()
  @IsDate()
  until?: Date;
}

@InputType({ description: 'A user in a community (the input of the deprecated `inviteMember` and `unbanMember`).' })
export class MemberRefInput {
  @Field(() => ID, { description: 'Global id of the community.' }) communityId!: string;
  @Field(() => ID, { description: 'Global id of the user.' }) userId!: string;
}

export enum JoinOutcome {
  JOINED = 'JOINED',
  REQUESTED = 'REQUESTED',
}
registerEnumType(JoinOutcome, {
  name: 'JoinOutcome',
  description: 'What `requestMembership` or `redeemInviteLink` did.',
  valuesConfig: {
    JOINED: { description: 'The viewer is now a member.' },
    REQUESTED: { description: "A join request awaits the approval of the RESTRICTED community's admins." },
  },
});

@ObjectType({ description: 'The result of `requestMembership` and `redeemInviteLink`.' })
export class JoinCommunityPayload {
  @Field(() => JoinOutcome, { description: 'Whether the viewer joined or a join request now awaits approval.' })
  outcome!: JoinOutcome;
  @Field(() => Community, { description: 'The community joined or asked to join.' }) community!: Community;
  @Field(() => Member, { nullable: true, description: 'The membership, when JOINED.' }) member!: Member | null;
  @Field(() => JoinRequest, { nullable: true, description: 'The pending request, when REQUESTED.' })
  joinRequest!: JoinRequest | null;
}

@InputType({ description: 'The community to join, or ask to join.' })
export class RequestMembershipInput {
  @Field(() => ID, { description: 'Global id of the community.' }) communityId!: string;
}

@InputType({ description: 'The community to leave.' })
export class EndMembershipInput {
  @Field(() => ID, { description: 'Global id of the community.' }) communityId!: string;
}

@ObjectType({ description: 'The result of `endMembership`.' })
export class EndMembershipPayload {
  @Field(() => Community, { description: 'The community left (its `viewerMember` is now null).' })
  community!: Community;
}

@InputType({ description: 'A user to invite into a community.' })
export class InviteUserInput {
  @Field(() => ID, { description: 'Global id of the community.' }) communityId!: string;
  @Field(() => ID, { description: 'Global id of the user to invite.' }) userId!: string;
}

@InputType({ description: "A user's ban to lift." })
export class LiftBanInput {
  @Field(() => ID, { description: 'Global id of the community.' }) communityId!: string;
  @Field(() => ID, { description: 'Global id of the banned user.' }) userId!: string;
}

@ObjectType({ description: 'The result of `liftBan`.' })
export class LiftBanPayload {
  @Field(() => Community, { description: 'The community the user was banned from.' }) community!: Community;
  @Field(() => User, { description: 'The user, free to join again.' }) user!: User;
  @Field({ description: 'False when there was no ban to lift.' }) lifted!: boolean;
}

@InputType({ description: 'A pending join request to accept.' })
export class AcceptJoinRequestInput {
  @Field(() => ID, { description: 'Global id of the pending join request.' }) id!: string;
}

@ObjectType({ description: 'The result of `acceptJoinRequest`.' })
export class AcceptJoinRequestPayload {
  @Field(() => JoinRequest, { description: 'The request, APPROVED.' }) joinRequest!: JoinRequest;
  @Field(() => Member, { description: 'The requester, now a member.' }) member!: Member;
}

@InputType({ description: 'A pending join request to decline.' })
export class DeclineJoinRequestInput {
  @Field(() => ID, { description: 'Global id of the pending join request.' }) id!: string;
}
