import { HAPTIK_EVENT, type HaptikEnvelope, type HaptikUser } from '../wire/request-schema.js'
import { listItems, requiredOf } from '../schema-reading.js'
import type { AnyStep } from '../step/define-step.js'
import { exampleOf } from './example-values.js'

const SAMPLE_USER: Readonly<HaptikUser> = Object.freeze({ user_id: '5120931', user_name: 'hk_8f2c1e', full_name: 'Asha Rao', device_platform: 5, language_code: 'en', auth_id: '', auth_code: '' })

/** The text a user might have typed for a value, as a detection's `original_text`: the value's text, else the entity's name in words. */
function originalText (value: unknown, name: string): string {
  if (typeof value === 'string') return value
  if (typeof value !== 'object' || value === null) return String(value)
  const inner = (value as { value?: unknown }).value
  return typeof inner === 'string' || typeof inner === 'number' ? String(inner) : name.replaceAll('_', ' ')
}

/** The values of an entity as a detection list: a list entity's values one by one (any list, for a step known by name). */
function detectionsOf (step: AnyStep | string, name: string, given: unknown) {
  const declared = typeof step === 'string' ? undefined : step.entities.properties[name]
  const values = (declared === undefined || listItems(declared) !== undefined) && Array.isArray(given) ? given : [given]
  return values.map(value => ({ detection: 'message', original_text: originalText(value, name), entity_value: value }))
}

/**
 * A whole request for a step, as Haptik POSTs it, with the given entity values
 * as detection lists, or, when none are given, values made from the schemas of
 * the step's required entities: `exampleRequest(productPrice, { product_name: 'speaker' })`.
 */
export function exampleRequest (step: AnyStep | string, values?: Record<string, unknown>): HaptikEnvelope {
  const entities: HaptikEnvelope['entities'] = {}
  if (values !== undefined) {
    for (const [name, given] of Object.entries(values)) if (given !== undefined) entities[name] = detectionsOf(step, name, given)
  } else if (typeof step !== 'string') {
    for (const name of requiredOf(step.entities)) {
      const declared = step.entities.properties[name]
      const items = listItems(declared)
      entities[name] = detectionsOf(step, name, items === undefined ? exampleOf(declared, name) : [exampleOf(items, name)])
    }
  }
  return { step: typeof step === 'string' ? step : step.name, event: HAPTIK_EVENT, user: { ...SAMPLE_USER }, conversation_no: 1, conversation_details: {}, user_details: {}, env_variables: {}, entities }
}
