import { isHaptikClient, type HaptikClient } from './client/client.js'
import { InvalidOptionError, MissingSecretError } from './errors.js'
import { checkMessage, checkPositiveInteger, MAX_TIMEOUT, MAX_TTL } from './option-checks.js'
import { checkUserText, type UserText } from './reply/languages.js'
import { DEFAULT_DETAILS_LIMIT, type DetailsLimit, type DetailsLimits } from './reply/details.js'
import { resolveReplyPolicy, type ReplyOptions } from './reply/failure-policy.js'
import { definedFields } from './json-values.js'
import { stepKey } from './wire/step-names.js'
import { resolveAuth, UNSIGNED_AUTH, type SecretOption } from './wire/secrets.js'
import {
  DEFAULT_SECRET_CACHE_MAX, DEFAULT_SECRET_CACHE_TTL, DEFAULT_SECRET_CONCURRENCY, DEFAULT_SECRET_TIMEOUT,
  type SecretCacheOptions, type SecretCacheSettings, type SecretLookupSettings
} from './wire/secret-lookup.js'
import { isStep, type AnyStep, type InvalidEntities } from './step/define-step.js'
import { serveStep, type ServedStep } from './step/served-step.js'
import type { StateSettings } from './step/conversation-state.js'
import { memoryStore } from './store/memory-store.js'
import type { StateStore } from './store/state-store.js'
import { resolveSignup, type SignupOptions, type SignupSettings } from './webhooks/signup.js'
import { resolveWebhooks, type WebhookOptions, type WebhookSettings } from './webhooks/webhook-options.js'
import { SchemaPool } from './wire/request-validation.js'
import type { TelemetryOptions } from './telemetry.js'
import type { OpenapiOptions } from './openapi/swagger-transform.js'

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
   * A signed call whose entities do not match: `'failure'` (the default) answers 200 on the failure
   * path with `invalidEntityMessage`; `'reject'` answers 400 `FST_HAPTIK_INVALID_ENTITY`, a bot break.
   */
  invalidEntities?: InvalidEntities | undefined
  /** What the user sees when their entities do not match (`invalidEntities: 'failure'`). */
  invalidEntityMessage?: UserText | undefined
  /** How the step routes are documented by @fastify/swagger. */
  openapi?: OpenapiOptions | undefined
  /** Also serve `POST {prefix}/`, picking the step by the body's `step` (or `node`). Default: `false`. */
  dispatch?: boolean | undefined
  /** A label handlers see as `context.environment`, e.g. `'test'` or `'production'`. */
  environment?: string | undefined
  /** Where spans and metrics go: `{ tracerProvider, meterProvider }`. Default: @opentelemetry/api's globals. */
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
  /** Where steps' `state` and `userState` are kept: `memoryStore()` (the default) or `redisStore(client)`. */
  store?: StateStore | undefined
  /** Seconds a conversation's state lives after its last change. Default: 10800 (3 hours, as Haptik's conversation details). */
  stateTtl?: number | undefined
  /** Seconds a user's state lives after its last change. Default: until replaced. */
  userStateTtl?: number | undefined
  /** Largest JSON text of one state, in characters. Default: 65536. */
  stateLimit?: number | undefined
  /** Starts the keys of this registration's state: registrations (and instances) with the same namespace and store share it. Default: the prefix. */
  stateNamespace?: string | undefined
  /** Milliseconds each store operation may take; past it the step takes its failure path, and a webhook delivery gets 503. Default: 1000. */
  storeTimeout?: number | undefined
  /** A `createHaptikClient` client: handlers get it as `context.haptik` (webhooks: `haptik`), bound to the call (docs/client.md). */
  client?: HaptikClient | undefined
  /** Serve Haptik's Bot API webhook: a handler per event, each run once (docs/webhooks.md). */
  webhooks?: WebhookOptions | undefined
  /** Serve the Web SDK's signup check (docs/webhooks.md). */
  signup?: SignupOptions | undefined
}

export const DEFAULT_BODY_LIMIT = 128 * 1024
export const DEFAULT_TIMEOUT = 10_000
const DEFAULT_BODY_TIMEOUT = 10_000
const DEFAULT_STATE_TTL = 3 * 60 * 60
const DEFAULT_STATE_LIMIT = 64 * 1024
const DEFAULT_STORE_TIMEOUT = 1000
export const DEFAULT_FALLBACK_MESSAGE = 'Sorry, I could not complete that just now. Please try again in a moment.'
export const DEFAULT_INVALID_ENTITY_MESSAGE = "Sorry, I didn't quite get that. Could you say it another way?"

