import { performance } from 'node:perf_hooks'
import type { FastifyBaseLogger, FastifyRequest } from 'fastify'
import { bindClient, userBinding } from '../client/bind.js'
import type { BoundHaptikClient, HaptikClient } from '../client/client.js'
import type { Observer } from '../client/transport.js'
import { isJsonObject } from '../json-values.js'
import { InvalidEventError, NoClientError, WebhookTimeoutError } from '../errors.js'
import type { StateStore, Version } from '../store/state-store.js'
import type { WebhookOutcome } from '../telemetry.js'
import { settleWithin } from '../time-limit.js'
import { safeError } from '../untrusted.js'
import { idText } from '../wire/number-text.js'
import { bodyMessage, eventCheck, type WebhookEvent, type WebhookEventName } from './events.js'
import { eventKey } from './event-key.js'
import { EventRecords } from './event-records.js'
import { ANSWER_MARGIN, type GiveUpContext, type GiveUpHandler, type WebhookContext, type WebhookSettings } from './webhook-options.js'

/** How a delivery ended, and why when Haptik is to send the event again. */
interface DeliveryResult {
  readonly outcome: WebhookOutcome
  /** The 503's message. */
  readonly reason?: string | undefined
  readonly error?: Error | undefined
}

/** What a delivery runs in: its request, the delivery's span for the handler, and what observes its API calls. */
interface DeliveryScope {
  readonly request: FastifyRequest
  readonly within: <T>(run: () => T) => T
  readonly observe: Observer
}

interface RecordStore {
  readonly store: StateStore
  readonly namespace: string
  /** `storeTimeout`. */
  readonly timeout: number
}

type Ran = { readonly ok: true } | { readonly ok: false, readonly error: Error }

/** A handler's context: `haptik` bound on first use to the event's user and business, and to the handler's signal. */
function contextOf<Extra extends object> (body: Record<string, unknown>, client: HaptikClient | undefined, scope: DeliveryScope, log: FastifyBaseLogger, signal: AbortSignal, extra: Extra): WebhookContext & Extra {
  let haptik: BoundHaptikClient | undefined
  return {
    ...extra,
    log,
    signal,
    request: scope.request,
    get haptik () {
      if (client === undefined) throw new NoClientError()
      const businessId = body.business_id
      haptik ??= bindClient(client, {
        ...userBinding(body.user as Record<string, unknown> | undefined),
        businessId: typeof businessId === 'number' || typeof businessId === 'string' ? businessId : undefined,
        signal,
        observe: scope.observe
      })
      return haptik
    }
  }
}

const until = (time: number) => Math.max(1, Math.floor(time - performance.now()))

/** The event as its handler receives it: `message.body` read as a message, `message.id` with the digits sent. */
function eventOf (body: Record<string, unknown>, raw: Buffer): WebhookEvent {
  const message = body.message
  if (!isJsonObject(message)) return body as unknown as WebhookEvent
  const read = { ...message }
  if ('body' in message) read.body = bodyMessage(message.body)
  if (typeof message.id === 'number') read.id = Number.isSafeInteger(message.id) ? message.id : idText(message.id, raw, ['message', 'id'])
  return { ...body, message: read } as unknown as WebhookEvent
}

async function runHandler (run: () => unknown): Promise<Ran> {
  try {
    await run()
    return { ok: true }
  } catch (error) {
    return { ok: false, error: safeError(error, 'the webhook handler') }
  }
}

/** A claim held while its handler runs, renewed every third of its lifetime, as BullMQ renews a job's lock. */
class HeldClaim {
  #version: Version | undefined
  #renewing: Promise<void> | undefined
  readonly #timer: NodeJS.Timeout

  constructor (records: EventRecords, key: string, version: Version, attempt: number, claimTtl: number, storeTimeout: number, log: FastifyBaseLogger) {
    this.#version = version
    this.#timer = setInterval(() => {
      const current = this.#version
      if (current === undefined || this.#renewing !== undefined) return
      this.#renewing = records.renew(key, current, attempt, storeTimeout).then(next => {
        if (next !== undefined) {
          this.#version = next
          return
        }
        log.warn('fastify-haptik: the webhook handler lost its claim on the event to another delivery; its outcome will not be recorded')
        clearInterval(this.#timer)
        this.#version = undefined
      }, (error: unknown) => {
        log.warn({ err: safeError(error, 'the store') }, 'fastify-haptik: the store could not renew the claim of a running webhook handler; retrying')
      }).finally(() => { this.#renewing = undefined })
    }, Math.floor(claimTtl / 3)).unref()
  }

