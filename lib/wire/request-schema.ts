import { Type, type Static, type TObject, type TSchema } from '@sinclair/typebox'
import { isScalarSchema, keywordsOf, listItems, propertiesOf, requiredOf, withoutModifiers, type JsonSchema, type ObjectSchema } from '../schema-reading.js'

/** "event type e.g. API_INTEGRATION" (docs/bot-builder/integrations/integration-parameters.md): an example, so any event passes. */
export const HAPTIK_EVENT = 'API_INTEGRATION'

/** `user` in Haptik's request: who is chatting. Extra fields are tolerated. */
export const HaptikUserSchema = Type.Object({
  user_id: Type.Optional(Type.Union([Type.String(), Type.Number()], { description: 'Haptik user id' })),
  user_name: Type.Optional(Type.String({ description: 'Haptik user name' })),
  full_name: Type.Optional(Type.String({ description: 'Full name; may be empty' })),
  device_platform: Type.Optional(Type.Number({ description: '2 Android, 3 Facebook, 5 Web SDK, 6 iOS, 13 Bot API, 14 WhatsApp, …' })),
  language_code: Type.Optional(Type.String({ description: 'Current language, e.g. "en"' })),
  auth_id: Type.Optional(Type.String({ description: 'Client-side user id from the SDK AuthInfo; may be empty' })),
  auth_code: Type.Optional(Type.String({ description: 'Auth code from the SDK AuthInfo; may be empty' }))
}, { title: 'HaptikUser', description: 'The user chatting with the bot' })
export type HaptikUser = Static<typeof HaptikUserSchema>

/** One detection of an entity: how Haptik found it and the value it found. */
export function DetectionSchema<T extends TSchema> (value: T) {
  return Type.Object({
    detection: Type.Optional(Type.String({ description: 'How the value was found: message, user_profile, default, structure_value_verified, …' })),
    original_text: Type.Optional(Type.String({ description: 'The text that matched' })),
    entity_value: value
  })
}

export function entityValueSchema (declared: JsonSchema): TSchema {
  const schema = withoutModifiers(declared)
  return isScalarSchema(declared)
    ? Type.Union([schema, Type.Object({ value: schema })])
    : schema
}

/** An array entity's `minItems`/`maxItems` bound its detections (`uniqueItems` cannot be checked on them). */
export function listBounds (declared: JsonSchema, required: boolean): { minItems: number, maxItems?: number } {
  const bounds: { minItems: number, maxItems?: number } = { minItems: required ? 1 : 0 }
  if (listItems(declared) !== undefined) {
    const { minItems, maxItems } = keywordsOf(declared) as { minItems?: number, maxItems?: number }
    // An optional entity sent as [] is absent, whatever its own minimum.
    if (required) bounds.minItems = Math.max(1, minItems ?? 0)
    if (maxItems !== undefined) bounds.maxItems = maxItems
  }
  return bounds
}

const ENTITIES_DESCRIPTION = 'One list of detections per entity'

function EntitiesEnvelopeSchema (entities: ObjectSchema): TObject {
  const properties: Record<string, TSchema> = {}
  const required = new Set(requiredOf(entities))
  for (const [name, declared] of propertiesOf(entities)) {
    const value = listItems(declared) ?? declared
    const { description } = keywordsOf(declared) as { description?: string }
    const detections = Type.Array(DetectionSchema(entityValueSchema(value)), { ...listBounds(declared, required.has(name)), ...(description === undefined ? {} : { description }) })
    properties[name] = required.has(name) ? detections : Type.Optional(detections)
  }
  return Type.Object(properties, { description: ENTITIES_DESCRIPTION })
}

/** The full body Haptik POSTs to a step, with the step's entities typed. */
export function EnvelopeSchema (entities: ObjectSchema) {
  return envelopeWith(EntitiesEnvelopeSchema(entities))
}

/** Names no entity, so not even Ajv's `removeAdditional: 'all'` removes one (request-validation.ts checks them). */
export const AnyStepEnvelopeSchema = envelopeWith(Type.Unsafe<HaptikEnvelope['entities']>({ type: 'object', description: ENTITIES_DESCRIPTION }))

function envelopeWith<Entities extends TSchema> (entities: Entities) {
  return Type.Object({
    step: Type.Optional(Type.String({ description: 'System name of the step (2023 bots)' })),
    node: Type.Optional(Type.String({ description: 'System name of the step (older bots)' })),
    event: Type.Optional(Type.String({ description: 'The event type, e.g. API_INTEGRATION' })),
    user: Type.Optional(HaptikUserSchema),
    conversation_no: Type.Optional(Type.Integer({ description: "The user's current conversation number" })),
    conversation_details: Type.Optional(Type.Record(Type.String(), Type.Unknown(), { default: {}, description: 'Conversation-scoped context' })),
    user_details: Type.Optional(Type.Record(Type.String(), Type.Unknown(), { default: {}, description: 'User-scoped data, kept across conversations' })),
    env_variables: Type.Optional(Type.Record(Type.String(), Type.String(), { default: {}, description: "The bot's variables for the current environment" })),
    entities
  }, { title: 'HaptikRequest' })
}

/** The request body as the handler sees it, whatever the step. */
export interface HaptikEnvelope {
  step?: string
  node?: string
  event?: string
  user?: HaptikUser
  conversation_no?: number
  conversation_details?: Record<string, unknown>
  user_details?: Record<string, unknown>
  env_variables?: Record<string, string>
  entities: Record<string, Array<{ detection?: string, original_text?: string, entity_value: unknown }>>
  [extra: string]: unknown
}
