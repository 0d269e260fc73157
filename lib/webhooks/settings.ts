import type { FastifyBaseLogger, FastifyRequest } from 'fastify'
import type { StepAuth } from '../wire/secrets.js'
import type { WebhookEvent, WebhookEventName } from './events.js'

// What the webhook and signup routes serve, as the options resolve it.

/** What a webhook handler gets beside its event. */
export interface WebhookContext {
  /** The request logger, bound to the event's name. */
  readonly log: FastifyBaseLogger
  /** Aborts when the webhook's `timeout` passes. */
  readonly signal: AbortSignal
  readonly request: FastifyRequest
}

/** A handler per event name, each typed by its event. */
export type WebhookHandlers = {
  [Name in WebhookEventName]?: (event: WebhookEvent<Name>, context: WebhookContext) => unknown
}

/** The webhook route's settings, resolved. */
export interface WebhookSettings {
  readonly path: string
  readonly auth: StepAuth
  readonly timeout: number
  /** How long a handled event is remembered, in milliseconds. */
  readonly doneTtl: number
  readonly on: WebhookHandlers
}

/** The credentials of a signup, as Haptik sends them. */
export interface SignupCredentials {
  readonly authId: string
  readonly authCode: string
}

/** The signup route's settings, resolved. */
export interface SignupSettings {
  readonly path: string
  /** Whether the credentials match: your check, e.g. against your user database. */
  readonly verify: (credentials: SignupCredentials, request: FastifyRequest) => boolean | Promise<boolean>
  /** Route config for other plugins, e.g. `{ rateLimit: { max: 10, timeWindow: '1 minute' } }` for @fastify/rate-limit. */
  readonly config: Record<string, unknown>
}
