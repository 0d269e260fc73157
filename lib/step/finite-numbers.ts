import type { HaptikEnvelope } from '../wire/request-schema.js'
import { cap } from '../untrusted.js'

// JSON.parse reads 1e400 as Infinity, and Fastify's Ajv coerces "1e400" to Infinity after its type
// check (and lets -Infinity past a `maximum`): numbers that reach a handler are checked to be finite.

interface NonFinite {
  /** `''` for the value itself. */
  readonly path: string
  readonly value: number
}

export function firstNonFinite (value: unknown, path = ''): NonFinite | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? undefined : { path, value }
  if (typeof value !== 'object' || value === null) return undefined
  for (const [key, item] of Object.entries(value)) {
    const found = firstNonFinite(item, Array.isArray(value) ? `${path}[${key}]` : path === '' ? key : `${path}.${key}`)
    if (found !== undefined) return found
  }
  return undefined
}

/** The end of a message about a non-finite number: ` field "a.b" must be a finite number, got Infinity (…)`. */
export function nonFiniteMessage ({ path, value }: NonFinite): string {
  const field = path === '' ? '' : ` field "${cap(path, 'path')}"`
  return `${field} must be a finite number, got ${String(value)} (a number too large to represent, such as 1e400)`
}

/** The validator coerces the string "1e400" to Infinity, and lets it pass as an integer. */
export function nonFiniteEnvelopeField ({ conversation_no: conversationNo, user }: HaptikEnvelope): NonFinite | undefined {
  return firstNonFinite(conversationNo, 'conversation_no') ?? firstNonFinite(user?.device_platform, 'user.device_platform')
}
