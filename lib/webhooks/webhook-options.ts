import type { FastifyBaseLogger, FastifyRequest } from 'fastify'
import type { BoundHaptikClient } from '../client/client.js'
import { InvalidOptionError } from '../errors.js'
import { checkFunction, checkPath, checkPositiveInteger, MAX_TTL } from '../option-checks.js'
import { resolveAuth, type SecretOption, type StepAuth } from '../wire/secrets.js'
import { WEBHOOK_EVENTS, type WebhookEvent, type WebhookEventName } from './events.js'

/** What a webhook handler gets beside its event. */
export interface WebhookContext {
  /** The request logger, bound to the event's name. */
  readonly log: FastifyBaseLogger
  /** Aborts when the webhook's `timeout` passes. */
  readonly signal: AbortSignal
  readonly request: FastifyRequest
  /** The plugin's `client`, bound to this event: its calls end with `signal`; the event's user and business fill in what a call leaves out. */
  readonly haptik: BoundHaptikClient
}

/** What `onGiveUp` gets beside the event and the error. */
export interface GiveUpContext extends WebhookContext {
  /** How many times the handler ran for the event (0 for an event that does not match its schema). */
  readonly attempts: number
}

/** A handler per event name, each typed by its event. */
export type WebhookHandlers = {
  [Name in WebhookEventName]?: (event: WebhookEvent<Name>, context: WebhookContext) => unknown
}

/** Gets an event the plugin gives up on (a dead letter): its handler failed `maxAttempts` times, or it does not match its schema. */
export type GiveUpHandler = (event: unknown, error: Error & { code?: string }, context: GiveUpContext) => unknown

/** `webhooks`: Haptik's Bot API webhook. */
export interface WebhookOptions {
  /** Path under the prefix. Default: `'/webhook'`. */
  path?: string | undefined
  /** The webhook's secret key. Default: the plugin's `secret`. */
  secret?: SecretOption | undefined
  /** Milliseconds a delivery may take to claim its event and run its handler; past it, 503 and Haptik sends it again. At most 4400 (Haptik waits 5 s). Default: 4000. */
  timeout?: number | undefined
  /** Seconds a handled event is remembered, so its retries are not run again. Default: 7200 (Haptik retries for 60 minutes). */
  rememberFor?: number | undefined
  /** Times an event's handler may fail before the plugin gives up on it: `onGiveUp`, and 200, so that Haptik does not disable the webhook. Default: 6. */
  maxAttempts?: number | undefined
  /** Called with an event the plugin gives up on (a dead letter). Default: none; the event is logged at error. */
  onGiveUp?: GiveUpHandler | undefined
  /** A handler per event name: `message`, `chat_pinned`, `chat_complete`, `webhook_conversation_complete`. */
  on: WebhookHandlers
}

export interface WebhookSettings {
  readonly path: string
  readonly auth: StepAuth
  readonly timeout: number
  /** `rememberFor`, in milliseconds. */
  readonly doneTtl: number
  readonly maxAttempts: number
  readonly onGiveUp: GiveUpHandler | undefined
  readonly on: WebhookHandlers
}

const DEFAULT_WEBHOOK_TIMEOUT = 4000
const DEFAULT_WEBHOOK_MEMORY = 2 * 60 * 60
const DEFAULT_MAX_ATTEMPTS = 6
/** What a delivery may take beyond `timeout` to record its event and answer. */
export const ANSWER_MARGIN = 500
/** Haptik waits 5 s for an answer (docs/webhooks/protocols.md:13); the delivery answers 100 ms before. */
const MAX_WEBHOOK_TIMEOUT = 5000 - 100 - ANSWER_MARGIN

/** `sharedAuth` is the plugin's secret. */
export function resolveWebhooks (webhooks: WebhookOptions | undefined, sharedAuth: StepAuth | undefined): WebhookSettings | undefined {
  if (webhooks === undefined) return undefined
  if (typeof webhooks !== 'object' || webhooks === null || typeof webhooks.on !== 'object' || webhooks.on === null) {
    throw new InvalidOptionError('webhooks must be an object like { on: { message: async event => {...} } }')
  }
  for (const [name, handler] of Object.entries(webhooks.on)) {
    if (!(WEBHOOK_EVENTS as readonly string[]).includes(name)) throw new InvalidOptionError(`webhooks.on.${name}: Haptik sends no such event; its events are ${WEBHOOK_EVENTS.join(', ')}`)
    checkFunction(handler, `webhooks.on.${name}`)
  }
  if (webhooks.onGiveUp !== undefined) checkFunction(webhooks.onGiveUp, 'webhooks.onGiveUp')
  const auth = webhooks.secret === undefined ? sharedAuth : resolveAuth(webhooks.secret, 'webhooks: ')
  if (auth === undefined) throw new InvalidOptionError('webhooks: no secret: pass webhooks.secret or the plugin\'s secret (the secret key Haptik signs webhook events with)')
  const timeout = checkPositiveInteger(webhooks.timeout ?? DEFAULT_WEBHOOK_TIMEOUT, 'webhooks.timeout')
  if (timeout > MAX_WEBHOOK_TIMEOUT) {
    throw new InvalidOptionError(`webhooks.timeout must be at most ${MAX_WEBHOOK_TIMEOUT}, got ${timeout}: Haptik waits 5 s for an answer (docs/webhooks/protocols.md:13), and a delivery takes up to ${ANSWER_MARGIN} ms more to record its event`)
  }
  return {
    path: checkPath(webhooks.path ?? '/webhook', 'webhooks.path'),
    auth,
    timeout,
    doneTtl: checkPositiveInteger(webhooks.rememberFor ?? DEFAULT_WEBHOOK_MEMORY, 'webhooks.rememberFor', MAX_TTL) * 1000,
    maxAttempts: checkPositiveInteger(webhooks.maxAttempts ?? DEFAULT_MAX_ATTEMPTS, 'webhooks.maxAttempts'),
    onGiveUp: webhooks.onGiveUp,
    on: webhooks.on
  }
}
