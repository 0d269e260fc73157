import type { FastifyInstance } from 'fastify'
import type { AnyStep } from '../index.js'
import { callStep, type CallStepOptions, type StepCall } from './call-step.js'
import type { EntityValues, RequestOverrides } from './request.js'

/** How to call the app, and who is chatting: `user` over `DEFAULT_USER`, and what Haptik holds before the first call. */
export interface ConversationOptions extends Omit<CallStepOptions, 'overrides' | 'body' | 'url'> {
  user?: RequestOverrides['user']
  conversationNo?: number | undefined
  conversationDetails?: Record<string, unknown> | undefined
  userDetails?: Record<string, unknown> | undefined
}

/** One user's conversation, driven call by call with the user, conversation and details Haptik holds now. */
export interface Conversation {
  call: <S extends AnyStep | string>(step: S, entities: EntityValues<S>, overrides?: RequestOverrides) => Promise<StepCall>
  /** Ends the conversation (as an end step does): the next call starts the next one, with empty conversation details. */
  next: () => void
  readonly conversationDetails: Record<string, unknown>
  readonly userDetails: Record<string, unknown>
  readonly conversationNo: number
  readonly calls: readonly StepCall[]
}

/**
 * Drives steps as one user's conversation, carrying the user, the conversation number and the details each step
 * returns, which replace what was held (as docs/bot-builder/integrations/integrating-custom-code.md's sample returns all).
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
