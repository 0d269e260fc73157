import { sign, type Secret, type WebhookEventName } from '../index.js'
import type { HaptikApiUser } from './haptik-api-endpoints.js'

// Haptik POSTs an event per message, signed, and waits 5 s for a 2xx (docs/webhooks/protocols.md:12-17); the
// event is the docs' example (docs/webhooks/webhook-payload.md:103-136).

export interface HaptikApiWebhook {
  /** The app's webhook route, e.g. `http://127.0.0.1:3000/haptik/webhook`. */
  url: string
  secret: Secret
  /** Deliveries of each event, one after the other (2: a retry, as when Haptik did not see the answer). Default 1. */
  times?: number | undefined
  /** The bot's reply to a logged message, as HSL (or text). Default: the docs' TEXT "Hi". */
  reply?: ((message: string) => unknown) | undefined
}

/** One delivery and the app's answer (`body` JSON parsed, else text); no `status` when it did not answer in 5 s. */
export interface WebhookDelivery {
  readonly event: Record<string, unknown>
  readonly status: number | undefined
  readonly body: unknown
  readonly error: string | undefined
}

const HAPTIK_WAITS = 5_000
export const DOCS_REPLY = { text: 'Hi', type: 'TEXT', data: { quick_replies: [] } }

export async function deliver (webhook: HaptikApiWebhook, name: WebhookEventName | (string & {}), payload: Record<string, unknown>): Promise<WebhookDelivery[]> {
  const event = { version: '1.0', timestamp: new Date().toISOString(), ...payload, event_name: name }
  const text = JSON.stringify(event)
  const deliveries: WebhookDelivery[] = []
  for (let time = 0; time < (webhook.times ?? 1); time++) deliveries.push(await post(webhook, text, event))
  return deliveries
}

async function post (webhook: HaptikApiWebhook, text: string, event: Record<string, unknown>): Promise<WebhookDelivery> {
  try {
    const response = await fetch(webhook.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-hub-signature': sign(text, webhook.secret) },
      body: text,
      signal: AbortSignal.timeout(HAPTIK_WAITS)
    })
    return { event, status: response.status, body: jsonOrText(await response.text()), error: undefined }
  } catch (error) {
    return { event, status: undefined, body: undefined, error: String((error as Error).message) }
  }
}

export function jsonOrText (text: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    return text
  }
}

export function botReply (user: HaptikApiUser, businessId: unknown, messageId: number, body: unknown): Record<string, unknown> {
  return {
    user: { auth_id: user.authId, device_platform: 13, device_platform_name: 'Bot API', user_name: user.userName, user_id: String(user.userId) },
    business_id: businessId,
    business_name: 'haptikApi',
    agent: { id: 4415, name: 'gogo', profile_image: 'https://assets.haptikapi.com/content/42e123411bk1109823bf.jpg', is_automated: true, email: null },
    message: { id: messageId, body }
  }
}
