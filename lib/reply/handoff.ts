import { hasTrueFlag } from '../untrusted.js'

// Handing a chat over to a human agent on purpose.
//
// Haptik has no hand-over field in a step's reply. Its integration docs say
// that when an integration "doesn't return any response", the chat "will be
// moved to Pending state" and assigned to an agent if Human Assistance is on
// for the business, and that the bot-break message is sent if it is off
// (docs/bot-builder/integrations/integration-parameters.md:278-282). So a
// hand-over is a 200 reply with no messages. The plugin cannot know whether
// Human Assistance is on: that is the business's setting in Haptik.
//
// The status is `false`: on an end step `status: true` moves the chat to the
// Complete state (integration-parameters.md:172), which a chat waiting for an
// agent must not be in, and `false` keeps it in the Bot state, from where the
// empty reply moves it to Pending.

/** The status of a hand-over reply. */
export const HANDOFF_STATUS = false

const kHandoff = Symbol.for('fastify-haptik.handoff')

/** What `handoff()` takes: all optional. */
export interface HandoffOptions<ConversationDetails = never, UserDetails = never> {
  /** Why the bot hands over; logged, never sent. */
  reason?: string | undefined
  /** Conversation details to set with the hand-over (the agent sees them in Haptik). */
  conversation_details?: ConversationDetails | undefined
  /** User details to set with the hand-over (string values). */
  user_details?: UserDetails | undefined
}

/**
 * A deliberate hand-over to a human agent: return it (or throw it) from a step
 * handler, and the step answers `{ status: false, response: [] }`, which
 * Haptik turns into a hand-over when Human Assistance is on (and into its
 * bot-break message when it is off). Make it with `handoff()`.
 */
export class StepHandoff<ConversationDetails = never, UserDetails = never> extends Error {
  readonly [kHandoff] = true
  /** Why, as given to `handoff()`. */
  readonly reason: string | undefined
  readonly conversation_details: ConversationDetails | undefined
  readonly user_details: UserDetails | undefined

  constructor ({ reason, conversation_details: conversationDetails, user_details: userDetails }: HandoffOptions<ConversationDetails, UserDetails> = {}) {
    super(reason === undefined ? 'handing the chat over to an agent' : `handing the chat over to an agent: ${reason}`)
    this.name = 'StepHandoff'
    this.reason = reason
    this.conversation_details = conversationDetails
    this.user_details = userDetails
  }
}

/**
 * Hands the chat over to a human agent, on purpose: return (or throw) it from
 * a step handler. Haptik moves the chat to Pending for an agent when Human
 * Assistance is on for the business, and sends its bot-break message when it
 * is off. The reply is `{ status: false, response: [] }`, with the details given.
 *
 * @example
 * ```ts
 * handler: ({ entities }) => entities.topic === 'refund'
 *   ? handoff({ reason: 'refunds need an agent', conversation_details: { topic: 'refund' } })
 *   : 'Here is what I found…'
 * ```
 */
export function handoff<ConversationDetails = never, UserDetails = never> (options: HandoffOptions<ConversationDetails, UserDetails> = {}): StepHandoff<ConversationDetails, UserDetails> {
  return new StepHandoff(options)
}

/** Whether a value is a hand-over (made by this or another copy of the package). */
export function isHandoff (value: unknown): value is StepHandoff<unknown, unknown> {
  return hasTrueFlag(value, kHandoff)
}

/** The reply body of a hand-over: no messages, and the details given. */
export function handoffReply ({ conversation_details: conversationDetails, user_details: userDetails }: StepHandoff<unknown, unknown>): { status: boolean, response: string[], conversation_details?: unknown, user_details?: unknown } {
  const reply: { status: boolean, response: string[], conversation_details?: unknown, user_details?: unknown } = { status: HANDOFF_STATUS, response: [] }
  if (conversationDetails !== undefined) reply.conversation_details = conversationDetails
  if (userDetails !== undefined) reply.user_details = userDetails
  return reply
}
