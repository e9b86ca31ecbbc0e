import { ArrayMinSize, IsEmail, IsEnum, Length, Matches, MaxLength } from 'class-validator';
import { Field, ID, InputType, ObjectType } from 'type-graphql';
import { ApiKey, ApiScope, User } from './identity.entity';

/** Handle rules: 3–30 letters, digits or underscores; stored lower-case. */
export const HANDLE_PATTERN = /^[A-Za-z0-9_]{3,30}$/;

/** Longest email address (RFC 5321), as stored: lower-cased. */
export const EMAIL_MAX_LENGTH = 254;

@InputType({ description: 'A new account.' })
export class SignUpInput {
  @Field({ description: '3–30 letters, digits or underscores; case-insensitive.' })
  @Matches(HANDLE_PATTERN, { message: 'handle must be 3–30 letters, digits or underscores' })
  handle!: string;

  @Field({ description: 'A valid email address, unique among accounts.' })
  @IsEmail({}, { message: 'email must be a valid email address' })
  @MaxLength(EMAIL_MAX_LENGTH)
  email!: string;

  @Field({ description: '10 to 200 characters.' })
  @Length(10, 200, { message: 'password must be 10 to 200 characters long' })
  password!: string;
}

@InputType({ description: 'Credentials of an account.' })
export class SignInInput {
  @Field({ description: "The account's email address." })
  @MaxLength(EMAIL_MAX_LENGTH)
  email!: string;

  @Field({ description: "The account's password." })
  @MaxLength(200)
  password!: string;
}

@ObjectType({ description: 'A session token and the signed-in user.' })
export class AuthPayload {
  @Field({ description: 'Send as `Authorization: Bearer <token>`; revoke with `endSession`.' })
  token!: string;

  @Field(() => User, { description: 'The signed-in user.' })
  user!: User;
}

@InputType({ description: 'A new API key of yours.' })
export class CreateApiKeyInput {
  @Field({ description: 'A name to tell it apart, 1 to 100 characters.' })
  @Length(1, 100)
  name!: string;

  @Field(() => [ApiScope], { description: 'What it may do: at least one scope.' })
  @ArrayMinSize(1, { message: 'scopes must name at least one scope' })
  @IsEnum(ApiScope, { each: true })
  scopes!: ApiScope[];
}

@ObjectType({ description: 'A new API key. `secret` is shown only here, once.' })
export class ApiKeyPayload {
  @Field({ description: 'Send as `Authorization: Bearer <secret>`. Not retrievable later.' })
  secret!: string;

  @Field(() => ApiKey, { description: 'The new key.' })
  apiKey!: ApiKey;
}

@InputType({ description: 'The API key to deactivate.' })
export class DeactivateApiKeyInput {
  @Field(() => ID, { description: 'Global id of one of your API keys.' }) id!: string;
}

@ObjectType({ description: 'The result of `endSession`.' })
export class EndSessionPayload {
  @Field(() => User, { description: 'The user whose session ended.' }) user!: User;
}
