import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { InvalidEnvelopeError, WebhookNotHandledError } from '../errors.js'
import { webhookTransform } from '../openapi/webhook-docs.js'
import { isJsonObject } from '../reply/json-values.js'
import { safeError } from '../untrusted.js'
import { bodyMessage, type WebhookEvent, type WebhookEventName } from '../webhooks/events.js'
import type { WebhookContext, WebhookSettings } from '../webhooks/settings.js'
import { EventRecords, eventKey, type Claim } from '../webhooks/handled-once.js'
import { checkSignature } from '../wire/signature-check.js'
import { eventRoute } from './event-route.js'
import type { Registration } from './step-route.js'
import type { WebhookOutcome } from '../telemetry.js'

export const WEBHOOK_LABEL = 'Webhook'

const ANSWERS: Partial<Record<WebhookOutcome, string>> = {
  handled: '{"status":"handled"}',
  duplicate: '{"status":"duplicate"}',
  ignored: '{"status":"ignored"}'
}

const REASONS: Partial<Record<WebhookOutcome, string>> = {
  'in-progress': 'another delivery of it is running its handler',
  failed: 'its handler failed',
  'store-error': 'the store could not record it'
}

/** The event as its handler receives it: `message.body` read as a message. */
function eventOf (body: Record<string, unknown>): WebhookEvent {
  const message = body.message
  if (!isJsonObject(message) || !('body' in message)) return body as unknown as WebhookEvent
  return { ...body, message: { ...message, body: bodyMessage(message.body) } } as unknown as WebhookEvent
}

interface HandlerRun {
  /** How the handler ended by the timeout. */
  readonly result: { outcome: WebhookOutcome, error?: Error | undefined }
  /** How it ended at last: a late handler may still finish. */
  readonly finished: Promise<WebhookOutcome>
}

/** Runs a handler under the timeout. */
async function runHandler (run: () => unknown, controller: AbortController, timeout: number): Promise<HandlerRun> {
  const finished = (async (): Promise<{ outcome: WebhookOutcome, error?: Error }> => {
    try {
      await run()
      return { outcome: 'handled' }
    } catch (error) {
      return { outcome: 'failed', error: safeError(error, 'the webhook handler') }
    }
  })()
  let timer: NodeJS.Timeout | undefined
  const late = new Promise<{ outcome: WebhookOutcome, error: Error }>(resolve => {
    timer = setTimeout(() => {
      const error = new Error(`the handler did not finish within ${timeout} ms`)
      controller.abort(error)
      resolve({ outcome: 'timeout', error })
    }, timeout)
  })
  const result = await Promise.race([finished, late])
  clearTimeout(timer)
  return { result, finished: finished.then(({ outcome }) => outcome) }
}

/**
 * `POST {prefix}{path}`: Haptik's Bot API webhook. Signed as steps are; each
 * event's handler runs once across retries, concurrent deliveries and
 * instances sharing the store; an event that was not handled gets 503, never
 * 200, so that Haptik sends it again; an event with no handler gets 200.
 */
export function webhookRoute (fastify: FastifyInstance, settings: WebhookSettings, bodyLimit: number, registration: Registration): void {
  const records = new EventRecords({
    store: registration.state.store,
    namespace: registration.state.namespace,
    doneTtl: settings.doneTtl,
    // A claim outlives a late handler (it may still finish), then lapses if its instance died.
    claimTtl: Math.max(settings.timeout * 2, 30_000)
  })
  const { telemetry } = registration

  async function handleHaptikWebhook (request: FastifyRequest, reply: FastifyReply) {
    const unverified = checkSignature(request)
    if (unverified !== null) throw unverified
    const body = request.body
    if (!isJsonObject(body) || typeof body.event_name !== 'string') {
      throw new InvalidEnvelopeError(WEBHOOK_LABEL, 'the body must be a Haptik webhook event: a JSON object with an "event_name"')
    }
    const name = body.event_name
    const call = telemetry.startWebhook(name, request)
    const answer = (outcome: WebhookOutcome, error?: Error) => {
      telemetry.endWebhook(call, outcome, error)
      const text = ANSWERS[outcome]
      if (text !== undefined) return reply.code(200).type('application/json').send(text)
      reply.header('retry-after', '5')
      const reason = REASONS[outcome] ?? `its handler took longer than ${settings.timeout} ms`
      throw new WebhookNotHandledError(name, reason)
    }
    const handler = Object.hasOwn(settings.on, name) ? settings.on[name as WebhookEventName] as (event: WebhookEvent, context: WebhookContext) => unknown : undefined
    // Haptik may add event names: one the app has no handler for is acknowledged (webhook-payload.md:305).
    if (handler === undefined) return answer('ignored')
    const key = eventKey(name, body)
    let claim: Claim
    try {
      claim = await records.claim(key)
    } catch (error) {
      request.log.warn({ err: safeError(error, 'the store') }, `fastify-haptik: the webhook's store could not record the ${name} event; answering 503 so that Haptik sends it again`)
      return answer('store-error')
    }
    if (claim.kind === 'done') return answer('duplicate')
    if (claim.kind === 'running') return answer('in-progress')
    const controller = new AbortController()
    const context: WebhookContext = { log: request.log.child({ event: name }), signal: controller.signal, request }
    const { result, finished } = await runHandler(() => telemetry.withinWebhook(call, () => handler(eventOf(body), context)), controller, settings.timeout)
    if (result.outcome === 'handled') {
      // Remembered, or the next delivery runs it again.
      try {
        await records.done(key, claim.version)
      } catch (error) {
        request.log.warn({ err: safeError(error, 'the store') }, `fastify-haptik: the ${name} event was handled but could not be recorded; a retry may run it again`)
      }
      return answer('handled')
    }
    request.log.error({ err: result.error }, `fastify-haptik: the ${name} webhook handler ${result.outcome === 'timeout' ? 'timed out' : 'failed'}; answering 503 so that Haptik sends it again`)
    if (result.outcome === 'failed') {
      // Released before the answer, so that the next delivery finds it free (a store
      // that cannot release it lets the claim lapse after its ttl).
      await records.release(key, claim.version).catch(() => {})
    } else {
      // A late run keeps its claim until it ends: recorded done if it succeeds (a
      // retry then answers 200), released if not.
      finished.then(async outcome => {
        await (outcome === 'handled' ? records.done(key, claim.version) : records.release(key, claim.version))
      }).catch(() => {})
    }
    return answer(result.outcome, result.error)
  }

  eventRoute(fastify, { path: settings.path, label: WEBHOOK_LABEL, auth: settings.auth, bodyLimit, config: { swaggerTransform: webhookTransform(settings) }, handler: handleHaptikWebhook }, registration)
}
