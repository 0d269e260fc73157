import { Type } from '@sinclair/typebox'

// Builders emit what python-hsl's to_hsl() emits (hsl_builder/*.py); see CONTRIBUTING's Architecture.

/** A string literal that is not `''`; an empty one is refused with a type that says why. */
export type NonEmpty<T extends string> = T extends '' ? 'a label or text that must not be empty' : T

/** A list of at least one item: an empty literal list does not compile; one built from data is checked at run time. */
export type NonEmptyList<Item, N extends number, Why extends string> = readonly Item[] &
  // `0` makes an array literal a tuple, so that `[]` has the length 0 and `[a, b]` its own.
  { readonly 0?: Item, readonly length: N } &
  (N extends 0 ? { readonly [K in Why]: true } : unknown)

/** Thrown for a message with nothing to show (an empty label, an empty carousel, …), which the builders refuse; in a handler it takes the failure path, as an invalid reply. */
export class InvalidHslError extends Error {
  readonly code = 'FST_HAPTIK_INVALID_REPLY'
  readonly statusCode = 500

  constructor (message: string) {
    super(message)
    this.name = 'InvalidHslError'
  }
}

function described (value: unknown): string {
  if (value === '') return 'an empty string'
  if (value === null) return 'null'
  if (value === undefined) return 'nothing'
  if (Array.isArray(value)) return value.length === 0 ? 'an empty list' : 'a list'
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`
}

export function nonEmptyText<T extends string> (value: T, builder: string, what: string): T {
  if (typeof value !== 'string' || value === '') throw new InvalidHslError(`${builder}: ${what} must be a non-empty string, got ${described(value)}`)
  return value
}

export function nonEmptyList<T> (value: readonly T[], builder: string, what: string): readonly T[] {
  if (!Array.isArray(value) || value.length === 0) throw new InvalidHslError(`${builder}: ${what} must be a list of at least one, got ${described(value)}`)
  return value
}

export interface VoiceOptions {
  /** What a voice bot speaks instead of `text` (`voice_text`, SSML allowed). Default `''` (python-hsl hsl_builder/base.py). */
  voiceText?: string | undefined
}

// Optional: python-hsl writes it on every message but FORM; no docs_haptik sample has it.
export const VoiceTextSchema = Type.Optional(Type.String({ description: 'What voice bots speak (SSML allowed); "" for none' }))

/** The first keys of every message python-hsl builds (hsl_builder/base.py). */
export function messageHeader<T extends string, M extends string> (text: M, type: T, voiceText = ''): { text: M, type: T, voice_text: string } {
  return { text, type, voice_text: voiceText }
}
