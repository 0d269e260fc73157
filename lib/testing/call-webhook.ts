import type { FastifyInstance, LightMyRequestResponse } from 'fastify'
import type { Secret, WebhookEventName } from '../index.js'
import { isError, parseBody, type HaptikErrorBody } from './call-step.js'
import { signedRequest } from './sign.js'

/** How `callWebhook` signs and addresses the event. */
export interface CallWebhookOptions {
  /** The webhook's secret (`webhooks.secret`, else the plugin's). */
  secret: Secret
  /** The `prefix` fastify-haptik was registered with. Default none. */
  prefix?: string | undefined
  /** The webhook's `path`. Default: `'/webhook'`. */
  path?: string | undefined
  /** Extra or replacement request headers. */
  headers?: Record<string, string> | undefined
}

/** What one delivery of a webhook event answered. */
export interface WebhookCall {
  /** 200 when the event was handled (or before, or has no handler); 503 when Haptik would send it again. */
  readonly statusCode: number
  /** `handled`, `duplicate`, `ignored`, `given-up` or `invalid` on a 200. */
  readonly status: string | undefined
  /** The plugin's error body when it refused or did not handle the event. */
  readonly error: HaptikErrorBody | undefined
  /** The body sent. */
  readonly event: Record<string, unknown>
  readonly response: LightMyRequestResponse
}

/**
 * Delivers one webhook event to the app as Haptik does: the payload with its
 * `event_name`, signed with `X-Hub-Signature`. Deliver the same payload again
 * to see a retry answered without running the handler twice.
 *
 * @example
 * ```ts
 * const { statusCode, status } = await callWebhook(app, 'message', { message: { id: 1982371, body: hsl.text('Hi') } }, { secret: 'test', prefix: '/haptik' })
 * ```
 */
export async function callWebhook (app: FastifyInstance, event: WebhookEventName | (string & {}), payload: Record<string, unknown>, options: CallWebhookOptions): Promise<WebhookCall> {
  const { secret, prefix = '', path = '/webhook', headers = {} } = options
  const body = { version: '1.0', timestamp: new Date().toISOString(), ...payload, event_name: event }
  const signed = signedRequest(body, secret)
  const response = await app.inject({ method: 'POST', url: prefix + path, payload: signed.payload, headers: { ...signed.headers, ...headers } })
  const parsed = parseBody(response.body)
  const { status } = (parsed ?? {}) as { status?: unknown }
  return {
    statusCode: response.statusCode,
    status: response.statusCode === 200 && typeof status === 'string' ? status : undefined,
    error: isError(parsed) ? parsed : undefined,
    event: body,
    response
  }
}
