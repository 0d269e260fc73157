import { HaptikValidationError } from './errors.js'
import { isObject } from './wire-case.js'

/** What a value is, for a message, never the value itself (inputs hold phone numbers and users' messages). */
export function kindOf (value: unknown): string {
  if (typeof value === 'string') return `a string of ${value.length} characters`
  if (typeof value === 'boolean' || value === null || value === undefined) return String(value)
  if (typeof value === 'number') return Number.isFinite(value) ? 'a number' : 'a number that is not finite'
  if (Array.isArray(value)) return 'an array'
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`
}

export function invalid (call: string, field: string, expected: string, value: unknown, got = kindOf(value)): HaptikValidationError {
  return new HaptikValidationError(`${call}: ${field} must be ${expected}, got ${got}`, call, field)
}

/** A required, non-empty string. */
export function text (call: string, field: string, value: unknown): string {
  if (typeof value !== 'string' || value.trim() === '') throw invalid(call, field, 'a non-empty string', value)
  return value
}

/** An optional string (empty allowed). */
export function optionalText (call: string, field: string, value: unknown): string | undefined {
  if (value !== undefined && typeof value !== 'string') throw invalid(call, field, 'a string', value)
  return value
}

/** An integer within [min, max]. */
export function integer (call: string, field: string, value: unknown, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    const got = typeof value !== 'number' ? kindOf(value) : !Number.isInteger(value) ? 'a number that is not an integer' : value < min ? `a number below ${min}` : `a number above ${max}`
    throw invalid(call, field, max === Number.MAX_SAFE_INTEGER ? `an integer from ${min}` : `an integer from ${min} to ${max}`, value, got)
  }
  return value
}

/** A business id as a number: the docs write it as a number and as digits (additional-apis.md:41, re-enable-webhook.md:67). */
export function businessId (call: string, value: unknown): number {
  const number = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value
  if (typeof number !== 'number' || !Number.isSafeInteger(number) || number <= 0) {
    throw invalid(call, 'businessId', "a positive integer (or digits): give it to the call, or as the client's businessId option", value)
  }
  return number
}

/** `custom_data`: "no property can have a JSON object assigned to it" (create-haptik-user.md:72-91). */
export function flatObject (call: string, field: string, value: unknown): Record<string, unknown> | undefined {
  if (value === undefined) return undefined
  if (!isObject(value)) throw invalid(call, field, 'a flat object', value)
  for (const [key, inner] of Object.entries(value)) {
    const flat = inner === null || typeof inner === 'string' || typeof inner === 'boolean' || (typeof inner === 'number' && Number.isFinite(inner))
    if (!flat) throw invalid(call, `${field}.${key}`, 'a string, a finite number, a boolean or null (Haptik takes a flat object only)', inner)
  }
  return value
}

/** An optional `AbortSignal`. */
export function optionalSignal (call: string, field: string, value: unknown): AbortSignal | undefined {
  if (value !== undefined && !(value instanceof AbortSignal)) throw invalid(call, field, 'an AbortSignal', value)
  return value
}
