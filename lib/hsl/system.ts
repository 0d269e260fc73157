import { Type, type Static } from '@sinclair/typebox'
import { InvalidHslError, messageHeader, VoiceTextSchema, type VoiceOptions } from './common.js'

// SYSTEM: python-hsl hsl_builder/system.py (enum SystemEvents). The payload
// keys of chat_pinned are those of docs/webhooks/webhook-payload.md, where
// Haptik sends SYSTEM messages; python-hsl's tests use `agent`.

/** The system events python-hsl knows. */
export const SystemEventSchema = Type.Union([Type.Literal('chat_complete'), Type.Literal('chat_pinned')])
export type SystemEvent = Static<typeof SystemEventSchema>
const SYSTEM_EVENTS: readonly SystemEvent[] = SystemEventSchema.anyOf.map(member => member.const)

/** A system event in the chat: the chat completed, or pinned to an agent. */
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

/** The payload of a chat_pinned event (docs/webhooks/webhook-payload.md). */
export interface ChatPinnedPayload {
  agent_name?: string
  profile_image?: string
  team_name?: string
  [key: string]: unknown
}

/** Options of `hsl.system`. */
export interface SystemOptions<E extends SystemEvent> extends VoiceOptions {
  /** Default: `{}`. */
  payload?: (E extends 'chat_pinned' ? ChatPinnedPayload : Record<string, unknown>) | undefined
}

/** A SYSTEM message, as python-hsl's `System(text, event_name)` with its payload. */
export function system<E extends SystemEvent> (text: string, event: E, { payload = {}, voiceText }: SystemOptions<E> = {}): HslSystem {
  if (!SYSTEM_EVENTS.includes(event)) throw new InvalidHslError(`hsl.system: the event must be ${SYSTEM_EVENTS.join(' or ')}`)
  return { ...messageHeader(text, 'SYSTEM', voiceText), data: { event_name: event, payload } }
}
