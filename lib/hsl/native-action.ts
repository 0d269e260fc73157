import { Type, type Static } from '@sinclair/typebox'
import { messageHeader, nonEmptyText, VoiceTextSchema, type VoiceOptions } from './common.js'

// NATIVE_ACTION: python-hsl hsl_builder/native_action.py; not in Haptik's docs.

export const HslNativeActionSchema = Type.Object({
  text: Type.String(),
  type: Type.Literal('NATIVE_ACTION'),
  voice_text: VoiceTextSchema,
  data: Type.Object({ method: Type.String({ minLength: 1, description: 'The app method to call' }) })
}, { title: 'HslNativeAction' })
export type HslNativeAction = Static<typeof HslNativeActionSchema>

/** A NATIVE_ACTION message, as python-hsl's `NativeAction(text, method)`. */
export function nativeAction (text: string, method: string, { voiceText }: VoiceOptions = {}): HslNativeAction {
  return { ...messageHeader(text, 'NATIVE_ACTION', voiceText), data: { method: nonEmptyText(method, 'hsl.nativeAction', 'the method') } }
}
