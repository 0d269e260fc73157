import type { FastifyInstance } from 'fastify'
import type { AnyStep } from '../index.js'
import { callStep, type CallStepOptions, type StepCall } from './call-step.js'
import type { EntityValues, RequestOverrides } from './request.js'

/** Options of `conversation()`: how to call the app, and who is chatting. */
export interface ConversationOptions extends Omit<CallStepOptions, 'overrides' | 'body' | 'url'> {
  /** The user's fields over `DEFAULT_USER` (a `user_id` of its own keeps conversations apart). */
  user?: RequestOverrides['user']
  /** The first conversation's number. Default: 1. */
  conversationNo?: number | undefined
  /** What Haptik holds for the conversation and the user before the first call. Default: `{}`. */
  conversationDetails?: Record<string, unknown> | undefined
  userDetails?: Record<string, unknown> | undefined
}

/** One user's conversation with the app's steps, driven call by call. */
export interface Conversation {
  /**
   * Calls a step as Haptik would next in this conversation: the same user
   * and conversation number, and the details the earlier steps returned.
   */
  call: <S extends AnyStep | string>(step: S, entities: EntityValues<S>, overrides?: RequestOverrides) => Promise<StepCall>
  /** Ends the conversation (as Haptik's end step does): the next call starts the next one, with empty conversation details. */
  next: () => void
  /** What Haptik holds now for the conversation: the last returned `conversation_details`. */
  readonly conversationDetails: Record<string, unknown>
  /** What Haptik holds now for the user: the last returned `user_details`. */
  readonly userDetails: Record<string, unknown>
  readonly conversationNo: number
  /** Every call so far, in order. */
  readonly calls: readonly StepCall[]
}

/**
 * Drives several steps in order as one user's conversation, carrying what
 * Haptik carries: the user, the conversation number, and the details each
 * step returns. Returned details replace what was held (Haptik's own sample
 * code returns the whole `conversation_details` it received,
 * docs/bot-builder/integrations/integrating-custom-code.md in
 * hellohaptik/docs_haptik); a reply without them leaves them as they were.
 * The steps' own state lives in the app's store, as in production.
 *
 * @example
 * ```ts
 * const chat = conversation(app, { secret: 'test', prefix: '/haptik' })
 * await chat.call(searchFlights, { from_city: 'Mumbai', to_city: 'Goa' })
 * const booked = await chat.call(book, { seat: '12A' })
 * ```
 */
export function conversation (app: FastifyInstance, options: ConversationOptions): Conversation {
  const { user, conversationNo = 1, conversationDetails = {}, userDetails = {}, ...call } = options
  const calls: StepCall[] = []
  const held = { conversationNo, conversationDetails, userDetails }
  return {
    async call (step, entities, overrides = {}) {
      const result = await callStep(app, step, entities, {
        ...call,
        overrides: {
          conversation_no: held.conversationNo,
          conversation_details: held.conversationDetails,
          user_details: held.userDetails,
          ...overrides,
          // A call's own user fields change that call, never who the conversation is with.
          user: { ...user, ...overrides.user }
        }
      })
      calls.push(result)
      if (result.reply?.conversation_details !== undefined) held.conversationDetails = result.reply.conversation_details as Record<string, unknown>
      if (result.reply?.user_details !== undefined) held.userDetails = result.reply.user_details as Record<string, unknown>
      return result
    },
    next () {
      held.conversationNo++
      held.conversationDetails = {}
    },
    get conversationDetails () { return held.conversationDetails },
    get userDetails () { return held.userDetails },
    get conversationNo () { return held.conversationNo },
    calls
  }
}
