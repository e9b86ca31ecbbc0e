import {
  ForeignKeyConstraintViolationException,
  NotNullConstraintViolationException,
  UniqueConstraintViolationException,
  CheckConstraintViolationException,
} from '@mikro-orm/core';
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { ArgumentValidationError } from 'type-graphql';

/** The error codes of the public contract (docs/API.md). */
export const ErrorCode = {
  UNAUTHENTICATED: 'UNAUTHENTICATED',
  FORBIDDEN: 'FORBIDDEN',
  NOT_FOUND: 'NOT_FOUND',
  BAD_USER_INPUT: 'BAD_USER_INPUT',
  CONFLICT: 'CONFLICT',
  RATE_LIMITED: 'RATE_LIMITED',
  GRAPHQL_VALIDATION_FAILED: 'GRAPHQL_VALIDATION_FAILED',
  QUERY_TOO_COMPLEX: 'QUERY_TOO_COMPLEX',
  /** A persisted query's hash (APQ) or a `documentId` the server does not know: send the text (APQ) or a known id. */
  PERSISTED_QUERY_NOT_FOUND: 'PERSISTED_QUERY_NOT_FOUND',
  /** Persisted queries (APQ) are off here (TRUSTED_DOCUMENTS=only), or a text that is no trusted document was sent. */
  PERSISTED_QUERY_NOT_SUPPORTED: 'PERSISTED_QUERY_NOT_SUPPORTED',
  INTERNAL_SERVER_ERROR: 'INTERNAL_SERVER_ERROR',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** An expected failure: its message and extensions reach the client as they are. */
export class AppError extends GraphQLError {
  constructor(code: ErrorCode, message: string, extensions: Record<string, unknown> = {}) {
    super(message, { extensions: { ...extensions, code } });
  }
}

export class Unauthenticated extends AppError {
  constructor(message = 'You must be signed in to do this') {
    super(ErrorCode.UNAUTHENTICATED, message);
  }
}
export class Forbidden extends AppError {
  constructor(message = 'You are not allowed to do this') {
    super(ErrorCode.FORBIDDEN, message);
  }
}
export class NotFound extends AppError {
  constructor(what = 'Resource') {
    super(ErrorCode.NOT_FOUND, `${what} not found`);
  }
}
/**
 * The value, or null when the viewer may not see it (NOT_FOUND or FORBIDDEN): for fields that answer
 * null for what is missing or hidden. Any other failure (a database outage) is rethrown, so that it
 * reaches the client as INTERNAL_SERVER_ERROR instead of passing for "not found".
 */
export function nullIfHidden<T>(promise: Promise<T>): Promise<T | null> {
  return promise.catch((err: unknown) => {
    if (isHidden(err)) return null;
    throw err;
  });
}

/** Whether an error says the object is not (or no longer) the viewer's to read: NOT_FOUND or FORBIDDEN. */
export function isHidden(err: unknown): boolean {
  return err instanceof NotFound || err instanceof Forbidden;
}

export class Conflict extends AppError {
  constructor(message: string, field?: string) {
    super(ErrorCode.CONFLICT, message, field ? { field } : {});
  }
}
export class BadInput extends AppError {
  constructor(message: string, field?: string) {
    super(ErrorCode.BAD_USER_INPUT, message, field ? { field } : {});
  }
}
export class RateLimited extends AppError {
  constructor(retryAfter: number, message = 'Too many requests, slow down') {
    // Apollo turns `http` into the response's status and headers; formatForClient drops it from the body.
    super(ErrorCode.RATE_LIMITED, message, {
      retryAfter,
      http: { status: 429, headers: new Map([['retry-after', String(retryAfter)]]) },
    });
  }
}
export class QueryTooComplex extends AppError {
  constructor(message: string) {
    super(ErrorCode.QUERY_TOO_COMPLEX, message);
  }
}

const EXPOSED = new Set<string>(Object.values(ErrorCode).filter((c) => c !== 'INTERNAL_SERVER_ERROR'));

/** A class-validator failure: a property with its broken constraints, or nested failures (an input object's). */
interface ValidationFailure {
  property?: string;
  constraints?: Record<string, string>;
  children?: ValidationFailure[];
}

/** Each invalid field with its first message, nested input objects' fields as `parent.child` paths. */
function invalidFields(failures: ValidationFailure[], prefix = ''): { field: string; message: string }[] {
  return failures.flatMap((f) => {
    const field = `${prefix}${f.property ?? ''}`;
    const own = f.constraints ? [{ field, message: Object.values(f.constraints)[0] }] : [];
    return [...own, ...invalidFields(f.children ?? [], field ? `${field}.` : '')];
  });
}

/** Codes that graphql-js and Apollo use, mapped onto the closed set of API.md. */
const FOREIGN_CODES: Record<string, ErrorCode> = {
  GRAPHQL_PARSE_FAILED: ErrorCode.GRAPHQL_VALIDATION_FAILED,
  OPERATION_RESOLUTION_FAILURE: ErrorCode.GRAPHQL_VALIDATION_FAILED,
  BAD_REQUEST: ErrorCode.BAD_USER_INPUT,
  // Apollo's own, kept: APQ clients retry with the full text when they see PERSISTED_QUERY_NOT_FOUND.
  PERSISTED_QUERY_NOT_FOUND: ErrorCode.PERSISTED_QUERY_NOT_FOUND,
  PERSISTED_QUERY_NOT_SUPPORTED: ErrorCode.PERSISTED_QUERY_NOT_SUPPORTED,
};

/** Codes Apollo gives the errors it raises about the request itself, before any resolver runs. */
const REQUEST_CODES = new Set<string>([...Object.keys(FOREIGN_CODES), 'GRAPHQL_VALIDATION_FAILED', 'BAD_USER_INPUT']);

/** graphql-js's message when a document has more than `maxTokens` tokens ("more that" is graphql-js's spelling). */
const TOKEN_LIMIT = /^Syntax Error: Document contains more tha[nt] \d+ tokens/;

/**
 * Whether graphql-js or Apollo raised this error about the request (syntax, validation, variables, CSRF,
 * operation name) rather than a resolver failing: such messages are safe to show. Apollo wraps graphql-js's
 * errors in its own classes (SyntaxError, ValidationError, UserInputError…) that keep graphql-js's error as
 * `originalError` and set a code; request errors never have a path, resolver errors always do.
 */
function raisedByGraphQL(error: GraphQLError): boolean {
  if (!error.originalError || error.originalError === error) return true;
  return error.path === undefined && REQUEST_CODES.has(String(error.extensions?.code ?? ''));
}

/** Unique constraints and the input field each one guards (constraint names are MikroORM's). */
const UNIQUE_FIELDS: Record<string, string> = {
  users_handle_unique: 'handle',
  users_email_unique: 'email',
  communities_slug_unique: 'slug',
};

function withCode(error: GraphQLError, code: ErrorCode, message = error.message): GraphQLError {
  return new GraphQLError(message, {
    nodes: error.nodes,
    source: error.source,
    positions: error.positions,
    path: error.path,
    extensions: { ...error.extensions, code },
  });
}

/**
 * Maps any error of an operation to a client-safe error: the one place where codes are decided.
 * Expected errors keep their code; database constraint violations become CONFLICT or BAD_USER_INPUT;
 * parse and validation errors keep their message; anything else becomes INTERNAL_SERVER_ERROR with
 * no details and `unexpected` set (the caller logs it once, with the request id and stack).
 */
export function normalizeError(error: unknown): { error: GraphQLError; unexpected: boolean } {
  const original = error instanceof GraphQLError ? (error.originalError ?? error) : error;
  const path = error instanceof GraphQLError ? error.path : undefined;
  if (original instanceof AppError) return { error: original, unexpected: false };
  if (original instanceof ArgumentValidationError) {
    // Every invalid field at once (`extensions.fields`), the first also as `field` and the message.
    const fields = invalidFields((original.extensions.validationErrors ?? []) as ValidationFailure[]);
    const [first] = fields;
    const error = new BadInput(first?.message ?? 'Invalid input', first?.field);
    if (fields.length) error.extensions.fields = fields;
    return { error, unexpected: false };
  }
  if (original instanceof UniqueConstraintViolationException) {
    const constraint = /constraint "([^"]+)"/.exec(original.message)?.[1] ?? '';
    const field = UNIQUE_FIELDS[constraint];
    return {
      error: new Conflict(field ? `That ${field} is already taken` : 'That already exists', field),
      unexpected: false,
    };
  }
  if (
    original instanceof ForeignKeyConstraintViolationException ||
    original instanceof NotNullConstraintViolationException ||
    original instanceof CheckConstraintViolationException
  ) {
    return { error: new BadInput('The input breaks a data rule'), unexpected: false };
  }
  if (error instanceof GraphQLError && raisedByGraphQL(error)) {
    const code = String(error.extensions?.code ?? '');
    // Over MAX_TOKENS: a parse error from graphql-js (code GRAPHQL_PARSE_FAILED under Apollo, none under graphql-ws).
    if (TOKEN_LIMIT.test(error.message))
      return { error: withCode(error, ErrorCode.QUERY_TOO_COMPLEX), unexpected: false };
    if (EXPOSED.has(code)) return { error, unexpected: false };
    return { error: withCode(error, FOREIGN_CODES[code] ?? ErrorCode.GRAPHQL_VALIDATION_FAILED), unexpected: false };
  }
  return {
    error: new GraphQLError('Internal server error', { path, extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR } }),
    unexpected: true,
  };
}

/** Formats an error for the wire, keeping its path and locations. */
export function formatForClient(error: GraphQLError, original?: unknown): GraphQLFormattedError {
  const wrapper = original instanceof GraphQLError ? original : undefined;
  const f = error.toJSON();
  // Apollo reads `extensions.http` (status, headers) before formatError runs; it is not for the client.
  const { http: _http, ...extensions } = f.extensions ?? {};
  return {
    message: f.message,
    locations: f.locations ?? wrapper?.locations,
    path: f.path ?? wrapper?.path,
    extensions,
  };
}