  /** Stops renewing: the claim's version once a renewal under way is in (within `within` ms), or undefined when it was lost. */
  async release (within: number): Promise<Version | undefined> {
    clearInterval(this.#timer)
    const renewing = this.#renewing
    if (renewing !== undefined) await settleWithin(renewing, within, () => undefined).catch(() => {})
    return this.#version
  }
}

/** The deliveries of one registration's webhook route. */
export class WebhookDeliveries {
  readonly #settings: WebhookSettings
  readonly #records: EventRecords
  readonly #storeTimeout: number
  readonly #claimTtl: number
  readonly #checks: ReadonlyMap<string, (body: unknown) => string | undefined>
  readonly #client: HaptikClient | undefined

  constructor (settings: WebhookSettings, records: RecordStore, client: HaptikClient | undefined) {
    this.#settings = settings
    this.#client = client
    this.#storeTimeout = records.timeout
    // A claim outlives its renewal and the store's slowest answer; a crashed instance's lapses.
    this.#claimTtl = 2 * (settings.timeout + records.timeout)
    this.#records = new EventRecords({ store: records.store, namespace: records.namespace, doneTtl: settings.doneTtl, claimTtl: this.#claimTtl })
    this.#checks = new Map(Object.keys(settings.on).map(name => [name, eventCheck(name as WebhookEventName)]))
  }

