import fastJson from 'fast-json-stringify'
import { InvalidReplyError } from '../errors.js'
import { isJsonObject } from '../json-values.js'
import { handoffReply, isHandoff, type StepHandoff } from './handoff.js'
import type { HslMessage, Message } from '../hsl/index.js'

/** The reply object a handler may return; `status` defaults to `true`. */
export interface ReplyObject<ConversationDetails = Record<string, unknown>, UserDetails = Record<string, string>, State = never, UserState = never> {
  /** `false` files the messages as the step's failure response. */
  status?: boolean | undefined
  response: Message | readonly Message[]
  /** Haptik's docs do not say whether it replaces or merges: return the whole object. */
  conversation_details?: ConversationDetails | undefined
  user_details?: UserDetails | undefined
  /** The conversation's and the user's new state: kept by the plugin, never sent; saved only on `status: true`. */
  state?: State | undefined
  userState?: UserState | undefined
}

/** An HSL message returned alone: it has no `response` (an object with one is a reply object). */
type LoneMessage = HslMessage & { readonly response?: undefined }

/** Anything a step handler may return. */
export type StepResult<ConversationDetails = Record<string, unknown>, UserDetails = Record<string, string>, State = never, UserState = never> =
  | string
  | LoneMessage
  | readonly Message[]
  | ReplyObject<ConversationDetails, UserDetails, State, UserState>
  | StepHandoff<ConversationDetails, UserDetails>

export interface HaptikReply {
  status: boolean
  response: string[]
  conversation_details?: unknown
  user_details?: unknown
}

function toWire (message: unknown, step: string, index: number): string {
  if (typeof message === 'string') return message
  if (isJsonObject(message) && typeof message.type === 'string') return JSON.stringify(message) // as Haptik's integration docs show HSL
  throw new InvalidReplyError(step, `response[${index}] must be a string or an HSL object with a "type", got ${describeValue(message)}`)
}

export function messagesToWire (messages: readonly unknown[], step: string): string[] {
  return messages.map((message, index) => toWire(message, step, index))
}

function describeValue (value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'an array'
  return typeof value === 'object' ? 'an object without "type"' : typeof value
}

/** What a handler returned as Haptik's reply body, or `FST_HAPTIK_INVALID_REPLY` saying what is wrong. */
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

// Not the step's schemas: details go out exactly as checked, which a schema-compiled serializer would change.
export const serializeReply: (reply: HaptikReply) => string = fastJson({
  type: 'object',
  properties: {
    status: { type: 'boolean' },
    response: { type: 'array', items: { type: 'string' } },
    conversation_details: {},
    user_details: {}
  }
})
