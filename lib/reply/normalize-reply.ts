import fastJson from 'fast-json-stringify'
import { InvalidReplyError } from '../errors.js'
import { isJsonObject } from '../json-values.js'
import { handoffReply, isHandoff, type StepHandoff } from './handoff.js'
import type { HslMessage, Message } from '../hsl/index.js'

/** The reply object a handler may return; `status` defaults to `true`. */
export interface ReplyObject<ConversationDetails = Record<string, unknown>, UserDetails = Record<string, string>, State = never, UserState = never> {
  /** `false` files the messages as the step's failure response. Default `true`. */
  status?: boolean | undefined
  /** What the user sees, in order. */
  response: Message | readonly Message[]
  /** Sets Haptik's conversation-scoped context (its docs do not say whether it replaces or merges: return the whole object). */
  conversation_details?: ConversationDetails | undefined
  /** Updates Haptik's user-scoped data (string values). */
  user_details?: UserDetails | undefined
  /** The conversation's new state (the step's `state` schema), kept by the plugin, never sent; saved only on `status: true`. */
  state?: State | undefined
  /** The user's new state (the step's `userState` schema), kept by the plugin, never sent; saved only on `status: true`. */
  userState?: UserState | undefined
}

/**
 * An HSL message returned alone: it has no `response`. An object with one is
 * a reply object, at run time and for the compiler, whose messages then name
 * the reply object's field (`state`, `user_details`) instead of an HSL type's.
 */
export type LoneMessage = HslMessage & { readonly response?: undefined }

/** Anything a step handler may return. */
export type StepResult<ConversationDetails = Record<string, unknown>, UserDetails = Record<string, string>, State = never, UserState = never> =
  | string
  | LoneMessage
  | readonly Message[]
  | ReplyObject<ConversationDetails, UserDetails, State, UserState>
  | StepHandoff<ConversationDetails, UserDetails>

/** The body sent back to Haptik. */
export interface HaptikReply {
  status: boolean
  response: string[]
  conversation_details?: unknown
  user_details?: unknown
}

function toWire (message: unknown, step: string, index: number): string {
  if (typeof message === 'string') return message
  if (isJsonObject(message) && typeof message.type === 'string') {
    // Haptik's integration docs show HSL inside `response` as a JSON string.
    return JSON.stringify(message)
  }
  throw new InvalidReplyError(step, `response[${index}] must be a string or an HSL object with a "type", got ${describeValue(message)}`)
}

/** Messages as they go out: strings as they are, HSL objects as JSON strings. */
export function messagesToWire (messages: readonly unknown[], step: string): string[] {
  return messages.map((message, index) => toWire(message, step, index))
}

function describeValue (value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'an array'
  return typeof value === 'object' ? 'an object without "type"' : typeof value
}

/**
 * Turns what a handler returned into Haptik's reply body, or throws
 * `FST_HAPTIK_INVALID_REPLY` saying what is wrong with it.
 */
export function normalizeReply (result: unknown, step: string): HaptikReply {
  if (isHandoff(result)) return handoffReply(result)
  if (typeof result === 'string') return { status: true, response: [result] }
  if (Array.isArray(result)) return { status: true, response: messagesToWire(result, step) }
  if (!isJsonObject(result)) {
    throw new InvalidReplyError(step, `expected a string, a list of messages or { response }, got ${describeValue(result)}`)
  }
  if (!('response' in result)) return { status: true, response: [toWire(result, step, 0)] }

  const { status = true, response, conversation_details: conversationDetails, user_details: userDetails } = result
  if (typeof status !== 'boolean') throw new InvalidReplyError(step, `status must be a boolean, got ${describeValue(status)}`)
  const messages = Array.isArray(response) ? response : [response]
  const reply: HaptikReply = { status, response: messagesToWire(messages, step) }
  if (conversationDetails !== undefined) reply.conversation_details = conversationDetails
  if (userDetails !== undefined) reply.user_details = userDetails
  return reply
}

/**
 * The reply as it goes on the wire, whatever the step's declared schemas: they
 * document and check the details, and the details go out exactly as checked
 * (a schema-compiled serializer would convert a value or drop a field).
 */
export const serializeReply: (reply: HaptikReply) => string = fastJson({
  type: 'object',
  properties: {
    status: { type: 'boolean' },
    response: { type: 'array', items: { type: 'string' } },
    conversation_details: {},
    user_details: {}
  }
})
