import { Length, MaxLength } from 'class-validator';
import { ArgsType, Field, InputType, ObjectType } from 'type-graphql';
import { User } from '../identity/identity.entity';
import { EMAIL_MAX_LENGTH } from '../identity/identity.inputs';

/** Longer than any token Townsquare sends (4 + 43 characters), short enough to refuse junk early. */
const TOKEN_MAX_LENGTH = 200;

@ArgsType()
export class VerifyEmailArgs {
  @Field({ description: 'The token of the verification email (its link carries it as `token`).' })
  @MaxLength(TOKEN_MAX_LENGTH)
  token!: string;
}

@ArgsType()
export class RequestPasswordResetArgs {
  @Field({ description: 'The address of the account.' })
  @MaxLength(EMAIL_MAX_LENGTH)
  email!: string;
}

@ArgsType()
export class ResetPasswordArgs {
  @Field({ description: 'The token of the password reset email (its link carries it as `token`).' })
  @MaxLength(TOKEN_MAX_LENGTH)
  token!: string;

  @Field({ description: 'The new password: 10 to 200 characters.' })
  @Length(10, 200, { message: 'password must be 10 to 200 characters long' })
  password!: string;
}

@InputType({ description: 'The token of a verification email.' })
export class VerifyEmailAddressInput {
  @Field({ description: 'The token of the verification email (its link carries it as `token`).' })
  @MaxLength(TOKEN_MAX_LENGTH)
  token!: string;
}

@InputType({ description: 'The address to send a password reset link to.' })
export class SendPasswordResetEmailInput {
  @Field({ description: 'The address of the account.' })
  @MaxLength(EMAIL_MAX_LENGTH)
  email!: string;
}

@InputType({ description: 'The token of a password reset email, and the new password.' })
export class CompletePasswordResetInput {
  @Field({ description: 'The token of the password reset email (its link carries it as `token`).' })
  @MaxLength(TOKEN_MAX_LENGTH)
  token!: string;

  @Field({ description: 'The new password: 10 to 200 characters.' })
  @Length(10, 200, { message: 'password must be 10 to 200 characters long' })
  password!: string;
}

@ObjectType({ description: 'The result of `sendVerificationEmail`.' })
export class SendVerificationEmailPayload {
  @Field(() => User, { description: 'You, whose address the link was sent to (`emailVerified` still false).' })
  user!: User;
}

@ObjectType({ description: 'The result of `sendPasswordResetEmail`.' })
export class SendPasswordResetEmailPayload {
  @Field({
    description:
      'The address asked for. A link goes to it if an account has it; the answer is the same whether or not one does.',
  })
  email!: string;
}

@ObjectType({ description: 'The result of `completePasswordReset`.' })
export class CompletePasswordResetPayload {
  @Field(() => User, { description: 'The account whose password changed, now signed out everywhere.' })
  user!: User;
}

@InputType({ description: 'Your password, and what becomes of your posts and comments.' })
export class RequestAccountDeletionInput {
  @Field({ description: "The account's password, checked again." })
  @MaxLength(200)
  password!: string;

  @Field({
    defaultValue: false,
    description:
      'Remove your posts and comments outright where no one else’s content hangs from them (a post without others’ comments, poll or contest entry; a comment without replies). The rest, and every chat message, is kept as `[deleted]` with no author. Default false: everything kept as `[deleted]`.',
  })
  removeContent!: boolean;
}

@ObjectType({ description: 'The result of `requestAccountDeletion`.' })
export class RequestAccountDeletionPayload {
  @Field({
    description:
      'When the account is erased (now plus ACCOUNT_DELETION_GRACE_SECONDS); until then `cancelAccountDeletion` stops it.',
  })
  scheduledAt!: Date;

  @Field({
    description:
      'Whether the account is already erased (a grace of 0): every session and API key is then revoked, this request’s token too.',
  })
  erased!: boolean;

  @Field(() => User, {
    nullable: true,
    description: 'You, with `accountDeletionScheduledAt` set; null once erased.',
  })
  user!: User | null;
}

@ObjectType({ description: 'The result of `cancelAccountDeletion`.' })
export class CancelAccountDeletionPayload {
  @Field(() => User, { description: 'You, with no deletion pending (`accountDeletionScheduledAt` null).' })
  user!: User;
}
