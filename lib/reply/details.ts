import type { FastifyRequest } from 'fastify'
import { DetailsTooLargeError, InvalidReplyError } from '../errors.js'
import type { HaptikReply } from './normalize-reply.js'
import { describeType } from '../json-values.js'

/** Largest `JSON.stringify` lengths of a reply's details; defaults 2500, 200 and 500 for both `combined`. */
export interface DetailsLimit {
  conversationDetails?: number | undefined
  userDetails?: number | undefined
  combined?: number | undefined
}

export type DetailsLimits = { readonly [K in keyof DetailsLimit]-?: number }

// Haptik's documents disagree (500 for both details, or 2500 and 200 apart): all three hold.
export const DEFAULT_DETAILS_LIMIT: DetailsLimits = Object.freeze({ conversationDetails: 2500, userDetails: 200, combined: 500 })

function describeNonJson (value: unknown): string {
  if (typeof value === 'number') return String(value)
  if (typeof value !== 'object' || value === null) return `a ${typeof value}`
  const name = (value as { constructor?: { name?: unknown } }).constructor?.name
  if (typeof name !== 'string' || name === '') return 'an object with a prototype'
  return `${/^[aeiou]/i.test(name) ? 'an' : 'a'} ${name}`
}

function pathOf (field: string, keys: ReadonlyArray<string | number>): string {
  return field + keys.map(key => typeof key === 'number' ? `[${key}]` : `.${key}`).join('')
}

function notJson (step: string, field: string, keys: ReadonlyArray<string | number>, what: string): Error {
  return new InvalidReplyError(step, `${pathOf(field, keys)} is ${what}; details must be JSON data (strings, finite numbers, booleans, null, lists and plain objects)`)
}

/**
 * A copy of details as JSON carries them (`undefined` properties left out, `toJSON` applied, no prototypes), or
 * FST_HAPTIK_INVALID_REPLY naming the first value JSON would change or lose (a class instance, NaN, a cycle, …).
 */
function jsonCopy (value: unknown, field: string, step: string, ancestors: object[], keys: Array<string | number>): unknown {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return value
    case 'number':
      if (Number.isFinite(value)) return value === 0 ? 0 : value // -0 is 0 in JSON
      throw notJson(step, field, keys, describeNonJson(value))
    case 'object':
      break
    default:
      throw notJson(step, field, keys, describeNonJson(value))
  }
  if (value === null) return null
  const { toJSON } = value as { toJSON?: unknown }
  if (typeof toJSON === 'function') return jsonCopy(toJSON.call(value), field, step, ancestors, keys)
  if (ancestors.includes(value)) throw notJson(step, field, keys, 'a reference to itself (a cycle)')
  ancestors.push(value)
  let copy: unknown
  if (Array.isArray(value)) {
    const list: unknown[] = []
    for (let index = 0; index < value.length; index++) {
      keys.push(index)
      const item: unknown = value[index]
      if (item === undefined) throw new InvalidReplyError(step, `${pathOf(field, keys)} is undefined, which JSON would send as null`)
      list.push(jsonCopy(item, field, step, ancestors, keys))
      keys.pop()
    }
    copy = list
  } else if ([Object.prototype, null].includes(Object.getPrototypeOf(value))) {
    const object: Record<string, unknown> = Object.create(null)
    for (const key of Object.keys(value)) {
      const item = (value as Record<string, unknown>)[key]
      if (item === undefined) continue
      keys.push(key)
      object[key] = jsonCopy(item, field, step, ancestors, keys)
      keys.pop()
    }
    copy = object
  } else {
    throw notJson(step, field, keys, describeNonJson(value))
  }
  ancestors.pop()
  return copy
}

function firstChange (returned: unknown, validated: unknown, path: string): string | undefined {
  if (typeof returned !== 'object' || returned === null || typeof validated !== 'object' || validated === null) {
    return Object.is(returned, validated)
      ? undefined
      : `${path} is ${describeType(returned)}, and the schema asks for ${describeType(validated)}`
  }
  for (const [key, value] of Object.entries(returned)) {
    if (!(key in validated)) return `${path}.${key} is not in the schema, which would drop it`
    const change = firstChange(value, (validated as Record<string, unknown>)[key], `${path}.${key}`)
    if (change !== undefined) return change
  }
  return undefined
}

interface CheckedJson {
  readonly value: unknown
  readonly text: string
}

/**
 * A returned value (details, state) checked against the step's schema with the route's validator, on a copy:
 * a value Ajv would coerce or drop is refused, never sent changed; defaults it fills in are kept.
 */
function checkedValue (request: FastifyRequest, schema: object, value: unknown, field: string, step: string, keptAs = 'details are sent as the handler returns them'): unknown {
  return value === undefined ? undefined : checkedData(request, schema, value, field, step, keptAs).value
}

export function checkedData (request: FastifyRequest, schema: object, value: unknown, field: string, step: string, keptAs: string): CheckedJson {
  const copy = jsonCopy(value, field, step, [], [])
  return checkedJson(request, schema, JSON.stringify(copy), field, reason => new InvalidReplyError(step, reason), keptAs, copy)
}

/** JSON text (what a store kept, say) and its data `copy`, checked as `checkedValue` checks a returned value. */
export function checkedJson (request: FastifyRequest, schema: object, text: string, field: string, refuse: (reason: string) => Error, keptAs: string, copy: unknown): CheckedJson {
  const validate = request.compileValidationSchema(schema)
  if (validate(copy) !== true) {
    const [first] = validate.errors as Array<{ instancePath: string, message?: string }>
    throw refuse(`${field}${first.instancePath.replaceAll('/', '.')} ${first.message as string}`)
  }
  const validated = JSON.stringify(copy)
  if (validated !== text) {
    const change = firstChange(JSON.parse(text), copy, field)
    if (change !== undefined) throw refuse(`${change}; ${keptAs}, never converted`)
  }
  return { value: copy, text: validated }
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

/** Details over the size limits are refused, never truncated. */
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

/** The step's details schemas and limits, resolved at registration. */
export interface DetailsRules {
  readonly conversationDetails: object
  readonly userDetails: object
  readonly detailsLimit: DetailsLimits | null
}

/** The reply with its details as they will be sent, or FST_HAPTIK_INVALID_REPLY or FST_HAPTIK_DETAILS_TOO_LARGE. */
export function checkReplyDetails (request: FastifyRequest, rules: DetailsRules, reply: HaptikReply, step: string): HaptikReply {
  if (reply.conversation_details === undefined && reply.user_details === undefined) return reply
  const checked: HaptikReply = { status: reply.status, response: reply.response }
  const conversationDetails = checkedValue(request, rules.conversationDetails, reply.conversation_details, 'conversation_details', step)
  const userDetails = checkedValue(request, rules.userDetails, reply.user_details, 'user_details', step)
  checkUserDetailStrings(userDetails, step)
  if (conversationDetails !== undefined) checked.conversation_details = conversationDetails
  if (userDetails !== undefined) checked.user_details = userDetails
  checkDetailsSize(rules.detailsLimit, checked, step)
  return checked
}
