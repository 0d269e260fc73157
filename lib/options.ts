import { InvalidOptionError, MissingSecretError } from './errors.js'
import { checkUserText, type UserText } from './reply/languages.js'
import { DEFAULT_DETAILS_LIMIT, type DetailsLimit, type DetailsLimits } from './reply/details.js'
import { resolveReplyPolicy, type ReplyOptions } from './reply/failure-policy.js'
import { definedFields } from './reply/json-values.js'
import { stepKey } from './wire/step-names.js'
import { resolveAuth, UNSIGNED_AUTH, type SecretOption } from './wire/secrets.js'
import {
  DEFAULT_SECRET_CACHE_MAX, DEFAULT_SECRET_CACHE_TTL, DEFAULT_SECRET_CONCURRENCY, DEFAULT_SECRET_TIMEOUT,
  type SecretCacheOptions, type SecretCacheSettings, type SecretLookupSettings
} from './wire/secret-lookup.js'
import { isStep, type AnyStep, type InvalidEntities } from './step/define-step.js'
import { serveStep, type ServedStep } from './step/served-step.js'
import { SchemaPool } from './wire/request-validation.js'
import type { TelemetryOptions } from './telemetry.js'

/** Documentation options of the plugin. */
export interface OpenapiOptions {
  /** Also describe each step under the OpenAPI 3.1 `webhooks` section. Default: `false`. */
  webhooks?: boolean | undefined
}

/** Options of `app.register(fastifyHaptik, options)`; `channels`, `channelLimits` and `onFailure` are in ReplyOptions. */
export interface FastifyHaptikOptions extends ReplyOptions {
  /** The steps to serve, made with `defineStep`. */
  steps: readonly AnyStep[]
  /** Path prefix of every step route, e.g. `/haptik`. Default: none. Not `| undefined`: Fastify's own register options type `prefix` so. */
  prefix?: string
  /** The secret Haptik signs with; each step may override it. */
  secret?: SecretOption | undefined
  /** Serve steps that have no secret without checking signatures. Default: `false`. */
  allowUnsigned?: boolean | undefined
  /** Largest accepted body in bytes. Default: 131072 (128 KiB). */
  bodyLimit?: number | undefined
  /** Milliseconds a handler may take before the fallback is sent. Default: 10000. */
  timeout?: number | undefined
  /** What the user sees when a handler fails or is late: one text, or one per language code with a `default`. */
  fallbackMessage?: UserText | undefined
  /**
   * What a signed call whose entities do not match a step's schema gets:
   * `'failure'` answers 200 on the step's failure path with
   * `invalidEntityMessage` (the user's input, not a broken integration);
   * `'reject'` answers 400 `FST_HAPTIK_INVALID_ENTITY`, a bot break, e.g.
   * while building a bot. Default: `'failure'`.
   */
  invalidEntities?: InvalidEntities | undefined
  /** What the user sees when their entities do not match (`invalidEntities: 'failure'`). */
  invalidEntityMessage?: UserText | undefined
  /** How the step routes are documented by @fastify/swagger. */
  openapi?: OpenapiOptions | undefined
  /**
   * Also serve `POST {prefix}/`, which picks the step by the body's `step` (or
   * `node`): for bots whose steps all call one absolute URL. Default: `false`.
   */
  dispatch?: boolean | undefined
  /** A label handlers see as `context.environment`, e.g. `'test'` or `'production'`. */
  environment?: string | undefined
  /**
   * Where spans and metrics go: `{ tracerProvider, meterProvider }`. Default:
   * @opentelemetry/api's global providers (nothing, unless the app installs an SDK).
   */
  telemetry?: TelemetryOptions | undefined
  /** Size limits of the details a handler returns, or `false` for none. Default: Haptik's strictest. */
  detailsLimit?: DetailsLimit | false | undefined
  /** Milliseconds a secret function may take; past it the call is refused with 503 FST_HAPTIK_SECRET_TIMEOUT. Default: 2000. */
  secretTimeout?: number | undefined
  /** Secret lookups pending at once, at most; past it calls are refused with 503 FST_HAPTIK_SECRET_BUSY. Default: 100. */
  secretConcurrency?: number | undefined
  /** Keep the keys a secret function returns for a while, by a key of the request. Default: not cached. */
  secretCache?: SecretCacheOptions | undefined
  /** Milliseconds a request's body may take to arrive; past it the call gets 408 and its connection is closed. Default: 10000. */
  bodyTimeout?: number | undefined
}

