import { InvalidOptionError, MissingSecretError } from './errors.js'
import { DEFAULT_DETAILS_LIMIT, type DetailsLimit } from './reply-checks.js'
import { resolveReplyPolicy, type ReplyOptions, type ReplyPolicy } from './reply-policy.js'
import { resolveAuth, UNSIGNED_AUTH, type SecretOption, type StepAuth } from './secrets.js'
import { isStep, type AnyStep } from './step.js'

/** Documentation options of the plugin. */
export interface OpenapiOptions {
  /** Also describe each step under the OpenAPI 3.1 `webhooks` section. Default: `false`. */
  webhooks?: boolean | undefined
}

/** Options of `app.register(fastifyHaptik, options)`; `channels`, `channelLimits` and `onFailure` are in ReplyOptions. */
export interface FastifyHaptikOptions extends ReplyOptions {
  /** The steps to serve, made with `defineStep`. */
  steps: readonly AnyStep[]
  /** Path prefix of every step route, e.g. `/haptik`. Default: none. */
  prefix?: string
  /** The secret Haptik signs with; each step may override it. */
  secret?: SecretOption
  /** Serve steps that have no secret without checking signatures. Default: `false`. */
  allowUnsigned?: boolean
  /** Largest accepted body in bytes. Default: 131072 (128 KiB). */
  bodyLimit?: number
  /** Milliseconds a handler may take before the fallback is sent. Default: 10000. */
  timeout?: number
  /** What the user sees when a handler fails or is late. */
  fallbackMessage?: string
  /** How the step routes are documented by @fastify/swagger. */
  openapi?: OpenapiOptions
  /**
   * Also serve `POST {prefix}/`, which picks the step by the body's `step` (or
   * `node`): for bots whose steps all call one absolute URL. Default: `false`.
   */
  dispatch?: boolean
  /** A label handlers see as `context.environment`, e.g. `'test'` or `'production'`. */
  environment?: string
  /** Size limits of the details a handler returns, or `false` for none. Default: Haptik's strictest. */
  detailsLimit?: DetailsLimit | false
}

export const DEFAULT_BODY_LIMIT = 128 * 1024
export const DEFAULT_TIMEOUT = 10_000
export const DEFAULT_FALLBACK_MESSAGE = 'Sorry, I could not complete that just now. Please try again in a moment.'

/** A step with every option resolved. */
export interface ResolvedStep {
  readonly step: AnyStep
  readonly auth: StepAuth
  readonly timeout: number
  readonly fallbackMessage: string
  readonly environment: string | undefined
  readonly detailsLimit: Readonly<Required<DetailsLimit>> | null
  /** Channels, channel limits and what failures answer (lib/reply-policy.ts). */
  readonly replies: ReplyPolicy
}

/** The plugin's options, validated and resolved. */
export interface ResolvedOptions {
  readonly prefix: string
  readonly bodyLimit: number
  readonly openapi: OpenapiOptions
  readonly dispatch: boolean
  readonly steps: readonly ResolvedStep[]
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

function resolveDetailsLimit (limit: DetailsLimit | false): Readonly<Required<DetailsLimit>> | null {
  if (limit === false) return null
  if (typeof limit !== 'object' || limit === null) {
    throw new InvalidOptionError('detailsLimit must be an object like { userDetails: 200 } or false')
  }
  const resolved = { ...DEFAULT_DETAILS_LIMIT, ...limit }
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
    openapi = {},
    dispatch = false,
    environment,
    detailsLimit = DEFAULT_DETAILS_LIMIT
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
  checkMessage(fallbackMessage, 'fallbackMessage')
  if (typeof openapi !== 'object' || openapi === null || (openapi.webhooks !== undefined && typeof openapi.webhooks !== 'boolean')) {
    throw new InvalidOptionError('openapi must be an object like { webhooks: true }')
  }
  if (typeof dispatch !== 'boolean') throw new InvalidOptionError('dispatch must be a boolean')
  if (environment !== undefined) checkMessage(environment, 'environment')
  const limits = resolveDetailsLimit(detailsLimit)
  // Resolved once, so steps sharing the plugin's secret share its keys.
  const sharedAuth = secret === undefined || secret === null ? undefined : resolveAuth(secret, '')
  const replies = resolveReplyPolicy(options)

  const names = new Set<string>()
  const paths = new Set<string>()
  const resolved = steps.map((step: unknown, index): ResolvedStep => {
    if (!isStep(step)) {
      throw new InvalidOptionError(`steps[${index}] is not a step: make each step with defineStep()`)
    }
    if (names.has(step.name)) throw new InvalidOptionError(`step "${step.name}" is listed twice`)
    if (paths.has(step.path)) throw new InvalidOptionError(`step "${step.name}": path "${step.path}" is already used by another step`)
    names.add(step.name)
    paths.add(step.path)
    const auth = step.secret === undefined ? sharedAuth ?? (allowUnsigned ? UNSIGNED_AUTH : undefined) : resolveAuth(step.secret, `step "${step.name}": `)
    if (auth === undefined) throw new MissingSecretError(step.name)
    return {
      step,
      auth,
      timeout: checkPositiveInteger(step.timeout ?? timeout, `step "${step.name}": timeout`, MAX_TIMEOUT),
      fallbackMessage: checkMessage(step.fallbackMessage ?? fallbackMessage, `step "${step.name}": fallbackMessage`),
      environment,
      detailsLimit: limits,
      replies: resolveReplyPolicy(step, replies, `step "${step.name}": `)
    }
  })
  return { prefix, bodyLimit, openapi, dispatch, steps: resolved }
}
