// The benchmark's workload: Haptik's own sample step (product_price), a
// realistic signed request of about 1.5 KB, and the replies every server must give.
import { createHmac } from 'node:crypto'
import { Type } from '@sinclair/typebox'

export const SECRET = 'bench-secret'
export const STEP = 'product_price'
export const ENTITIES = Type.Object({
  product_name: Type.Union([Type.Literal('speaker'), Type.Literal('powerbank')]),
  quantity: Type.Optional(Type.Integer({ minimum: 1 }))
})

export const REPLIES = {
  speaker: 'The Wireless Radio Alarm Clock Speaker can be yours only for Rs.1599',
  powerbank: 'The Ambrane Powerbank can be yours only for Rs.1799'
}

/** The reply of Haptik's sample, for every server. */
export function answer (product) {
  return { status: true, response: [REPLIES[product]] }
}

/** A request body of Haptik's shape, padded to about `size` bytes with conversation details; `userId` names the conversation's user. */
export function body (product, size = 1536, userId = '5120931') {
  const envelope = {
    step: STEP,
    event: 'API_INTEGRATION',
    user: {
      user_id: userId,
      user_name: 'hk_8f2c1e0a9b',
      full_name: 'Asha Rao',
      device_platform: 5,
      language_code: 'en',
      auth_id: 'client-7781-5520',
      auth_code: 'c0de-5ecr3t-7781'
    },
    conversation_no: 3,
    conversation_details: { cart_id: 'C-7781', last_seen: 'speakers', notes: '' },
    user_details: { name: 'Asha Rao', city: 'Pune', language_code: 'en', tier: 'gold' },
    env_variables: { ORDERS_API: 'https://orders.example.test/v1', CATALOG_API: 'https://catalog.example.test/v2' },
    entities: {
      product_name: [{ detection: 'message', original_text: `the ${product}`, entity_value: { value: product, datastore_verified: true } }],
      quantity: [{ detection: 'message', original_text: 'one', entity_value: { value: '1', unit: null } }]
    }
  }
  const base = JSON.stringify(envelope).length
  envelope.conversation_details.notes = 'n'.repeat(Math.max(0, size - base))
  return JSON.stringify(envelope)
}

export function signature (payload, secret = SECRET) {
  return 'sha1=' + createHmac('sha1', secret).update(payload).digest('hex')
}

/** The product a request asks for, read the way a hand-written recipe would. */
export function productOf (envelope) {
  const value = envelope?.entities?.product_name?.[0]?.entity_value
  return typeof value === 'object' && value !== null ? value.value : value
}
