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
