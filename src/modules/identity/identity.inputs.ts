import { ArrayMinSize, IsEmail, IsEnum, Length, Matches, MaxLength } from 'class-validator';
import { Field, InputType, ObjectType } from 'type-graphql';
import { ApiKey, ApiScope, User } from './identity.entity';

/** Handle rules: 3–30 letters, digits or underscores; stored lower-case. */
export const HANDLE_PATTERN = /^[A-Za-z0-9_]{3,30}$/;

/** Longest email address (RFC 5321), as stored: lower-cased. */
export const EMAIL_MAX_LENGTH = 254;

@InputType()
export class SignUpInput {
  @Field({ description: '3–30 letters, digits or underscores; case-insensitive.' })
  @Matches(HANDLE_PATTERN, { message: 'handle must be 3–30 letters, digits or underscores' })
  handle!: string;

  @Field()
  @IsEmail({}, { message: 'email must be a valid email address' })
  @MaxLength(EMAIL_MAX_LENGTH)
  email!: string;

  @Field({ description: '10 to 200 characters.' })
  @Length(10, 200, { message: 'password must be 10 to 200 characters long' })
  password!: string;
}

@InputType()
export class SignInInput {
  @Field()
  @MaxLength(EMAIL_MAX_LENGTH)
  email!: string;

  @Field()
  @MaxLength(200)
  password!: string;
}

@ObjectType({ description: 'A session token and the signed-in user.' })
export class AuthPayload {
  @Field({ description: 'Send as `Authorization: Bearer <token>`; revoke with `signOut`.' })
  token!: string;

  @Field(() => User)
  user!: User;
}

@InputType()
export class CreateApiKeyInput {
  @Field()
  @Length(1, 100)
  name!: string;

  @Field(() => [ApiScope])
  @ArrayMinSize(1, { message: 'scopes must name at least one scope' })
  @IsEnum(ApiScope, { each: true })
  scopes!: ApiScope[];
}

@ObjectType({ description: 'A new API key. `secret` is shown only here, once.' })
export class ApiKeyPayload {
  @Field({ description: 'Send as `Authorization: Bearer <secret>`. Not retrievable later.' })
  secret!: string;

  @Field(() => ApiKey)
  apiKey!: ApiKey;
}
