import { Type, type Static } from '@sinclair/typebox'
import { TypeCompiler, type ValueError } from '@sinclair/typebox/compiler'
import { messageFromWire, type Message } from '../hsl/index.js'

// Haptik's Bot API webhook, from hellohaptik/docs_haptik docs/webhooks/webhook-payload.md:16-299. The docs ask receivers
// to guard every key (:303) and expect new ones (:304): every field is optional, every object keeps unknown keys.

const Loose = { additionalProperties: true } as const

/** `user`: the user the event is about. */
const WebhookUserSchema = Type.Object({
  auth_id: Type.Optional(Type.String({ description: 'Your own identifier of the user' })),
  user_id: Type.Optional(Type.Union([Type.String(), Type.Number()], { description: "Haptik's user id" })),
  user_name: Type.Optional(Type.String()),
  device_platform: Type.Optional(Type.Union([Type.Number(), Type.String()], { description: '5 Web SDK, 13 Bot API (bot-configuration/webhooks.md); 14 WhatsApp and the others in integrations/integration-parameters.md' })),
  device_platform_name: Type.Optional(Type.String()),
  phone_model: Type.Optional(Type.String()),
  os_version: Type.Optional(Type.String()),
  package_name: Type.Optional(Type.String())
}, { ...Loose, description: 'All user info (webhook-payload.md:33-38)' })

/** `agent`: who sent the message, a bot ("gogo") or a person. */
const WebhookAgentSchema = Type.Object({
  id: Type.Optional(Type.Number({ description: 'Unique identifier of the agent' })),
  name: Type.Optional(Type.String({ description: 'Name of the agent, or "gogo" for the bot' })),
  profile_image: Type.Optional(Type.String()),
  is_automated: Type.Optional(Type.Boolean({ description: 'false when a person sent the reply' })),
  email: Type.Optional(Type.Union([Type.String(), Type.Null()], { description: 'null when automated' }))
}, { ...Loose, description: 'All agent info (webhook-payload.md:49-70)' })

/** `message`: what was sent to the user; `body` is HSL. */
const WebhookMessageSchema = Type.Object({
  id: Type.Optional(Type.Union([Type.Number(), Type.String()], { description: 'Unique identifier of the message (webhook-payload.md:77-78): a number, or text when Haptik sends text or a number with more digits than a JavaScript number keeps' })),
  body: Type.Optional(Type.Unknown({ description: 'The message, in HSL (https://docs.haptik.ai/hsl/)' }))
}, { ...Loose, description: 'All message info (webhook-payload.md:73-85)' })

/** What every event carries. */
const common = {
  version: Type.Optional(Type.String({ description: 'Webhook version' })),
  timestamp: Type.Optional(Type.String({ description: 'When Haptik made the request (ISO 8601)' })),
  user: Type.Optional(WebhookUserSchema),
  business_id: Type.Optional(Type.Number({ description: "Your business's id at Haptik" })),
  business_name: Type.Optional(Type.String()),
  agent: Type.Optional(WebhookAgentSchema)
}

/** `data` of `webhook_conversation_complete` (webhook-payload.md:236-299). */
const ConversationCompleteDataSchema = Type.Object({
  conversation_no: Type.Optional(Type.Union([Type.Number(), Type.String()])),
  collection_id: Type.Optional(Type.Union([Type.Number(), Type.String()])),
  conversation_identifier: Type.Optional(Type.Union([Type.Number(), Type.String()])),
  chat_link: Type.Optional(Type.String({ description: 'Deprecated: complete_chat_link' })),
  complete_chat_link: Type.Optional(Type.String()),
  completion_type: Type.Optional(Type.String({ description: 'Who completed it, e.g. "agent"' })),
  completion_by: Type.Optional(Type.String()),
  closing_categories: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
  conversation_details: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
  user_details: Type.Optional(Type.Record(Type.String(), Type.Unknown()))
}, Loose)

/** The events the docs describe, by `event_name`. */
export const WebhookEventSchemas = {
  /** A bot or agent message to the user. */
  message: Type.Object({ ...common, event_name: Type.Literal('message'), message: Type.Optional(WebhookMessageSchema) }, { ...Loose, title: 'HaptikMessageEvent' }),
  /** An agent took the chat. */
  chat_pinned: Type.Object({ ...common, event_name: Type.Literal('chat_pinned'), message: Type.Optional(WebhookMessageSchema) }, { ...Loose, title: 'HaptikChatPinnedEvent' }),
  /** The chat was completed (deprecated: `webhook_conversation_complete`). */
  chat_complete: Type.Object({ ...common, event_name: Type.Literal('chat_complete'), message: Type.Optional(WebhookMessageSchema) }, { ...Loose, title: 'HaptikChatCompleteEvent' }),
  /** The conversation was completed, with its details. */
  webhook_conversation_complete: Type.Object({
    ...common,
    event_name: Type.Literal('webhook_conversation_complete'),
    follow_up_details: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
    data: Type.Optional(ConversationCompleteDataSchema)
  }, { ...Loose, title: 'HaptikConversationCompleteEvent' })
} as const

/** The names of the events Haptik documents. */
export type WebhookEventName = keyof typeof WebhookEventSchemas

/** An event as a handler receives it: `message.body` read as a `Message` (HSL typed, or text). */
export type WebhookEvent<Name extends WebhookEventName = WebhookEventName> = Name extends 'webhook_conversation_complete'
  ? Static<typeof WebhookEventSchemas[Name]>
  : Omit<Static<typeof WebhookEventSchemas[Name]>, 'message'> & { message?: { id?: number | string, body?: Message, [extra: string]: unknown } }

export const WEBHOOK_EVENTS = Object.keys(WebhookEventSchemas) as readonly WebhookEventName[]

/** A `message.body` as a Message: an HSL object with a string `type`, or text (read as a reply's wire messages are). */
export function bodyMessage (body: unknown): unknown {
  if (typeof body === 'string') return messageFromWire(body)
  return body
}

/** Checks a body against an event's schema, compiled once: the first mismatch (where and what, never the value), or undefined. */
export function eventCheck (name: WebhookEventName): (body: unknown) => string | undefined {
  const compiled = TypeCompiler.Compile(WebhookEventSchemas[name])
  return body => {
    if (compiled.Check(body)) return undefined
    const first = compiled.Errors(body).First() as ValueError
    return `${first.path}: ${first.message.toLowerCase()}`
  }
}
