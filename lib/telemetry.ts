import diagnostics from 'node:diagnostics_channel'
import { performance } from 'node:perf_hooks'
import type { Attributes, Counter, Histogram, MeterProvider, Span, TracerProvider } from '@opentelemetry/api'
import type { FastifyBaseLogger, FastifyRequest } from 'fastify'
import { HaptikAbortError, HaptikApiError, HaptikConnectionError, HaptikTimeoutError, type HaptikError } from './client/errors.js'
import type { Observer } from './client/transport.js'
import { whenSettled } from './untrusted.js'
import otelApi from './otel-api.cjs'

const { context: otelContext, metrics, SpanKind, SpanStatusCode, trace } = otelApi

/**
 * How a step call ended: `ok`; `failure` (the handler threw `StepFailure`); `fallback` (it threw or
 * returned no valid reply; a hand-over with `onFailure: 'handoff'`); `timeout`; `invalid-entity` (the
 * handler did not run); `handoff`; `store-error` and `state-conflict` (the state could not be read or
 * written, or another call changed it first: the fallback).
 */
export type Outcome = 'ok' | 'failure' | 'fallback' | 'timeout' | 'invalid-entity' | 'handoff' | 'store-error' | 'state-conflict'

/**
 * How a webhook delivery ended. Answered 200: `handled`, `duplicate` (handled before), `ignored` (no
 * handler for its event_name), `given-up` (failed `maxAttempts` times: `onGiveUp`, and 200 so that
 * Haptik keeps the webhook enabled), `invalid` (not its event's schema: `onGiveUp`). Answered 503, so
 * Haptik retries: `in-progress` (another delivery runs it), `failed`, `timeout`, `store-error`.
 */
export type WebhookOutcome = 'handled' | 'duplicate' | 'in-progress' | 'ignored' | 'failed' | 'timeout' | 'store-error' | 'given-up' | 'invalid'

export interface WebhookCall {
  readonly event: string
  readonly request: FastifyRequest
  readonly startedAt: number
  readonly span: Span
}

/** Where the plugin sends its spans and metrics. Default: the global providers of @opentelemetry/api. */
export interface TelemetryOptions {
  tracerProvider?: TracerProvider | undefined
  meterProvider?: MeterProvider | undefined
}

/** The diagnostics_channel names the plugin publishes on. */
export const DIAGNOSTICS_CHANNELS = Object.freeze({
  /** A step's handler is about to run: `StepStartMessage`. */
  start: 'fastify-haptik:step:start',
  /** A step call ended (its reply is known): `StepEndMessage`. */
  end: 'fastify-haptik:step:end',
  /** A request to a step route was refused with an HTTP error: `RefusedMessage`. */
  refused: 'fastify-haptik:refused'
})

/** Published on `fastify-haptik:step:start`. */
export interface StepStartMessage {
  readonly step: string
  readonly environment: string | undefined
  readonly request: FastifyRequest
}

/** Published on `fastify-haptik:step:end`. */
export interface StepEndMessage extends StepStartMessage {
  readonly outcome: Outcome
  /** The handler's time, in milliseconds. */
  readonly durationMs: number
  readonly messages: number
  /** The position of the secret that signed the request in the configured list, if signed. */
  readonly secret: number | undefined
}

/** Published on `fastify-haptik:refused`. */
export interface RefusedMessage {
  readonly step: string | undefined
  readonly code: string
  readonly statusCode: number
  readonly request: FastifyRequest
}

const startChannel = diagnostics.channel(DIAGNOSTICS_CHANNELS.start)
const endChannel = diagnostics.channel(DIAGNOSTICS_CHANNELS.end)
const refusedChannel = diagnostics.channel(DIAGNOSTICS_CHANNELS.refused)

const SCOPE = 'fastify-haptik'
const EVICTION_REPORT_INTERVAL = 60_000

function stepAttributes (step: string, environment: string | undefined): Attributes {
  return environment === undefined ? { 'haptik.step': step } : { 'haptik.step': step, 'haptik.environment': environment }
}

export interface Call {
  readonly step: string
  readonly environment: string | undefined
  readonly request: FastifyRequest
  readonly startedAt: number
  readonly span: Span
  outcome: Outcome
  /** Why it failed, for the span (`fallback` and `timeout`). */
  error: Error | undefined
}

/** How a call to Haptik's APIs ended: a bounded set, for metrics. */
function apiOutcome (error: HaptikError | undefined): string {
  if (error === undefined) return 'ok'
  if (error instanceof HaptikApiError) return 'api-error'
  if (error instanceof HaptikTimeoutError) return 'timeout'
  if (error instanceof HaptikConnectionError) return 'connection-error'
  if (error instanceof HaptikAbortError) return 'aborted'
  return 'invalid'
}

