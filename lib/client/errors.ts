import type { HaptikErrorCode } from './error-codes.js'

/** Haptik's three host families: the Bot API (`messaging`), Conversation Studio's APIs (`platform`), WhatsApp (`whatsapp`). */
export type HaptikFamily = 'messaging' | 'platform' | 'whatsapp'

/** Which call failed, and where it went: never a header, a query string or a body. */
export interface HaptikCallInfo {
  /** The client method, e.g. `'logMessage'`. */
  readonly call: string
  readonly method: string
  readonly family: HaptikFamily
  /** The endpoint's path, without the query string. */
  readonly path: string
  /** Requests sent, 0 when the call ended before the first. */
  readonly attempts: number
}

/** The base class of everything the client throws: with every call detail once a request was due, `call` alone for a refused input. */
export class HaptikError<Info extends Partial<HaptikCallInfo> = Partial<HaptikCallInfo>> extends Error {
  static { this.prototype.name = 'HaptikError' }

  declare readonly call: Info['call']
  declare readonly method: Info['method']
  declare readonly family: Info['family']
  declare readonly path: Info['path']
  declare readonly attempts: Info['attempts']

  constructor (message: string, info: Info, options?: { cause?: unknown }) {
    super(message, options)
    const { call, method, family, path, attempts } = info
    Object.assign(this, { call, method, family, path, attempts })
  }
}

/** What Haptik answered, when the answer is an error. */
export interface HaptikApiErrorDetails {
  readonly status: number
  readonly code: HaptikErrorCode
  /** Haptik's `error_message`, as sent. */
  readonly errorMessage?: string | undefined
  /** The answer's parsed JSON, or the start of its text when it is not JSON. */
  readonly body?: unknown
  /** `Retry-After`, in seconds, when Haptik sent one. */
  readonly retryAfter?: number | undefined
}

/** An answer from Haptik that is an error: not 2xx, or with `success: false` or an `error_message`, or not JSON. */
export class HaptikApiError extends HaptikError<HaptikCallInfo> implements HaptikApiErrorDetails {
  static { this.prototype.name = 'HaptikApiError' }

  readonly status: number
  readonly code: HaptikErrorCode
  readonly errorMessage: string | undefined
  readonly body: unknown
  readonly retryAfter: number | undefined

  constructor (message: string, info: HaptikCallInfo, details: HaptikApiErrorDetails) {
    super(message, info)
    this.status = details.status
    this.code = details.code
    this.errorMessage = details.errorMessage
    this.body = details.body
    this.retryAfter = details.retryAfter
  }
}

/** No answer within the call's `timeout` (per attempt), on the last attempt. */
export class HaptikTimeoutError extends HaptikError<HaptikCallInfo> {
  static { this.prototype.name = 'HaptikTimeoutError' }

  readonly timeout: number

  constructor (message: string, info: HaptikCallInfo, timeout: number) {
    super(message, info)
    this.timeout = timeout
  }
}

/** Haptik could not be reached, or the connection broke before the answer; `cause` is the network error. */
export class HaptikConnectionError extends HaptikError<HaptikCallInfo> {
  static { this.prototype.name = 'HaptikConnectionError' }

  /** The connection failed before the request was sent (refused, no such host): Haptik cannot have acted on it. */
  readonly beforeSending: boolean

  constructor (message: string, info: HaptikCallInfo, beforeSending: boolean, cause: unknown) {
    super(message, info, { cause })
    this.beforeSending = beforeSending
  }
}

/** The caller's `signal` aborted the call (before it was sent, during a request or during a backoff); `cause` is its reason. */
export class HaptikAbortError extends HaptikError<HaptikCallInfo> {
  static { this.prototype.name = 'HaptikAbortError' }

  constructor (message: string, info: HaptikCallInfo, reason: unknown) {
    super(message, info, { cause: reason })
  }
}

/** An input or option the client refused before sending anything. */
export class HaptikValidationError extends HaptikError {
  static { this.prototype.name = 'HaptikValidationError' }

  /** The input field at fault, e.g. `'rating'` or `'customData.address'`. */
  readonly field: string

  constructor (message: string, call: string, field: string) {
    super(message, { call })
    this.field = field
  }
}
