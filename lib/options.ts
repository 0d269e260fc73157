import type { FastifyRequest } from 'fastify'
import type { KeyObject } from 'node:crypto'
import { InvalidOptionError, MissingSecretError } from './errors.js'
import { toKeys, type Secret } from './signature.js'
import { isStep, type AnyStep } from './step.js'
import type { OpenapiOptions } from './openapi.js'

/** Picks the secret(s) for one request, e.g. per tenant. Nothing returned means "no secret": 401. */
export type SecretResolver = (request: FastifyRequest) =>
  Secret | readonly Secret[] | undefined | Promise<Secret | readonly Secret[] | undefined>

/**
 * A step secret: one value, a list (any listed secret passes, for rotation)
 * or a function of the request.
 */
export type SecretOption = Secret | readonly Secret[] | SecretResolver

/** Options of `app.register(fastifyHaptik, options)`. */
export interface FastifyHaptikOptions {
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
}

export const DEFAULT_BODY_LIMIT = 128 * 1024
export const DEFAULT_TIMEOUT = 10_000
export const DEFAULT_FALLBACK_MESSAGE = 'Sorry, I could not complete that just now. Please try again in a moment.'

/** How a step's requests are authenticated, worked out at registration. */
export type StepAuth =
  | { readonly kind: 'keys', readonly keys: readonly KeyObject[] }
  | { readonly kind: 'resolver', readonly resolve: SecretResolver }
  | { readonly kind: 'unsigned' }

/** A step with every option resolved. */
export interface ResolvedStep {
  readonly step: AnyStep
  readonly auth: StepAuth
  readonly timeout: number
  readonly fallbackMessage: string
}

/** The plugin's options, validated and resolved. */
export interface ResolvedOptions {
  readonly prefix: string
  readonly bodyLimit: number
  readonly openapi: OpenapiOptions
  readonly steps: readonly ResolvedStep[]
}

function checkPositiveInteger (value: unknown, what: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value <= 0) {
    throw new InvalidOptionError(`${what} must be a positive integer, got ${JSON.stringify(value)}`)
  }
  return value
}

function checkMessage (value: unknown, what: string): string {
  if (typeof value !== 'string' || value.trim() === '') {
    throw new InvalidOptionError(`${what} must be a non-empty string`)
  }
  return value
}

function resolveAuth (secret: SecretOption | undefined, allowUnsigned: boolean, stepName: string): StepAuth {
  if (secret === undefined || secret === null) {
    if (allowUnsigned) return { kind: 'unsigned' }
    throw new MissingSecretError(stepName)
  }
  if (typeof secret === 'function') return { kind: 'resolver', resolve: secret }
  if (Array.isArray(secret) && secret.length === 0) {
    throw new InvalidOptionError(`step "${stepName}": the secret list is empty`)
  }
  try {
    return { kind: 'keys', keys: toKeys(secret) }
  } catch (error) {
    throw new InvalidOptionError(`step "${stepName}": ${(error as Error).message}`)
  }
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
    openapi = {}
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
  checkPositiveInteger(timeout, 'timeout')
  checkMessage(fallbackMessage, 'fallbackMessage')
  if (typeof openapi !== 'object' || openapi === null || (openapi.webhooks !== undefined && typeof openapi.webhooks !== 'boolean')) {
    throw new InvalidOptionError('openapi must be an object like { webhooks: true }')
  }

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
    return {
      step,
      auth: resolveAuth(step.secret ?? secret, allowUnsigned, step.name),
      timeout: checkPositiveInteger(step.timeout ?? timeout, `step "${step.name}": timeout`),
      fallbackMessage: checkMessage(step.fallbackMessage ?? fallbackMessage, `step "${step.name}": fallbackMessage`)
    }
  })
  return { prefix, bodyLimit, openapi, steps: resolved }
}
