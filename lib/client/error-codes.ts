// Haptik's documented `error_message` strings, each to a stable code. The
// strings are matched whole, trimmed and ignoring case, as the docs spell them
// (typos included). Sources: docs/webhooks/*.md (the /v1.0 pages),
// docs/bot-builder/integrations/additional-apis.md:73-89, 193-211, 351-359,
// 441-451 and docs/whatsapp/sending-notifications.md:135-140.

/** What `HaptikApiError.code` says Haptik's answer meant. */
export type HaptikErrorCode =
  | 'invalid_authorization'
  | 'token_missing'
  | 'invalid_token'
  | 'client_id_missing'
  | 'invalid_client_id'
  | 'user_not_registered'
  | 'duplicate_feedback'
  | 'no_active_conversation'
  | 'missing_user_name'
  | 'missing_business_id'
  | 'missing_team_name'
  | 'missing_conversation_no'
  | 'invalid_user_name'
  | 'invalid_business_id'
  | 'invalid_team_name'
  | 'business_inactive'
  | 'team_inactive'
  | 'user_has_no_messages'
  | 'invalid_pxut'
  | 'invalid_arguments'
  | 'contact_not_on_whatsapp'
  | 'invalid_domain'
  | 'unknown_error'
  /** The answer is not JSON (e.g. a proxy's HTML error page). */
  | 'not_json'
  /** A success whose JSON is not the object the endpoint documents. */
  | 'unexpected_response'
  /** An error message the docs do not list (it is kept on the error). */
  | 'unknown'

const EXACT: ReadonlyArray<readonly [HaptikErrorCode, readonly string[]]> = [
  ['invalid_authorization', ['invalid authorization details', 'invalid authorization in headers']],
  ['token_missing', ['token missing in headers']],
  ['invalid_token', ['invalid token provided', 'invalid token']],
  ['client_id_missing', ['client_id missing in headers']],
  ['invalid_client_id', ['invalid client_id in headers', 'invalid client_id']],
  ['user_not_registered', ['user is not registered', 'Invalid_User']],
  ['duplicate_feedback', ['duplicate feedback']],
  ['no_active_conversation', ['Failed to submit feedback, please make sure there is an active conversation with the agent']],
  ['missing_user_name', ['user_name missing in the request', 'user_name missing']],
  ['missing_business_id', ['business_id missing in the request', 'business_id missing']],
  ['missing_team_name', ['team_name missing in the request']],
  ['missing_conversation_no', ['conversation_no missing']],
  ['invalid_user_name', ['invalid user_name']],
  ['invalid_business_id', ['invalid business_id provided', 'Invalid business_id']],
  ['invalid_team_name', ['invalid team_name provided']],
  ['user_has_no_messages', ['user has not sent a message', 'Either the user has not sent a message yet, or the provided user_name-business_id pair is invalid.']],
  ['invalid_pxut', ['Unable to decode pxut-client_id pair']],
  ['invalid_arguments', ['Argument group validation: no valid group.', 'Argument group validation: invalid group found.']],
  ['contact_not_on_whatsapp', ['unable to verify contact details']],
  ['invalid_domain', ['invalid doman']],
  ['unknown_error', ['An unknown error occurred']]
]

const BY_MESSAGE = new Map(EXACT.flatMap(([code, messages]) => messages.map(message => [message.toLowerCase(), code] as const)))

// additional-apis.md:85, 87: `business "<business_id>" is inactive`, `team "<team_name>" is inactive`.
const PATTERNS: ReadonlyArray<readonly [HaptikErrorCode, RegExp]> = [
  ['business_inactive', /^business ".*" is inactive$/i],
  ['team_inactive', /^team ".*" is inactive$/i]
]

/** The code of one of Haptik's `error_message` strings, `'unknown'` for any other. */
export function codeOf (errorMessage: string | undefined): HaptikErrorCode {
  if (errorMessage === undefined) return 'unknown'
  const text = errorMessage.trim()
  return BY_MESSAGE.get(text.toLowerCase()) ?? PATTERNS.find(([, pattern]) => pattern.test(text))?.[0] ?? 'unknown'
}
