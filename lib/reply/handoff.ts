import { hasTrueFlag } from '../untrusted.js'

// A hand-over is a 200 reply with no messages (docs/bot-builder/integrations/integration-parameters.md:278-282), and
// status false: true would move an end step's chat to Complete (integration-parameters.md:172). See CONTRIBUTING.
export const HANDOFF_STATUS = false

const kHandoff = Symbol.for('fastify-haptik.handoff')

/** What `handoff()` takes: a `reason` (logged, never sent) and details to set with the hand-over. */
export interface HandoffOptions<ConversationDetails = never, UserDetails = never> {
  reason?: string | undefined
  conversation_details?: ConversationDetails | undefined
  user_details?: UserDetails | undefined
}

/** A deliberate hand-over to a human agent, made with `handoff()`. */
export class StepHandoff<ConversationDetails = never, UserDetails = never> extends Error {
  readonly [kHandoff] = true
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
 * Hands the chat to a human agent: return (or throw) it from a handler. The reply is `{ status: false, response: [] }`:
 * Haptik moves the chat to Pending when Human Assistance is on, else sends its bot-break message.
 *
 * @example
 * ```ts
 * handler: ({ entities }) => entities.topic === 'refund' ? handoff({ reason: 'refunds need an agent' }) : 'Here is what I found…'
 * ```
 */
export function handoff<ConversationDetails = never, UserDetails = never> (options: HandoffOptions<ConversationDetails, UserDetails> = {}): StepHandoff<ConversationDetails, UserDetails> {
  return new StepHandoff(options)
}

/** Whether a value is a hand-over (made by any copy of the package). */
export function isHandoff (value: unknown): value is StepHandoff<unknown, unknown> {
  return hasTrueFlag(value, kHandoff)
}

export function handoffReply ({ conversation_details: conversationDetails, user_details: userDetails }: StepHandoff<unknown, unknown>): { status: boolean, response: string[], conversation_details?: unknown, user_details?: unknown } {
  const reply: { status: boolean, response: string[], conversation_details?: unknown, user_details?: unknown } = { status: HANDOFF_STATUS, response: [] }
  if (conversationDetails !== undefined) reply.conversation_details = conversationDetails
  if (userDetails !== undefined) reply.user_details = userDetails
  return reply
}
