import { codeOf } from './error-codes.js'
import { HaptikAbortError, HaptikApiError, HaptikConnectionError, HaptikTimeoutError, type HaptikCallInfo, type HaptikError, type HaptikFamily } from './errors.js'
import { backoff, MAX_RETRY_AFTER, retryAfter, retryableStatus, sentNothing, sleep } from './retry.js'
import { isObject } from './wire-case.js'

/** The `fetch` the client sends with: Node's own by default. */
export type HaptikFetch = (url: string, init: RequestInit) => Promise<Response>

type LogFn = (fields: Record<string, unknown>, message: string) => void
/** A pino-style logger (Fastify's `app.log` is one). */
export interface HaptikLogger {
  trace: LogFn
  debug: LogFn
  info: LogFn
  warn: LogFn
}

/** One of Haptik's endpoints, as the client calls it. */
export interface Endpoint {
  readonly call: string
  readonly family: HaptikFamily
  readonly method: string
  readonly path: string
  /** Sending it twice does no harm (users, feedback, the webhook flag, reads): it is retried on a timeout, 408, 429 and 5xx. */
  readonly idempotent: boolean
}

/** What one call sends, and how a successful answer reads. */
export interface Operation<T> {
  readonly query?: Record<string, string> | undefined
  readonly json?: unknown
  readonly form?: FormData | undefined
  /** Any JSON is a result (the escape hatch); otherwise only an object is. */
  readonly anyJson?: boolean | undefined
  /** The result; undefined when the answer is not the shape the docs describe. */
  readonly read: (body: any) => T | undefined
  /** A result for an error that answers a repeat of a call that may have landed, or undefined. */
  readonly recover?: ((error: HaptikApiError) => T | undefined) | undefined
}

/** A call, as an observer sees it when it starts. */
export interface ObservedCall {
  /** The client method, e.g. `'sendChatToAgent'`. */
  readonly method: string
  readonly httpMethod: string
  readonly family: HaptikFamily
  readonly path: string
}

/** How a call ended. */
export interface ObservedEnd {
  /** The status of the last answer, if any came. */
  readonly status?: number | undefined
  readonly error?: HaptikError | undefined
  readonly attempts: number
}

/** Called as each call starts; what it returns is called as the call ends. */
export type Observer = (call: ObservedCall) => ((end: ObservedEnd) => void) | undefined | void

/** One call's deadline, retries and observers, resolved. */
export interface CallSettings {
  readonly signal: AbortSignal | undefined
  readonly timeout: number
  readonly maxRetries: number
  readonly observers: readonly Observer[]
}

interface TransportOptions {
  readonly token: string
  readonly clientId: string
  readonly baseUrls: Readonly<Record<HaptikFamily, string>>
  readonly logger: HaptikLogger | undefined
  readonly fetch: HaptikFetch
}

type Outcome =
  | { kind: 'answer', status: number, contentType: string | null, retryAfter: number | undefined, text: string }
  | { kind: 'timeout' }
  | { kind: 'abort', reason: unknown }
  | { kind: 'connection', beforeSending: boolean, cause: unknown }

interface Progress { attempts: number, status: number | undefined }

export class Transport {
  readonly #options: TransportOptions
  readonly #secrets: string[]

  constructor (options: TransportOptions) {
    this.#options = options
    // A client id shorter than this would also match unrelated text.
    this.#secrets = [options.token, options.clientId].filter(secret => secret.length >= 6)
  }

  /** Runs one call: `prepare` validates the input and says what to send. */
  async call<T> (endpoint: Endpoint, prepare: () => Operation<T>, settings: CallSettings): Promise<T> {
    const started = Date.now()
    const ends = this.#observe(endpoint, settings.observers)
    const progress: Progress = { attempts: 0, status: undefined }
    try {
      const result = await this.#send(endpoint, prepare(), settings, progress)
      this.#end(endpoint, ends, { status: progress.status, attempts: progress.attempts }, started)
      return result
    } catch (error) {
      this.#end(endpoint, ends, { status: progress.status, error: error as HaptikError, attempts: progress.attempts }, started)
      throw error
    }
  }

