import { sign, type Secret, type WebhookEventName } from '../index.js'
import type { HaptikApiUser } from './haptik-api-endpoints.js'

// The stand-in's side of the Bot API webhook: Haptik POSTs an event per bot
// or agent message to the app, signed as steps are, and waits 5 s for a 2xx
// (docs/webhooks/protocols.md:12-17). The event's shape is the docs' example
// (docs/webhooks/webhook-payload.md:103-136).

/** Where and how the stand-in delivers webhook events to the app. */
export interface HaptikApiWebhook {
  /** The app's webhook route, e.g. `http://127.0.0.1:3000/haptik/webhook`. */
  url: string
  /** The webhook's secret, as the app was registered with it. */
  secret: Secret
  /** Deliveries of each event, one after the other: 2 delivers it again, as Haptik does when it did not see the answer. Default 1. */
  times?: number | undefined
  /** The bot's reply to a logged message, as HSL (or text). Default: the docs' `{"text": "Hi", "type": "TEXT", "data": {"quick_replies": []}}`. */
  reply?: ((message: string) => unknown) | undefined
}

/** One delivery of a webhook event, and how the app answered it. */
export interface WebhookDelivery {
  /** The event sent. */
  readonly event: Record<string, unknown>
  /** The app's status; undefined when it could not be reached or did not answer within 5 s. */
  readonly status: number | undefined
  /** The app's answer, JSON parsed (its text when not JSON). */
  readonly body: unknown
  /** Why there is no status. */
  readonly error: string | undefined
}

const HAPTIK_WAITS = 5_000
export const DOCS_REPLY = { text: 'Hi', type: 'TEXT', data: { quick_replies: [] } }

/** Delivers one event `times` times, signed, each after the previous was answered. */
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

function jsonOrText (text: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    return text
  }
}

/** The `message` event of the bot's reply to a user's logged message. */
export function botReply (user: HaptikApiUser, businessId: unknown, messageId: number, body: unknown): Record<string, unknown> {
  return {
    user: { auth_id: user.authId, device_platform: 13, device_platform_name: 'Bot API', user_name: user.userName, user_id: String(user.userId) },
    business_id: businessId,
    business_name: 'haptikApi',
    agent: { id: 4415, name: 'gogo', profile_image: 'https://assets.haptikapi.com/content/42e123411bk1109823bf.jpg', is_automated: true, email: null },
    message: { id: messageId, body }
  }
}
