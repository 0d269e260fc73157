import { Type, type Static } from '@sinclair/typebox'
import { messageHeader, nonEmptyText, VoiceTextSchema, type VoiceOptions } from './common.js'

// SILENT: python-hsl hsl_builder/silent.py (its `actions` go out as
// `data.silent_actions`) and elements/silent_action.py. Not in Haptik's docs.

/**
 * One silent action: a free `type` and its data, where python-hsl writes the
 * action id as `Id` (capital I) and `via_name` after the caller's own keys.
 */
export const SilentActionSchema = Type.Object({
  type: Type.String({ minLength: 1 }),
  data: Type.Object({
    // python-hsl types the id as int and documents it as str.
    Id: Type.Union([Type.Integer(), Type.String()]),
    via_name: Type.String({ description: 'via_name of the business' })
  })
}, { title: 'HslSilentAction' })
export type SilentAction = Static<typeof SilentActionSchema> & { data: Record<string, unknown> }

/** A message that makes the app act without showing anything. */
export const HslSilentSchema = Type.Object({
  text: Type.String(),
  type: Type.Literal('SILENT'),
  voice_text: VoiceTextSchema,
  data: Type.Object({ silent_actions: Type.Array(SilentActionSchema) })
}, { title: 'HslSilent' })
/** A SILENT message; its actions' data may carry keys of their own before `Id` and `via_name`. */
export type HslSilent = Omit<Static<typeof HslSilentSchema>, 'data'> & { data: { silent_actions: SilentAction[] } }

/**
 * One silent action, as python-hsl's `SilentAction(type, id, via_name)` with
 * its `data`: `data`'s own keys first, then `Id` and `via_name`, which
 * overwrite keys of the same name in place (as python-hsl's to_hsl() does).
 */
export function silentAction (type: string, id: number | string, viaName: string, data: Record<string, unknown> = {}): SilentAction {
  return { type: nonEmptyText(type, 'hsl.silentAction', 'the type'), data: { ...data, Id: id, via_name: viaName } }
}

/** A SILENT message with its actions, as python-hsl's `Silent(text)`. */
export function silent (text: string, actions: readonly SilentAction[], { voiceText }: VoiceOptions = {}): HslSilent {
  return { ...messageHeader(text, 'SILENT', voiceText), data: { silent_actions: [...actions] } }
}
