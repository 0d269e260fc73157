import type { FastifyInstance, LightMyRequestResponse } from 'fastify'
import type { Secret, WebhookEventName } from '../index.js'
import { isError, parseBody, type HaptikErrorBody } from './call-step.js'
import { signedRequest } from './sign.js'

/** How `callWebhook` signs and addresses the event: the webhook's `secret`; `path` defaults to `'/webhook'`. */
export interface CallWebhookOptions {
  secret: Secret
  prefix?: string | undefined
  path?: string | undefined
  headers?: Record<string, string> | undefined
}

/** A delivery's answer: 200 with `status` handled, duplicate, ignored, given-up or invalid; 503 when Haptik would retry. */
export interface WebhookCall {
  readonly statusCode: number
  readonly status: string | undefined
  readonly error: HaptikErrorBody | undefined
  readonly event: Record<string, unknown>
  readonly response: LightMyRequestResponse
}

/**
 * Delivers one webhook event to the app as Haptik does, signed; the same payload again is a retry.
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