function endSpan (span: Span, outcome: string, error: Error | undefined): void {
  if (!span.isRecording()) return
  span.setAttribute('haptik.outcome', outcome)
  if (error !== undefined) {
    span.recordException(error)
    span.setStatus({ code: SpanStatusCode.ERROR, message: error.message })
  }
  span.end()
}

export class Telemetry {
  readonly #tracer
  readonly #calls: Counter
  readonly #duration: Histogram
  readonly #refusals: Counter
  readonly #storeDuration: Histogram
  readonly #storeErrors: Counter
  readonly #storeAttributesByStore = new Map<string, Record<'get' | 'set', Attributes>>()
  readonly #webhooks: Counter
  readonly #webhookDuration: Histogram
  readonly #evictions: Counter
  readonly #apiCalls: Counter
  readonly #apiDuration: Histogram

  constructor ({ tracerProvider = trace.getTracerProvider(), meterProvider = metrics.getMeterProvider() }: TelemetryOptions = {}) {
    this.#tracer = tracerProvider.getTracer(SCOPE)
    const meter = meterProvider.getMeter(SCOPE)
    this.#calls = meter.createCounter('haptik.step.calls', { description: 'Step calls, by step and outcome' })
    this.#duration = meter.createHistogram('haptik.step.duration', { description: "Handlers' time, by step", unit: 'ms' })
    this.#refusals = meter.createCounter('haptik.refusals', { description: 'Requests to step routes refused with an HTTP error, by error code' })
    this.#storeDuration = meter.createHistogram('haptik.store.duration', { description: 'State store operations, by store and operation', unit: 'ms' })
    this.#storeErrors = meter.createCounter('haptik.store.errors', { description: 'State store operations that failed, by store and operation' })
    this.#webhooks = meter.createCounter('haptik.webhook.calls', { description: 'Webhook deliveries, by event and outcome' })
    this.#webhookDuration = meter.createHistogram('haptik.webhook.duration', { description: 'Webhook deliveries, by event', unit: 'ms' })
    this.#evictions = meter.createCounter('haptik.store.evictions', { description: 'States a store dropped before their time to make room, by store' })
    this.#apiCalls = meter.createCounter('haptik.api.calls', { description: "Calls to Haptik's REST APIs from steps and webhook handlers, by method and outcome" })
    this.#apiDuration = meter.createHistogram('haptik.api.duration', { description: "Calls to Haptik's REST APIs, retries included, by method", unit: 'ms' })
  }

  /** Observes the REST client's calls within a step or webhook call: a child span of `parent` each, counted and timed. */
  apiObserver (parent: Span): Observer {
    return ({ method, family }) => {
      const startedAt = performance.now()
      const span = parent.isRecording()
        ? this.#tracer.startSpan(`haptik.api ${method}`, { kind: SpanKind.CLIENT, attributes: { 'haptik.api.method': method, 'haptik.api.family': family } }, trace.setSpan(otelContext.active(), parent))
        : undefined
      return ({ status, error, attempts }) => {
        const outcome = apiOutcome(error)
        this.#apiCalls.add(1, { 'haptik.api.method': method, 'haptik.outcome': outcome })
        this.#apiDuration.record(performance.now() - startedAt, { 'haptik.api.method': method })
        if (span === undefined) return
        span.setAttribute('haptik.api.attempts', attempts)
        if (status !== undefined) span.setAttribute('http.response.status_code', status)
        if (error instanceof HaptikApiError) span.setAttribute('haptik.api.code', error.code)
        endSpan(span, outcome, error)
      }
    }
  }

  /** A store's evictions: counted, and logged at once, then at most once a minute; `close()` logs the rest. */
  evictionReport (store: string, log: FastifyBaseLogger): { readonly evicted: (count: number) => void, readonly close: () => void } {
    const attributes = { 'haptik.store': store }
    let unreported = 0
    let reportedAt = -Infinity
    let timer: NodeJS.Timeout | undefined
    const report = () => {
      clearTimeout(timer)
      timer = undefined
      if (unreported === 0) return
      reportedAt = performance.now()
      log.warn({ store, evicted: unreported }, `fastify-haptik: the ${store} store is full: it dropped ${unreported} state${unreported === 1 ? '' : 's'} before their time, least recently used first; raise its maxEntries or maxBytes, or use redisStore (docs/state.md)`)
      unreported = 0
    }
    return {
      evicted: count => {
        this.#evictions.add(count, attributes)
        unreported += count
        if (timer !== undefined) return
        const wait = reportedAt + EVICTION_REPORT_INTERVAL - performance.now()
        if (wait <= 0) report()
        else timer = setTimeout(report, wait).unref()
      },
      close: report
    }
  }

  startWebhook (event: string, request: FastifyRequest): WebhookCall {
    const span = this.#tracer.startSpan(`haptik webhook ${event}`, { kind: SpanKind.INTERNAL, attributes: { 'haptik.event': event } })
    return { event, request, startedAt: performance.now(), span }
  }