export const DEFAULT_BODY_LIMIT = 128 * 1024
export const DEFAULT_TIMEOUT = 10_000
export const DEFAULT_BODY_TIMEOUT = 10_000
export const DEFAULT_FALLBACK_MESSAGE = 'Sorry, I could not complete that just now. Please try again in a moment.'
export const DEFAULT_INVALID_ENTITY_MESSAGE = "Sorry, I didn't quite get that. Could you say it another way?"

/** The plugin's options, validated and resolved. */
export interface ResolvedOptions {
  readonly prefix: string
  readonly telemetry: TelemetryOptions
  readonly bodyLimit: number
  readonly openapi: OpenapiOptions
  readonly dispatch: boolean
  readonly steps: readonly ServedStep[]
  readonly secretLookup: SecretLookupSettings
  readonly bodyTimeout: number
}

function checkPositiveInteger (value: unknown, what: string, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value <= 0) {
    throw new InvalidOptionError(`${what} must be a positive integer, got ${JSON.stringify(value)}`)
  }
  if (value > max) throw new InvalidOptionError(`${what} must be at most ${max}, got ${value}`)
  return value
}

// setTimeout's largest delay: a longer one fires at once.
const MAX_TIMEOUT = 2_147_483_647

function checkMessage (value: unknown, what: string): string {
  if (typeof value !== 'string' || value.trim() === '') {
    throw new InvalidOptionError(`${what} must be a non-empty string`)
  }
  return value
}

function checkInvalidEntities (value: unknown, what: string): InvalidEntities {
  if (value !== 'failure' && value !== 'reject') {
    throw new InvalidOptionError(`${what} must be 'failure' or 'reject', got ${JSON.stringify(value)}`)
  }
  return value
}

function checkTelemetry (telemetry: unknown): TelemetryOptions {
  const usage = 'telemetry must be an object like { tracerProvider, meterProvider } (OpenTelemetry providers)'
  if (typeof telemetry !== 'object' || telemetry === null) throw new InvalidOptionError(usage)
  const { tracerProvider, meterProvider } = telemetry as Record<string, unknown>
  const provides = (provider: unknown, method: string) =>
    provider === undefined || (typeof provider === 'object' && provider !== null && typeof (provider as Record<string, unknown>)[method] === 'function')
  if (!provides(tracerProvider, 'getTracer')) throw new InvalidOptionError(`${usage}; tracerProvider has no getTracer()`)
  if (!provides(meterProvider, 'getMeter')) throw new InvalidOptionError(`${usage}; meterProvider has no getMeter()`)
  return telemetry as TelemetryOptions
}

function resolveSecretCache (cache: SecretCacheOptions | undefined): SecretCacheSettings | undefined {
  if (cache === undefined) return undefined
  if (typeof cache !== 'object' || cache === null || typeof cache.key !== 'function') {
    throw new InvalidOptionError('secretCache must be an object like { key: request => request.params.tenant, ttl: 300000 }')
  }
  return {
    key: cache.key,
    ttl: checkPositiveInteger(cache.ttl ?? DEFAULT_SECRET_CACHE_TTL, 'secretCache.ttl'),
    max: checkPositiveInteger(cache.max ?? DEFAULT_SECRET_CACHE_MAX, 'secretCache.max')
  }
}

function resolveDetailsLimit (limit: DetailsLimit | false): DetailsLimits | null {
  if (limit === false) return null
  if (typeof limit !== 'object' || limit === null) {
    throw new InvalidOptionError('detailsLimit must be an object like { userDetails: 200 } or false')
  }
  const resolved = { ...DEFAULT_DETAILS_LIMIT, ...definedFields(limit) }
  for (const [key, value] of Object.entries(resolved)) checkPositiveInteger(value, `detailsLimit.${key}`)
  return Object.freeze(resolved)
}

