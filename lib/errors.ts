import createError from '@fastify/error'

// Request errors are thrown on the hot path and never shown with a stack: no stack capture (last argument).

export const MissingSignatureError = createError<'FST_HAPTIK_MISSING_SIGNATURE', 401, []>(
  'FST_HAPTIK_MISSING_SIGNATURE', 'Missing X-Hub-Signature header', 401, undefined, false)

/** The `X-Hub-Signature` header is not `sha1=` followed by 40 hex digits. */
export const MalformedSignatureError = createError<'FST_HAPTIK_MALFORMED_SIGNATURE', 401, [string]>(
  'FST_HAPTIK_MALFORMED_SIGNATURE', 'Malformed X-Hub-Signature header: %s', 401, undefined, false)

export const InvalidSignatureError = createError<'FST_HAPTIK_INVALID_SIGNATURE', 401, []>(
  'FST_HAPTIK_INVALID_SIGNATURE', 'X-Hub-Signature does not match the request body', 401, undefined, false)

export const SecretNotFoundError = createError<'FST_HAPTIK_SECRET_NOT_FOUND', 401, [string]>(
  'FST_HAPTIK_SECRET_NOT_FOUND', '%s: no secret is configured for this request', 401, undefined, false)

/** A secret function did not answer within `secretTimeout`, or the server is closing. */
export const SecretTimeoutError = createError<'FST_HAPTIK_SECRET_TIMEOUT', 503, [string, string]>(
  'FST_HAPTIK_SECRET_TIMEOUT', '%s: the secret lookup %s', 503, undefined, false)

export const SecretBusyError = createError<'FST_HAPTIK_SECRET_BUSY', 503, [string]>(
  'FST_HAPTIK_SECRET_BUSY', '%s: too many secret lookups are pending; try again', 503, undefined, false)

/** The body is not `application/json` in UTF-8 without content encoding. */
export const UnsupportedMediaTypeError = createError<'FST_HAPTIK_UNSUPPORTED_MEDIA_TYPE', 415, [string]>(
  'FST_HAPTIK_UNSUPPORTED_MEDIA_TYPE', 'Unsupported media type: %s', 415, undefined, false)

export const BodyTooLargeError = createError<'FST_HAPTIK_BODY_TOO_LARGE', 413, [number]>(
  'FST_HAPTIK_BODY_TOO_LARGE', 'Request body is larger than %s bytes', 413, undefined, false)

/** The body did not arrive within `bodyTimeout`: the connection is closed. */
export const BodyTimeoutError = createError<'FST_HAPTIK_BODY_TIMEOUT', 408, [number]>(
  'FST_HAPTIK_BODY_TIMEOUT', 'The request body did not arrive within %s ms', 408, undefined, false)

export const InvalidContentLengthError = createError<'FST_HAPTIK_INVALID_CONTENT_LENGTH', 400, []>(
  'FST_HAPTIK_INVALID_CONTENT_LENGTH', 'Request body size did not match Content-Length', 400, undefined, false)

/** The body is empty or not valid JSON. The first argument names the route: `Step "x"`. */
export const InvalidJsonError = createError<'FST_HAPTIK_INVALID_JSON', 400, [string, string]>(
  'FST_HAPTIK_INVALID_JSON', '%s: the body is not valid JSON (%s)', 400, undefined, false)

export const InvalidEnvelopeError = createError<'FST_HAPTIK_INVALID_ENVELOPE', 400, [string, string]>(
  'FST_HAPTIK_INVALID_ENVELOPE', '%s: %s', 400, undefined, false)

export const InvalidEntityError = createError<'FST_HAPTIK_INVALID_ENTITY', 400, [string, string]>(
  'FST_HAPTIK_INVALID_ENTITY', '%s: %s', 400, undefined, false)

export const StepMismatchError = createError<'FST_HAPTIK_STEP_MISMATCH', 400, [string, string]>(
  'FST_HAPTIK_STEP_MISMATCH', 'This URL serves step "%s" but the request is for step "%s": check the step\'s integration URL in the bot builder', 400, undefined, false)

/** On the dispatch route: the request names no step, or one that is not served. */
export const UnknownStepError = createError<'FST_HAPTIK_UNKNOWN_STEP', 400, [string]>(
  'FST_HAPTIK_UNKNOWN_STEP', '%s', 400, undefined, false)

/** A URL under the plugin's prefix that serves no step: a step URL typed wrong in the bot builder. */
export const UnknownPathError = createError<'FST_HAPTIK_UNKNOWN_PATH', 404, [string, string]>(
  'FST_HAPTIK_UNKNOWN_PATH',
  'No step is served at %s. Step URLs here: %s. Check the integration URL of the step in the bot builder (paths are case-sensitive, without a trailing slash)',
  404, undefined, false)

/** Anything unexpected; the details go to the log, never to the response. */
export const InternalError = createError<'FST_HAPTIK_INTERNAL', 500, []>(
  'FST_HAPTIK_INTERNAL', 'Internal error', 500, undefined, false)

/** An option or a step is invalid; thrown at registration so `ready()` rejects. */
export const InvalidOptionError = createError<'FST_HAPTIK_INVALID_OPTION', 500, [string]>(
  'FST_HAPTIK_INVALID_OPTION', 'fastify-haptik: %s', 500)

