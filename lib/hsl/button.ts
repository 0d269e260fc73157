import { Type, type Static } from '@sinclair/typebox'
import { ActionableSchema, type Actionable } from './actionable.js'
import { messageHeader, nonEmptyList, nonEmptyText, VoiceTextSchema, type NonEmpty, type NonEmptyList, type VoiceOptions } from './common.js'

// BUTTON: python-hsl hsl_builder/button.py (`actionables` go out as `data.items`); docs/hsl/button.md.

export const HslButtonSchema = Type.Object({
  text: Type.String({ minLength: 1 }),
  type: Type.Literal('BUTTON'),
  voice_text: VoiceTextSchema,
  data: Type.Object({ items: Type.Array(ActionableSchema, { minItems: 1 }) })
}, { title: 'HslButton' })
export type HslButton = Static<typeof HslButtonSchema>

/** A text with at least one button. As python-hsl's `Button(text)` with its `actionables`. */
export function button<T extends string, const N extends number> (message: NonEmpty<T>, actions: NonEmptyList<Actionable, N, 'a button message needs at least one button'>, { voiceText }: VoiceOptions = {}): HslButton {
  const header = messageHeader(nonEmptyText(message, 'hsl.button', 'the text'), 'BUTTON', voiceText)
  return { ...header, data: { items: [...nonEmptyList(actions, 'hsl.button', 'the buttons')] } }
}