  async deliver (body: unknown, scope: DeliveryScope): Promise<DeliveryResult> {
    const started = performance.now()
    const handlerDeadline = started + this.#settings.timeout
    const answerDeadline = handlerDeadline + ANSWER_MARGIN
    if (!isJsonObject(body) || typeof body.event_name !== 'string') {
      return await this.#giveUp(body, new InvalidEventError('the body', 'it is not a Haptik webhook event: a JSON object with an "event_name"'), { attempts: 0 }, scope, answerDeadline)
    }
    const name = body.event_name
    const handler = Object.hasOwn(this.#settings.on, name) ? this.#settings.on[name as WebhookEventName] as (event: WebhookEvent, context: WebhookContext) => unknown : undefined
    // Haptik may add event names: one the app has no handler for is acknowledged (webhook-payload.md:305).
    if (handler === undefined) return { outcome: 'ignored' }
    const mismatch = (this.#checks.get(name) as (body: unknown) => string | undefined)(body)
    if (mismatch !== undefined) return await this.#giveUp(body, new InvalidEventError(`the ${name} event`, `it does not match its schema (${mismatch})`), { attempts: 0 }, scope, answerDeadline)
    const { request } = scope
    // A request without a body fails the signature check.
    const raw = request.rawBody as Buffer
    const key = eventKey(name, body, raw)
    let claim
    try {
      claim = await this.#records.claim(key, Math.min(this.#storeTimeout, until(handlerDeadline)))
    } catch (error) {
      request.log.warn({ err: safeError(error, 'the store') }, `fastify-haptik: the webhook's store could not record the ${name} event; answering 503 so that Haptik sends it again`)
      return { outcome: 'store-error', reason: 'the store could not record it' }
    }
    if (claim.kind === 'done') return { outcome: 'duplicate' }
    if (claim.kind === 'running') return { outcome: 'in-progress', reason: 'another delivery of it is running its handler' }
    if (claim.replaced) request.log.warn(`fastify-haptik: the stored record of the ${name} event could not be read; it was replaced`)
    const { attempt } = claim
    const log = request.log.child({ event: name })
    const held = new HeldClaim(this.#records, key, claim.version, attempt, this.#claimTtl, this.#storeTimeout, log)
    const controller = new AbortController()
    const context = contextOf(body, this.#client, scope, log, controller.signal, {})
    const finished = runHandler(() => scope.within(() => handler(eventOf(body, raw), context)))
    let ran: Ran
    try {
      ran = await settleWithin(finished, until(handlerDeadline), () => new WebhookTimeoutError(name, this.#settings.timeout))
    } catch (late) {
      controller.abort(late)
      if (attempt >= this.#settings.maxAttempts) return await this.#giveUp(body, late as Error, { attempts: attempt, key, version: await held.release(until(answerDeadline)) }, scope, answerDeadline)
      // A late run keeps its claim until it ends: recorded done if it succeeds (a retry then answers 200), released if not.
      finished.then(async outcome => { await this.#record(name, key, held, attempt, outcome.ok, performance.now() + 2 * this.#storeTimeout, log) }).catch(() => {})
      log.error({ err: late }, `fastify-haptik: the ${name} webhook handler timed out; answering 503 so that Haptik sends it again`)
      return { outcome: 'timeout', reason: `its handler took longer than ${this.#settings.timeout} ms`, error: late as Error }
    }
    if (!ran.ok && attempt >= this.#settings.maxAttempts) {
      return await this.#giveUp(body, ran.error, { attempts: attempt, key, version: await held.release(until(answerDeadline)) }, scope, answerDeadline)
    }
    if (!ran.ok) log.error({ err: ran.error }, `fastify-haptik: the ${name} webhook handler failed; answering 503 so that Haptik sends it again`)
    // Released before the 503, so that the next delivery finds it free (a store that cannot release it lets the claim lapse).
    await this.#record(name, key, held, attempt, ran.ok, answerDeadline, log)
    return ran.ok ? { outcome: 'handled' } : { outcome: 'failed', reason: 'its handler failed', error: ran.error }
  }

  /** Records a run's outcome by `deadline` (a `performance.now()` time): done, or free for the next delivery. Never throws. */
  async #record (name: string, key: string, held: HeldClaim, attempt: number, handled: boolean, deadline: number, log: FastifyBaseLogger): Promise<void> {
    const version = await held.release(until(deadline))
    const timeout = Math.min(this.#storeTimeout, until(deadline))
    let recorded: Version | undefined
    try {
      recorded = version === undefined ? undefined : await (handled ? this.#records.done(key, version, attempt, timeout) : this.#records.release(key, version, attempt, timeout))
    } catch (error) {
      log.warn({ err: safeError(error, 'the store') }, handled
        ? `fastify-haptik: the ${name} event was handled but could not be recorded; a retry may run it again`
        : `fastify-haptik: the ${name} event's failed run could not be released; its claim lapses`)
      return
    }
    if (recorded === undefined && handled) log.warn(`fastify-haptik: the ${name} event was handled, but its claim had passed to another delivery; a retry may run it again`)
  }

  /** Gives up on an event: recorded done, handed to `onGiveUp`, and 200, so that Haptik does not disable the webhook for every user. */
  async #giveUp (body: unknown, error: Error, record: { attempts: number, key?: string, version?: Version | undefined }, scope: DeliveryScope, answerDeadline: number): Promise<DeliveryResult> {
    const { request } = scope
    const name = isJsonObject(body) && typeof body.event_name === 'string' ? body.event_name : 'unnamed'
    const log = request.log.child({ event: name })
    log.error({ err: error, attempts: record.attempts }, record.attempts === 0
      ? `fastify-haptik: a webhook delivery does not match its event (${error.message}); giving it to onGiveUp and answering 200, since Haptik would send it again`
      : `fastify-haptik: giving up on the ${name} event after ${record.attempts} attempts; answering 200, so that Haptik does not disable the webhook`)
    if (record.key !== undefined && record.version !== undefined) {
      try {
        await this.#records.done(record.key, record.version, record.attempts, Math.min(this.#storeTimeout, until(answerDeadline)))
      } catch (failure) {
        log.warn({ err: safeError(failure, 'the store') }, 'fastify-haptik: the event given up on could not be recorded')
      }
    }
    const { onGiveUp } = this.#settings
    if (onGiveUp !== undefined) await this.#callGiveUp(onGiveUp, body, error, record.attempts, scope, log, answerDeadline)
    return { outcome: record.attempts === 0 ? 'invalid' : 'given-up', error }
  }

  async #callGiveUp (onGiveUp: GiveUpHandler, body: unknown, error: Error, attempts: number, scope: DeliveryScope, log: FastifyBaseLogger, answerDeadline: number): Promise<void> {
    const { timeout } = this.#settings
    const controller = new AbortController()
    const context: GiveUpContext = contextOf(isJsonObject(body) ? body : {}, this.#client, scope, log, controller.signal, { attempts })
    const called = runHandler(() => onGiveUp(body, error, context))
    const bounded = settleWithin(called, timeout, () => {
      const late = new Error(`webhooks.onGiveUp did not finish within ${timeout} ms`)
      controller.abort(late)
      return late
    }).then(ran => { if (!ran.ok) throw ran.error })
    bounded.catch((failure: unknown) => { log.error({ err: safeError(failure, 'webhooks.onGiveUp') }, 'fastify-haptik: webhooks.onGiveUp failed; the event is lost') })
    // The answer does not wait past its deadline: onGiveUp goes on, with its own.
    await settleWithin(bounded, until(answerDeadline), () => undefined).catch(() => {})
  }
}