  async #send<T> (endpoint: Endpoint, operation: Operation<T>, settings: CallSettings, progress: Progress): Promise<T> {
    const { signal, timeout, maxRetries } = settings
    const info = (): HaptikCallInfo => ({ call: endpoint.call, method: endpoint.method, family: endpoint.family, path: endpoint.path, attempts: progress.attempts })
    const aborted = (reason: unknown, when: string) =>
      new HaptikAbortError(`${endpoint.call}: aborted ${when} (${endpoint.method} ${endpoint.path})`, info(), reason)
    if (signal?.aborted === true) throw aborted(signal.reason, 'before it was sent')
    let mayHaveLanded = false
    for (let attempt = 1; ; attempt++) {
      progress.attempts = attempt
      const started = Date.now()
      const outcome = await this.#attempt(endpoint, operation, timeout, signal)
      const status = outcome.kind === 'answer' ? outcome.status : undefined
      progress.status = status ?? progress.status
      this.#log('trace', endpoint, { attempt, status, outcome: outcome.kind, durationMs: Date.now() - started }, 'haptik api attempt')
      let failure: HaptikError
      let retry: boolean
      let wait: number | undefined
      if (outcome.kind === 'abort') throw aborted(outcome.reason, 'while waiting for Haptik')
      if (outcome.kind === 'answer') {
        const read = this.#read(endpoint, operation, outcome, info())
        if (!(read instanceof HaptikApiError)) return read.value
        const recovered = mayHaveLanded ? operation.recover?.(read) : undefined
        if (recovered !== undefined) return recovered
        failure = read
        wait = read.retryAfter
        retry = endpoint.idempotent && retryableStatus(outcome.status) && (wait ?? 0) <= MAX_RETRY_AFTER
        mayHaveLanded ||= outcome.status >= 500
      } else if (outcome.kind === 'timeout') {
        failure = new HaptikTimeoutError(`${endpoint.call}: no answer from Haptik within ${timeout} ms (${endpoint.method} ${endpoint.path}, attempt ${attempt})`, info(), timeout)
        retry = endpoint.idempotent
        mayHaveLanded = true
      } else {
        const reason = (outcome.cause as { cause?: { message?: unknown } } | null)?.cause?.message ?? (outcome.cause as Error | null)?.message
        failure = new HaptikConnectionError(`${endpoint.call}: could not reach Haptik's ${endpoint.family} host for ${endpoint.method} ${endpoint.path} (${this.#redact(String(reason))})`, info(), outcome.beforeSending, outcome.cause)
        retry = outcome.beforeSending || endpoint.idempotent
        mayHaveLanded ||= !outcome.beforeSending
      }
      if (!retry || attempt > maxRetries) throw failure
      const delayMs = wait === undefined ? backoff(attempt) : Math.round(wait * 1000)
      this.#log('info', endpoint, { attempt, status, error: failure.name, delayMs }, 'haptik api call: retrying')
      await sleep(delayMs, signal).catch((reason: unknown) => { throw aborted(reason, 'during a backoff') })
    }
  }

  async #attempt (endpoint: Endpoint, operation: Operation<unknown>, timeout: number, signal: AbortSignal | undefined): Promise<Outcome> {
    const timer = AbortSignal.timeout(timeout)
    const init: RequestInit = {
      method: endpoint.method,
      headers: this.#headers(operation),
      signal: signal === undefined ? timer : AbortSignal.any([signal, timer]),
      // A redirect is not followed: it would carry the client-id header to another host.
      redirect: 'manual'
    }
    if (operation.form !== undefined) init.body = operation.form
    else if (operation.json !== undefined) init.body = JSON.stringify(operation.json)
    try {
      const response = await this.#options.fetch(this.#url(endpoint, operation.query), init)
      const text = await response.text()
      return { kind: 'answer', status: response.status, contentType: response.headers.get('content-type'), retryAfter: retryAfter(response.headers.get('retry-after')), text }
    } catch (error) {
      if (signal?.aborted === true) return { kind: 'abort', reason: signal.reason }
      if (timer.aborted) return { kind: 'timeout' }
      return { kind: 'connection', beforeSending: sentNothing(error), cause: error }
    }
  }

  #headers (operation: Operation<unknown>): Record<string, string> {
    // api-security-rules.md:14-16; a multipart body's content-type (with its boundary) is fetch's.
    const headers: Record<string, string> = { authorization: `Bearer ${this.#options.token}`, 'client-id': this.#options.clientId }
    if (operation.form === undefined) headers['content-type'] = 'application/json'
    return headers
  }

  #url (endpoint: Endpoint, query: Record<string, string> | undefined): string {
    const url = this.#options.baseUrls[endpoint.family] + endpoint.path
    return query === undefined ? url : `${url}?${new URLSearchParams(query).toString()}`
  }

  /** A successful answer's result, or the error it is. */
  #read<T> (endpoint: Endpoint, operation: Operation<T>, answer: Outcome & { kind: 'answer' }, info: HaptikCallInfo): { value: T } | HaptikApiError {
    const { status, contentType, text } = answer
    const ok = status >= 200 && status < 300
    const where = `${endpoint.call}: Haptik answered ${status} to ${endpoint.method} ${endpoint.path}`
    const body = parseJson(text)
    if (body === NOT_JSON) {
      const shown = this.#redact(text.slice(0, 500))
      return new HaptikApiError(`${where} with a body that is not JSON (${contentType ?? 'no content-type'}, ${text.length} characters)`, info, { status, code: 'not_json', body: shown, retryAfter: answer.retryAfter })
    }
    const errorMessage = isObject(body) && typeof body.error_message === 'string' && body.error_message !== '' ? this.#redact(body.error_message) : undefined
    const unsuccessful = isObject(body) && body.success === false
    if (ok && errorMessage === undefined && !unsuccessful) {
      const value = operation.anyJson === true || isObject(body) ? operation.read(body) : undefined
      if (value !== undefined) return { value }
      return new HaptikApiError(`${where} with JSON that is not what the docs describe`, info, { status, code: 'unexpected_response', body: this.#redactJson(text, body) })
    }
    const said = unsuccessful ? `${status} with success: false` : status
    return new HaptikApiError(`${endpoint.call}: Haptik answered ${said} to ${endpoint.method} ${endpoint.path}${errorMessage === undefined ? '' : `: ${errorMessage}`}`, info, {
      status,
      code: codeOf(errorMessage),
      errorMessage,
      body: this.#redactJson(text, body),
      retryAfter: answer.retryAfter
    })
  }

  #redact (text: string): string {
    return this.#secrets.reduce((result, secret) => result.replaceAll(secret, '[REDACTED]'), text)
  }

  /** An answer's JSON for an error, with the secrets taken out: as JSON again, or as text when that breaks it (a secret that was a number). */
  #redactJson (text: string, body: unknown): unknown {
    const redacted = this.#redact(text)
    if (redacted === text) return body
    const reparsed = parseJson(redacted)
    return reparsed === NOT_JSON ? redacted : reparsed
  }

  #observe (endpoint: Endpoint, observers: readonly Observer[]): Array<(end: ObservedEnd) => void> {
    const ends: Array<(end: ObservedEnd) => void> = []
    for (const observe of observers) {
      this.#guard(endpoint, () => {
        const end = observe({ method: endpoint.call, httpMethod: endpoint.method, family: endpoint.family, path: endpoint.path })
        if (typeof end === 'function') ends.push(end)
      })
    }
    return ends
  }

  #end (endpoint: Endpoint, ends: Array<(end: ObservedEnd) => void>, end: ObservedEnd, started: number): void {
    for (const observed of ends) this.#guard(endpoint, () => observed(end))
    const { status, attempts, error } = end
    this.#log('debug', endpoint, { status, attempts, durationMs: Date.now() - started, error: error?.name, code: (error as { code?: unknown } | undefined)?.code }, 'haptik api call')
  }

  /** An observer that throws is logged, never the call's failure. */
  #guard (endpoint: Endpoint, observe: () => void): void {
    try {
      observe()
    } catch (error) {
      this.#log('warn', endpoint, { error: (error as Error | null)?.name }, 'haptik api call: an observer threw')
    }
  }

  #log (level: keyof HaptikLogger, endpoint: Endpoint, fields: Record<string, unknown>, message: string): void {
    this.#options.logger?.[level]({ call: endpoint.call, method: endpoint.method, family: endpoint.family, path: endpoint.path, ...fields }, message)
  }
}

const NOT_JSON = Symbol('not JSON')

function parseJson (text: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    return NOT_JSON
  }
}
