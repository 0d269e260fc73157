import { Type, type Static } from '@sinclair/typebox'
import { messageHeader, nonEmptyText, VoiceTextSchema, type VoiceOptions } from './common.js'

// SILENT: python-hsl hsl_builder/silent.py (`actions` go out as `data.silent_actions`), elements/silent_action.py.

export const SilentActionSchema = Type.Object({
  type: Type.String({ minLength: 1 }),
  data: Type.Object({
    Id: Type.Union([Type.Integer(), Type.String()]), // python-hsl types it int and documents it str
    via_name: Type.String({ description: 'via_name of the business' })
  })
}, { title: 'HslSilentAction' })
export type SilentAction = Static<typeof SilentActionSchema> & { data: Record<string, unknown> }

export const HslSilentSchema = Type.Object({
  text: Type.String(),
  type: Type.Literal('SILENT'),
  voice_text: VoiceTextSchema,
  data: Type.Object({ silent_actions: Type.Array(SilentActionSchema) })
}, { title: 'HslSilent' })
/** A SILENT message; its actions' data may carry keys of their own before `Id` and `via_name`. */
export type HslSilent = Omit<Static<typeof HslSilentSchema>, 'data'> & { data: { silent_actions: SilentAction[] } }

/** As python-hsl's `SilentAction(type, id, via_name)`: `data`'s keys, then `Id` and `via_name` over them in place. */
export function silentAction (type: string, id: number | string, viaName: string, data: Record<string, unknown> = {}): SilentAction {
  return { type: nonEmptyText(type, 'hsl.silentAction', 'the type'), data: { ...data, Id: id, via_name: viaName } }
}

/** A SILENT message with its actions, as python-hsl's `Silent(text)`. */
export function silent (text: string, actions: readonly SilentAction[], { voiceText }: VoiceOptions = {}): HslSilent {
  return { ...messageHeader(text, 'SILENT', voiceText), data: { silent_actions: [...actions] } }
}