  withinWebhook<T> (call: WebhookCall, handler: () => T): T {
    return call.span.isRecording() ? otelContext.with(trace.setSpan(otelContext.active(), call.span), handler) : handler()
  }

  endWebhook (call: WebhookCall, outcome: WebhookOutcome, error?: Error): void {
    const durationMs = Math.round((performance.now() - call.startedAt) * 1000) / 1000
    const { event, request, span } = call
    const duplicate = outcome === 'duplicate' || outcome === 'in-progress'
    request.log.info({ event, outcome, durationMs, duplicate }, 'webhook call')
    const attributes = { 'haptik.event': event, 'haptik.outcome': outcome }
    this.#webhooks.add(1, attributes)
    this.#webhookDuration.record(durationMs, { 'haptik.event': event })
    endSpan(span, outcome, error)
  }

  #storeAttributes (store: string, operation: 'get' | 'set'): Attributes {
    let attributes = this.#storeAttributesByStore.get(store)
    if (attributes === undefined) {
      const of = (operation: string) => Object.freeze({ 'haptik.store': store, 'haptik.store.operation': operation })
      attributes = { get: of('get'), set: of('set') }
      this.#storeAttributesByStore.set(store, attributes)
    }
    return attributes[operation]
  }

  /** Runs a state store operation in a child span of the step's, timed and counted when it fails. */
  storeOperation<T> (call: Call, store: string, operation: 'get' | 'set', run: () => T | Promise<T>): T | Promise<T> {
    const attributes = this.#storeAttributes(store, operation)
    const span = call.span.isRecording()
      ? this.#tracer.startSpan(`haptik state ${operation}`, { kind: SpanKind.CLIENT, attributes }, trace.setSpan(otelContext.active(), call.span))
      : undefined
    const startedAt = performance.now()
    const ended = (failed: boolean) => {
      if (failed) {
        this.#storeErrors.add(1, attributes)
        span?.setStatus({ code: SpanStatusCode.ERROR })
      }
      this.#storeDuration.record(performance.now() - startedAt, attributes)
      span?.end()
    }
    return whenSettled(run, value => {
      ended(false)
      return value
    }, error => {
      ended(true)
      throw error
    })
  }

  start (step: string, environment: string | undefined, request: FastifyRequest): Call {
    const span = this.#tracer.startSpan(`haptik step ${step}`, { kind: SpanKind.INTERNAL, attributes: stepAttributes(step, environment) })
    const call: Call = { step, environment, request, startedAt: performance.now(), span, outcome: 'ok', error: undefined }
    if (startChannel.hasSubscribers) startChannel.publish({ step, environment, request } satisfies StepStartMessage)
    return call
  }

  /** Runs a handler in its span's context, so the handler's own spans are its children. */
  within<A, T> (call: Call, handler: (argument: A) => T, argument: A): T {
    return call.span.isRecording() ? otelContext.with(trace.setSpan(otelContext.active(), call.span), handler, undefined, argument) : handler(argument)
  }

  /** Ends a call: log line, metrics, span, end message. `secret`: the signing secret's position, if signed. */
  end (call: Call, messages: number, secret: number | undefined): void {
    const durationMs = Math.round((performance.now() - call.startedAt) * 1000) / 1000
    const { step, environment, request, span, outcome, error } = call
    request.log.info({ step, outcome, durationMs, messages, environment, secret }, 'step call')
    const attributes = stepAttributes(step, environment)
    attributes['haptik.outcome'] = outcome
    this.#calls.add(1, attributes)
    this.#duration.record(durationMs, attributes)
    endSpan(span, outcome, error)
    if (endChannel.hasSubscribers) endChannel.publish({ step, environment, request, outcome, durationMs, messages, secret } satisfies StepEndMessage)
  }

  refused (request: FastifyRequest, step: string | undefined, environment: string | undefined, code: string, statusCode: number): void {
    const attributes = step === undefined ? {} : stepAttributes(step, environment)
    attributes['error.type'] = code
    this.#refusals.add(1, attributes)
    if (refusedChannel.hasSubscribers) refusedChannel.publish({ step, code, statusCode, request } satisfies RefusedMessage)
  }
}

/**
 * Pino `redact` paths that keep Haptik's personal and secret fields (names, auth, details, the bot's
 * env_variables where API keys live, what the user typed) out of any log line holding a request,
 * whole or under one key (`{ body }`).
 *
 * @example
 * ```ts
 * const app = Fastify({ logger: { redact: [...HAPTIK_REDACT_PATHS] } })
 * ```
 */
export const HAPTIK_REDACT_PATHS: readonly string[] = Object.freeze([
  'user.auth_code', 'user.auth_id', 'user.user_name', 'user.full_name',
  'conversation_details', 'user_details', 'env_variables',
  'entities.*[*].original_text', 'entities.*[*].entity_value'
].flatMap(path => [path, `*.${path}`]))
