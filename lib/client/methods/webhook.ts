import { businessId, integer } from '../validate.js'
import { camelKeys } from '../wire-case.js'
import { method, type BusinessId } from './method.js'

/** Which webhook: docs/webhooks/re-enable-webhook.md's body is `{"enabled": true}` (:32-34), its curl adds the business and platform (:67). */
export interface EnableWebhookInput {
  businessId?: BusinessId | undefined
  /** 13 for Bot API (webhook) users, 5 for Web SDK users (bot-configuration/webhooks.md). Default 13. */
  devicePlatform?: number | undefined
}

/** Haptik's answer (re-enable-webhook.md:41-47). */
export interface WebhookState {
  enabled: boolean
  [key: string]: unknown
}

export const enableWebhook = method<EnableWebhookInput, WebhookState>({ call: 'enableWebhook', family: 'messaging', method: 'POST', path: '/v1.0/webhook/', idempotent: true }, (input, defaults, call) => {
  const devicePlatform = integer(call, 'devicePlatform', input.devicePlatform ?? 13, 0, Number.MAX_SAFE_INTEGER)
  const business = input.businessId ?? defaults.businessId
  const json = business === undefined
    ? { enabled: true }
    : { enabled: true, business_id: businessId(call, business), device_platform: devicePlatform }
  return { json, read: body => camelKeys(body) as WebhookState }
})