interface ResolvedOptions {
  readonly prefix: string
  readonly telemetry: TelemetryOptions
  readonly bodyLimit: number
  readonly openapi: OpenapiOptions
  readonly dispatch: boolean
  readonly steps: readonly ServedStep[]
  readonly secretLookup: SecretLookupSettings
  readonly bodyTimeout: number
  readonly state: StateSettings
  readonly webhooks: WebhookSettings | undefined
  readonly signup: SignupSettings | undefined
  readonly client: HaptikClient | undefined
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

function checkStore (store: unknown): StateStore {
  const methods = ['get', 'set'] as const
  if (typeof store !== 'object' || store === null || methods.some(method => typeof (store as Record<string, unknown>)[method] !== 'function')) {
    throw new InvalidOptionError('store must be a state store: memoryStore(), redisStore(client), or an object with get and set (docs/state.md)')
  }
  return store as StateStore
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
    bodyTimeout = DEFAULT_BODY_TIMEOUT,
    store,
    stateTtl = DEFAULT_STATE_TTL,
    userStateTtl,
    stateLimit = DEFAULT_STATE_LIMIT,
    stateNamespace = prefix === '' ? '/' : prefix,
    storeTimeout = DEFAULT_STORE_TIMEOUT,
    webhooks,
    signup,
    client
  } = options

  if (!Array.isArray(steps) || (steps.length === 0 && options.webhooks === undefined && options.signup === undefined)) {
    throw new InvalidOptionError('steps must be a non-empty list of steps made with defineStep (or [] beside webhooks or signup)')
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
  // Lifetimes in seconds, as Haptik gives its own; the store takes milliseconds.
  const state: StateSettings = {
    store: store === undefined ? memoryStore() : checkStore(store),
    ttl: checkPositiveInteger(stateTtl, 'stateTtl', MAX_TTL) * 1000,
    userTtl: userStateTtl === undefined ? undefined : checkPositiveInteger(userStateTtl, 'userStateTtl', MAX_TTL) * 1000,
    limit: checkPositiveInteger(stateLimit, 'stateLimit'),
    namespace: checkMessage(stateNamespace, 'stateNamespace'),
    timeout: checkPositiveInteger(storeTimeout, 'storeTimeout', MAX_TIMEOUT)
  }
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

  if (sharedAuth === undefined && !allowUnsigned) {
    const unsigned = steps.filter(step => isStep(step) && step.secret === undefined).map(step => `"${(step as AnyStep).name}"`)
    if (unsigned.length > 0) throw new MissingSecretError(unsigned.length === 1 ? `step ${unsigned[0]} has` : `steps ${unsigned.join(', ')} have`)
  }

  if (client !== undefined && !isHaptikClient(client)) throw new InvalidOptionError('client must be a client made by createHaptikClient (fastify-haptik/client)')
  const webhookSettings = resolveWebhooks(webhooks, sharedAuth)
  const signupSettings = resolveSignup(signup)
  const names = new Map<string, string>()
  const paths = new Set<string>([webhookSettings?.path, signupSettings?.path].filter(path => path !== undefined))
  if (webhookSettings !== undefined && webhookSettings.path === signupSettings?.path) throw new InvalidOptionError(`webhooks.path and signup.path are both "${webhookSettings.path}"`)
  const schemas = new SchemaPool()
  const served = steps.map((step: unknown, index): ServedStep => {
    if (!isStep(step)) {
      throw new InvalidOptionError(`steps[${index}] is not a step: make each step with defineStep()`)
    }
    const key = stepKey(step.name)
    const same = names.get(key)
    if (same === step.name) throw new InvalidOptionError(`step "${step.name}" is listed twice`)
    if (same !== undefined) throw new InvalidOptionError(`steps "${same}" and "${step.name}" have the same name to Haptik, which matches names ignoring case`)
    if (paths.has(step.path)) throw new InvalidOptionError(`step "${step.name}": path "${step.path}" is already used by another step, the webhook or the signup check`)
    names.set(key, step.name)
    paths.add(step.path)
    // A step without a secret of its own was refused above unless the plugin has one or allowUnsigned is on.
    const auth = step.secret === undefined ? sharedAuth ?? UNSIGNED_AUTH : resolveAuth(step.secret, `step "${step.name}": `)
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
  return { prefix, bodyLimit, openapi, dispatch, telemetry, steps: served, secretLookup, bodyTimeout, state, webhooks: webhookSettings, signup: signupSettings, client }
}
