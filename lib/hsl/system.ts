import { Type, type Static } from '@sinclair/typebox'
import { InvalidHslError, messageHeader, VoiceTextSchema, type VoiceOptions } from './common.js'

// SYSTEM: python-hsl hsl_builder/system.py (enum SystemEvents); chat_pinned's keys: docs/webhooks/webhook-payload.md.

export const SystemEventSchema = Type.Union([Type.Literal('chat_complete'), Type.Literal('chat_pinned')])
export type SystemEvent = Static<typeof SystemEventSchema>
const SYSTEM_EVENTS: readonly SystemEvent[] = SystemEventSchema.anyOf.map(member => member.const)

export const HslSystemSchema = Type.Object({
  text: Type.String(),
  type: Type.Literal('SYSTEM'),
  voice_text: VoiceTextSchema,
  data: Type.Object({
    event_name: SystemEventSchema,
    payload: Type.Record(Type.String(), Type.Unknown(), { description: 'chat_pinned: agent_name, profile_image, team_name, …' })
  })
}, { title: 'HslSystem' })
export type HslSystem = Static<typeof HslSystemSchema>

export interface ChatPinnedPayload {
  agent_name?: string
  profile_image?: string
  team_name?: string
  [key: string]: unknown
}

export interface SystemOptions<E extends SystemEvent> extends VoiceOptions {
  payload?: (E extends 'chat_pinned' ? ChatPinnedPayload : Record<string, unknown>) | undefined
}

/** A SYSTEM message, as python-hsl's `System(text, event_name)` with its payload. */
export function system<E extends SystemEvent> (text: string, event: E, { payload = {}, voiceText }: SystemOptions<E> = {}): HslSystem {
  if (!SYSTEM_EVENTS.includes(event)) throw new InvalidHslError(`hsl.system: the event must be ${SYSTEM_EVENTS.join(' or ')}`)
  return { ...messageHeader(text, 'SYSTEM', voiceText), data: { event_name: event, payload } }
}