/** Steps have no secret (theirs or the plugin's) and `allowUnsigned` is not set; thrown at registration. The argument names them: `step "a" has` or `steps "a", "b" have`. */
export const MissingSecretError = createError<'FST_HAPTIK_MISSING_SECRET', 500, [string]>(
  'FST_HAPTIK_MISSING_SECRET',
  'fastify-haptik: no secret was given to the plugin, and %s no secret of its own. Pass `secret` (the step\'s secret in the bot builder) to the plugin or to each step, or set `allowUnsigned: true` to accept unsigned calls on purpose',
  500)

/** Logged (never sent) when a handler runs past its deadline. */
export const StepTimeoutError = createError<'FST_HAPTIK_STEP_TIMEOUT', 500, [string, number]>(
  'FST_HAPTIK_STEP_TIMEOUT', 'Step "%s" did not answer within %s ms', 500, undefined, false)

export const InvalidReplyError = createError<'FST_HAPTIK_INVALID_REPLY', 500, [string, string]>(
  'FST_HAPTIK_INVALID_REPLY', 'Step "%s" returned an invalid reply: %s', 500, undefined, false)

export const DetailsTooLargeError = createError<'FST_HAPTIK_DETAILS_TOO_LARGE', 500, [string, string]>(
  'FST_HAPTIK_DETAILS_TOO_LARGE', 'Step "%s" returned details over Haptik\'s limit: %s', 500, undefined, false)

/** Logged (never sent) with `channelLimits: 'fail'` when a reply breaks a limit of one of the step's channels. */
export const ChannelLimitError = createError<'FST_HAPTIK_CHANNEL_LIMIT', 500, [string, string]>(
  'FST_HAPTIK_CHANNEL_LIMIT', 'Step "%s" returned a reply over a channel limit: %s', 500, undefined, false)

/** Logged (never sent) when a step's state could not be read or written: the store is down or slow. */
export const StoreUnavailableError = createError<'FST_HAPTIK_STORE_UNAVAILABLE', 500, [string, string, string]>(
  'FST_HAPTIK_STORE_UNAVAILABLE', 'Step "%s": the %s store %s', 500, undefined, false)

/** Logged (never sent) when a stored state cannot be used (not JSON, over `stateLimit`, a `__proto__` key, or no longer fitting the step's schema): the step reads its default. */
export const InvalidStoredStateError = createError<'FST_HAPTIK_INVALID_STORED_STATE', 500, [string, string, string]>(
  'FST_HAPTIK_INVALID_STORED_STATE', 'Step "%s": the stored %s cannot be used (%s); reading the default, which the next success replaces', 500, undefined, false)

/** Logged (never sent) when another call of the conversation changed its state first: this call takes the failure path. */
export const StateConflictError = createError<'FST_HAPTIK_STATE_CONFLICT', 500, [string, string]>(
  'FST_HAPTIK_STATE_CONFLICT', 'Step "%s": another call changed the %s first; this call\'s state was not saved', 500, undefined, false)

export const StateTooLargeError = createError<'FST_HAPTIK_STATE_TOO_LARGE', 500, [string, string, number, number]>(
  'FST_HAPTIK_STATE_TOO_LARGE', 'Step "%s" returned a %s of %s characters, over the stateLimit of %s', 500, undefined, false)

/** A webhook event that was not handled: answered 503, so that Haptik sends it again. */
export const WebhookNotHandledError = createError<'FST_HAPTIK_WEBHOOK_NOT_HANDLED', 503, [string, string]>(
  'FST_HAPTIK_WEBHOOK_NOT_HANDLED', 'Webhook: the %s event was not handled (%s); Haptik will send it again', 503, undefined, false)

/** A signed webhook delivery that is not its event as documented (not an object with an `event_name`, or not matching the event's schema): given up at once, answered 200. */
export const InvalidEventError = createError<'FST_HAPTIK_INVALID_EVENT', 400, [string, string]>(
  'FST_HAPTIK_INVALID_EVENT', 'Webhook: %s: %s', 400, undefined, false)

export const WebhookTimeoutError = createError<'FST_HAPTIK_WEBHOOK_TIMEOUT', 503, [string, number]>(
  'FST_HAPTIK_WEBHOOK_TIMEOUT', 'Webhook: the %s handler did not finish within %s ms', 503, undefined, false)

/** The signup check's `verify` did not answer within `signup.timeout`, or the server is closing. */
export const SignupTimeoutError = createError<'FST_HAPTIK_SIGNUP_TIMEOUT', 503, [string]>(
  'FST_HAPTIK_SIGNUP_TIMEOUT', 'Signup: the verify function %s', 503, undefined, false)

export const SignupBusyError = createError<'FST_HAPTIK_SIGNUP_BUSY', 503, []>(
  'FST_HAPTIK_SIGNUP_BUSY', 'Signup: too many checks are pending; try again', 503, undefined, false)

/** Logged (never sent) when a handler uses `context.haptik` (or a webhook handler `haptik`) and the plugin has no `client` option. */
export const NoClientError = createError<'FST_HAPTIK_NO_CLIENT', 500, []>(
  'FST_HAPTIK_NO_CLIENT', "haptik needs the plugin's client option: client: createHaptikClient({ token, clientId, baseUrl }) from fastify-haptik/client (docs/client.md)", 500, undefined, false)
