import { Length, MaxLength } from 'class-validator';
import { ArgsType, Field } from 'type-graphql';
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
