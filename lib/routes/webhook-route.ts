import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { WebhookNotHandledError } from '../errors.js'
import { webhookTransform } from '../openapi/webhook-docs.js'
import { isJsonObject } from '../json-values.js'
import type { WebhookOutcome } from '../telemetry.js'
import { WebhookDeliveries } from '../webhooks/delivery.js'
import type { WebhookSettings } from '../webhooks/webhook-options.js'
import { checkSignature } from '../wire/signature-check.js'
import { eventRoute } from './event-route.js'
import type { Registration } from './registration.js'

const WEBHOOK_LABEL = 'Webhook'

/** What a delivery that Haptik need not send again answers: 200 and its outcome. */
const ANSWERS: Partial<Record<WebhookOutcome, string>> = {
  handled: '{"status":"handled"}',
  duplicate: '{"status":"duplicate"}',
  ignored: '{"status":"ignored"}',
  'given-up': '{"status":"given-up"}',
  invalid: '{"status":"invalid"}'
}

/** `POST {prefix}{path}`: Haptik's Bot API webhook (webhooks/delivery.ts); 503 makes Haptik send it again. */
export function webhookRoute (fastify: FastifyInstance, settings: WebhookSettings, bodyLimit: number, registration: Registration): void {
  const { telemetry, state } = registration
  const deliveries = new WebhookDeliveries(settings, state, registration.client)

  async function handleHaptikWebhook (request: FastifyRequest, reply: FastifyReply) {
    const unverified = checkSignature(request)
    if (unverified !== null) throw unverified
    const body = request.body
    const name = isJsonObject(body) && typeof body.event_name === 'string' ? body.event_name : 'unnamed'
    const call = telemetry.startWebhook(name, request)
    const { outcome, reason, error } = await deliveries.deliver(body, { request, within: run => telemetry.withinWebhook(call, run), observe: telemetry.apiObserver(call.span) })
    telemetry.endWebhook(call, outcome, error)
    const text = ANSWERS[outcome]
    if (text !== undefined) return reply.code(200).type('application/json').send(text)
    reply.header('retry-after', '5')
    throw new WebhookNotHandledError(name, reason as string)
  }

  eventRoute(fastify, { path: settings.path, label: WEBHOOK_LABEL, signers: [settings], bodyLimit, config: { haptikRoute: WEBHOOK_LABEL, swaggerTransform: webhookTransform(settings) }, handler: handleHaptikWebhook }, registration)
}
