import type { TSchema } from '@sinclair/typebox'
import type { FastifyRequest } from 'fastify'
import { describeType } from './describe-schema.js'
import { DetailsTooLargeError, InvalidReplyError } from './errors.js'
import type { HaptikReply } from './reply.js'

/** Largest `JSON.stringify` lengths of the details a reply may carry. */
export interface DetailsLimit {
  /** `conversation_details`. Default: 2500 characters. */
  conversationDetails?: number | undefined
  /** `user_details`. Default: 200 characters. */
  userDetails?: number | undefined
  /** Both together. Default: 500 characters. */
  combined?: number | undefined
}

/** Every details limit, set. */
export type DetailsLimits = { readonly [K in keyof DetailsLimit]-?: number }

/**
 * Haptik's documents disagree (500 characters for both details together, or
 * 2500 for the conversation's and 200 for the user's): all three hold by default.
 */
export const DEFAULT_DETAILS_LIMIT: DetailsLimits = Object.freeze({ conversationDetails: 2500, userDetails: 200, combined: 500 })

/**
 * Checks returned details against the step's schema with Fastify's own
 * validator (the route's, compiled once per route and cached by Fastify).
 */
function checkSchema (request: FastifyRequest, schema: TSchema, value: unknown, field: string, step: string): void {
  if (value === undefined) return
  const validate = request.compileValidationSchema(schema)
  if (validate(value) === true) return
  const [first] = validate.errors as Array<{ instancePath: string, message?: string }>
  throw new InvalidReplyError(step, `${field}${first.instancePath.replaceAll('/', '.')} ${first.message as string}`)
}

/** Haptik keeps user_details values as strings, whatever the step declared. */
function checkUserDetailStrings (details: unknown, step: string): void {
  if (details === undefined) return
  for (const [key, value] of Object.entries(details as Record<string, unknown>)) {
    if (typeof value !== 'string') {
      throw new InvalidReplyError(step, `user_details.${key} must be a string (Haptik keeps user details as strings), got ${describeType(value)}`)
    }
  }
}

function sizeOf (details: unknown): number {
  return details === undefined ? 0 : JSON.stringify(details).length
}

/**
 * Details over Haptik's size limits (the JSON text of what the handler
 * returned) are refused, never truncated: the message says which and by how much.
 */
function checkDetailsSize (limit: DetailsLimits | null, reply: HaptikReply, step: string): void {
  if (limit === null) return
  const conversation = sizeOf(reply.conversation_details)
  const user = sizeOf(reply.user_details)
  const over = (what: string, size: number, max: number) =>
    new DetailsTooLargeError(step, `${what} is ${size} characters, ${size - max} over the limit of ${max}`)
  if (conversation > limit.conversationDetails) throw over('conversation_details', conversation, limit.conversationDetails)
  if (user > limit.userDetails) throw over('user_details', user, limit.userDetails)
  if (conversation + user > limit.combined) {
    throw over(`conversation_details (${conversation}) and user_details (${user}) together`, conversation + user, limit.combined)
  }
}

/** What a step may return as details, resolved at registration. */
export interface DetailsRules {
  readonly conversationDetails: TSchema
  readonly userDetails: TSchema
  readonly detailsLimit: DetailsLimits | null
}

/** Throws FST_HAPTIK_INVALID_REPLY or FST_HAPTIK_DETAILS_TOO_LARGE when a reply's details break the rules. */
export function checkReplyDetails (request: FastifyRequest, rules: DetailsRules, reply: HaptikReply, step: string): void {
  if (reply.conversation_details === undefined && reply.user_details === undefined) return
  checkSchema(request, rules.conversationDetails, reply.conversation_details, 'conversation_details', step)
  checkSchema(request, rules.userDetails, reply.user_details, 'user_details', step)
  checkUserDetailStrings(reply.user_details, step)
  checkDetailsSize(rules.detailsLimit, reply, step)
}
