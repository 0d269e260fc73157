import type { FastifyRequest } from 'fastify'
import { CallLimit } from '../call-limit.js'
import { InternalError, InvalidOptionError, SignupBusyError, SignupTimeoutError } from '../errors.js'
import { checkPath, checkPositiveInteger, MAX_TIMEOUT } from '../option-checks.js'
import { safeError } from '../untrusted.js'

// The Web SDK's custom signup: Haptik POSTs `{ auth_id, auth_code }` and expects 200 `{"status": true}` when they match,
// 400 when not (hellohaptik/docs_haptik docs/web-sdk/feature-user-signup.md:80-119). The docs name no signature, so the
// route checks none; every check has a deadline and a cap, and a rate limit belongs in front of it.

/** The credentials of a signup, as Haptik sends them. */
export interface SignupCredentials {
  readonly authId: string
  readonly authCode: string
}

/** Whether the credentials match: your check, e.g. against your user database. `signal` aborts at `timeout` or when the server closes. */
type SignupVerify = (credentials: SignupCredentials, request: FastifyRequest, check: { readonly signal: AbortSignal }) => boolean | Promise<boolean>

/** `signup`: the Web SDK's signup check. */
export interface SignupOptions {
  /** Path under the prefix. Default: `'/signup'`. */
  path?: string | undefined
  /** Whether the auth_id and auth_code match: your check. */
  verify: SignupVerify
  /** Milliseconds `verify` may take; past it the check gets 503 FST_HAPTIK_SIGNUP_TIMEOUT. Default: 2000. */
  timeout?: number | undefined
  /** Checks pending at once, at most; past it a check gets 503 FST_HAPTIK_SIGNUP_BUSY. Default: 100. */
  concurrency?: number | undefined
  /** Route config for other plugins, e.g. `{ rateLimit: {...} }` for @fastify/rate-limit (docs/webhooks.md keys it by auth_id). */
  config?: Record<string, unknown> | undefined
}

export interface SignupSettings {
  readonly path: string
  readonly verify: SignupVerify
  readonly timeout: number
  readonly concurrency: number
  readonly config: Record<string, unknown>
}

const DEFAULT_SIGNUP_TIMEOUT = 2000
const DEFAULT_SIGNUP_CONCURRENCY = 100

export function resolveSignup (signup: SignupOptions | undefined): SignupSettings | undefined {
  if (signup === undefined) return undefined
  if (typeof signup !== 'object' || signup === null || typeof signup.verify !== 'function') {
    throw new InvalidOptionError('signup must be an object like { verify: async ({ authId, authCode }) => true }')
  }
  if (signup.config !== undefined && (typeof signup.config !== 'object' || signup.config === null)) throw new InvalidOptionError('signup.config must be an object')
  return {
    path: checkPath(signup.path ?? '/signup', 'signup.path'),
    verify: signup.verify,
    timeout: checkPositiveInteger(signup.timeout ?? DEFAULT_SIGNUP_TIMEOUT, 'signup.timeout', MAX_TIMEOUT),
    concurrency: checkPositiveInteger(signup.concurrency ?? DEFAULT_SIGNUP_CONCURRENCY, 'signup.concurrency'),
    config: signup.config ?? {}
  }
}

/** The signup checks of one registration: `verify` under its deadline and cap. */
export class SignupChecks {
  readonly #settings: SignupSettings
  readonly #calls: CallLimit

  constructor (settings: SignupSettings) {
    this.#settings = settings
    this.#calls = new CallLimit(settings.timeout, settings.concurrency)
  }

  /** Whether the credentials match; throws a coded 503 when `verify` is late or too many are pending, a 500 when it throws. */
  async matches (credentials: SignupCredentials, request: FastifyRequest): Promise<boolean> {
    const { verify, timeout, concurrency } = this.#settings
    return await this.#calls.call(async signal => {
      try {
        return await verify(credentials, request, { signal }) === true
      } catch (error) {
        // Never the credentials: the error is logged as a plain description, the answer says nothing.
        if (!signal.aborted) request.log.error({ err: safeError(error, 'the signup verify function') }, 'fastify-haptik: the signup verify function threw')
        throw new InternalError()
      }
    }, {
      busy: () => {
        request.log.warn({ pending: this.#calls.pending }, `fastify-haptik: ${concurrency} signup checks are pending, the most allowed (signup.concurrency); refusing this one`)
        return new SignupBusyError()
      },
      late: () => {
        request.log.warn(`fastify-haptik: the signup verify function did not answer within ${timeout} ms (signup.timeout); refusing this check`)
        return new SignupTimeoutError(`did not answer within ${timeout} ms`)
      },
      closing: () => new SignupTimeoutError('was cancelled: the server is closing')
    })
  }

  close (): void {
    this.#calls.close()
  }
}