/** Validates the plugin's options and resolves every step's settings; throws on the first problem. */
export function resolveOptions (options: FastifyHaptikOptions): ResolvedOptions {
  const {
    steps,
    prefix = '',
    secret,
    allowUnsigned = false,
    bodyLimit = DEFAULT_BODY_LIMIT,
    timeout = DEFAULT_TIMEOUT,
    fallbackMessage = DEFAULT_FALLBACK_MESSAGE,
    invalidEntities = 'failure',
    invalidEntityMessage = DEFAULT_INVALID_ENTITY_MESSAGE,
    openapi = {},
    dispatch = false,
    environment,
    detailsLimit = DEFAULT_DETAILS_LIMIT,
    telemetry = {},
    secretTimeout = DEFAULT_SECRET_TIMEOUT,
    secretConcurrency = DEFAULT_SECRET_CONCURRENCY,
    secretCache,
    bodyTimeout = DEFAULT_BODY_TIMEOUT
  } = options

  if (!Array.isArray(steps) || steps.length === 0) {
    throw new InvalidOptionError('steps must be a non-empty list of steps made with defineStep')
  }
  if (typeof prefix !== 'string' || (prefix !== '' && !prefix.startsWith('/'))) {
    throw new InvalidOptionError(`prefix must be a path starting with "/", got ${JSON.stringify(prefix)}`)
  }
  if (typeof allowUnsigned !== 'boolean') {
    throw new InvalidOptionError('allowUnsigned must be a boolean')
  }
  checkPositiveInteger(bodyLimit, 'bodyLimit')
  checkPositiveInteger(timeout, 'timeout', MAX_TIMEOUT)
  checkPositiveInteger(bodyTimeout, 'bodyTimeout', MAX_TIMEOUT)
  const secretLookup = {
    timeout: checkPositiveInteger(secretTimeout, 'secretTimeout', MAX_TIMEOUT),
    concurrency: checkPositiveInteger(secretConcurrency, 'secretConcurrency'),
    cache: resolveSecretCache(secretCache)
  }
  checkUserText(fallbackMessage, 'fallbackMessage')
  checkUserText(invalidEntityMessage, 'invalidEntityMessage')
  checkInvalidEntities(invalidEntities, 'invalidEntities')
  if (typeof openapi !== 'object' || openapi === null || (openapi.webhooks !== undefined && typeof openapi.webhooks !== 'boolean')) {
    throw new InvalidOptionError('openapi must be an object like { webhooks: true }')
  }
  if (typeof dispatch !== 'boolean') throw new InvalidOptionError('dispatch must be a boolean')
  if (environment !== undefined) checkMessage(environment, 'environment')
  const limits = resolveDetailsLimit(detailsLimit)
  checkTelemetry(telemetry)
  // Resolved once, so steps sharing the plugin's secret share its keys.
  const sharedAuth = secret === undefined || secret === null ? undefined : resolveAuth(secret, '')
  const replies = resolveReplyPolicy(options)

  const names = new Map<string, string>()
  const paths = new Set<string>()
  const schemas = new SchemaPool()
  const served = steps.map((step: unknown, index): ServedStep => {
    if (!isStep(step)) {
      throw new InvalidOptionError(`steps[${index}] is not a step: make each step with defineStep()`)
    }
    const key = stepKey(step.name)
    const same = names.get(key)
    if (same === step.name) throw new InvalidOptionError(`step "${step.name}" is listed twice`)
    if (same !== undefined) throw new InvalidOptionError(`steps "${same}" and "${step.name}" have the same name to Haptik, which matches names ignoring case`)
    if (paths.has(step.path)) throw new InvalidOptionError(`step "${step.name}": path "${step.path}" is already used by another step`)
    names.set(key, step.name)
    paths.add(step.path)
    const auth = step.secret === undefined ? sharedAuth ?? (allowUnsigned ? UNSIGNED_AUTH : undefined) : resolveAuth(step.secret, `step "${step.name}": `)
    if (auth === undefined) throw new MissingSecretError(step.name)
    return serveStep(step, {
      auth,
      timeout: checkPositiveInteger(step.timeout ?? timeout, `step "${step.name}": timeout`, MAX_TIMEOUT),
      fallbackMessage: checkUserText(step.fallbackMessage ?? fallbackMessage, `step "${step.name}": fallbackMessage`),
      invalidEntities: checkInvalidEntities(step.invalidEntities ?? invalidEntities, `step "${step.name}": invalidEntities`),
      invalidEntityMessage: checkUserText(step.invalidEntityMessage ?? invalidEntityMessage, `step "${step.name}": invalidEntityMessage`),
      environment,
      detailsLimit: limits,
      replies: resolveReplyPolicy(step, replies, `step "${step.name}": `)
    }, schemas)
  })
  return { prefix, bodyLimit, openapi, dispatch, telemetry, steps: served, secretLookup, bodyTimeout }
}
