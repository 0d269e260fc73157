import { Type } from '@sinclair/typebox'

// What every HSL message family shares. The reference for the shapes is
// Haptik's own builder, hellohaptik/python-hsl (hsl_builder/*.py): each
// builder here emits what its `to_hsl()` emits, key for key and in the same
// order. Keys python-hsl never emits are added only where Haptik's HSL docs
// (hellohaptik/docs_haptik, docs/hsl/*.md) show them. The schemas are wider
// than the builders: they accept python-hsl's output and the docs' samples,
// which leave out some keys python-hsl always writes (voice_text, uri, meta, …).

/**
 * A string the type system knows is not `''` (when it is a literal). An empty
 * one is refused with a type that says why, which the compiler's message quotes.
 */
export type NonEmpty<T extends string> = T extends '' ? 'a label or text that must not be empty' : T

/**
 * A list of at least one item. An empty literal list does not compile, with
 * a type that says why; a list built from data (`items.map(...)`, typed
 * `Item[]`) compiles and is checked when the builder is called.
 */
export type NonEmptyList<Item, N extends number, Why extends string> = readonly Item[] &
  // `0` makes an array literal a tuple, so that `[]` has the length 0 and `[a, b]` its own.
  { readonly 0?: Item, readonly length: N } &
  (N extends 0 ? { readonly [K in Why]: true } : unknown)

/**
 * What a builder throws when it is given what Haptik cannot render (an empty
 * carousel, an empty label, …), when TypeScript could not tell (values from
 * data). Its code is the plugin's invalid-reply code: in a step's handler it
 * takes the step's failure path, as an invalid reply does.
 */
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

/** A label or text that must not be empty, checked; `builder` names the call (`hsl.quickReply`). */
export function nonEmptyText<T extends string> (value: T, builder: string, what: string): T {
  if (typeof value !== 'string' || value === '') throw new InvalidHslError(`${builder}: ${what} must be a non-empty string, got ${described(value)}`)
  return value
}

/** A list that must have an item, checked. */
export function nonEmptyList<T> (value: readonly T[], builder: string, what: string): readonly T[] {
  if (!Array.isArray(value) || value.length === 0) throw new InvalidHslError(`${builder}: ${what} must be a list of at least one, got ${described(value)}`)
  return value
}

/** The option every message builder but `hsl.form` takes. */
export interface VoiceOptions {
  /**
   * What a voice bot speaks instead of showing `text` (Haptik's `voice_text`;
   * its bot builder calls it "Voice Says" and takes SSML tags there). Default
   * `''`, as in Haptik's builder (hsl_builder/base.py).
   */
  voiceText?: string | undefined
}

/**
 * `voice_text`: python-hsl's BaseElement writes it on every message but FORM,
 * `""` by default; no docs_haptik sample has it, so the schemas do not require it.
 */
export const VoiceTextSchema = Type.Optional(Type.String({ description: 'What voice bots speak (SSML allowed); "" for none' }))

/** `{ text, type, voice_text }`, the first keys of every message python-hsl builds (hsl_builder/base.py). */
export function messageHeader<T extends string, M extends string> (text: M, type: T, voiceText = ''): { text: M, type: T, voice_text: string } {
  return { text, type, voice_text: voiceText }
}
