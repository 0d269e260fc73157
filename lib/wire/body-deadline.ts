import type { Readable } from 'node:stream'
import type { FastifyReply, FastifyRequest, onRequestHookHandler, preParsingHookHandler } from 'fastify'
import { BodyTimeoutError } from '../errors.js'

// A client that trickles its body holds a connection and a request for as
// long as it likes under Fastify's defaults (no requestTimeout). On the
// plugin's routes a body must arrive within `bodyTimeout`: past it the call
// gets 408 and its connection is closed, as Node's own requestTimeout does,
// without touching the app's other routes.

/** The timer of the request's body being received (set by the preParsing hook). */
export const kPendingBody = Symbol('fastify-haptik.pendingBody')

type TimedRequest = FastifyRequest & { [kPendingBody]: NodeJS.Timeout | null }

/** Whether Fastify will read a body for this request (as its own check does). */
function hasBody (request: FastifyRequest): boolean {
  const { 'content-length': length, 'transfer-encoding': encoding } = request.headers
  return encoding !== undefined || (length !== undefined && length !== '0')
}

/** The bodies being received on one registration's routes, each with its deadline. */
export class BodyDeadlines {
  readonly #timeout: number
  #closed = false

  constructor (timeout: number) {
    this.#timeout = timeout
  }

  /**
   * Starts the clock of a request whose body is still to arrive (in the
   * route's preParsing hook; a small body came with the headers, whole). The
   * timer never holds the process open: the body's socket does.
   */
  start (request: FastifyRequest, reply: FastifyReply, payload: Readable): void {
    if (request.raw.complete || !hasBody(request)) return
    (request as TimedRequest)[kPendingBody] = setTimeout(this.#expire, this.#timeout, reply, payload).unref()
  }

  readonly #expire = (reply: FastifyReply, payload: Readable): void => {
    // Every answer on these routes passes the parser or the error handler,
    // which stop the clock; a reply sent some other way must not be answered twice.
    /* c8 ignore next */
    if (this.#closed || reply.sent) return
    // Fastify's body reader takes the error: it answers 408 through the
    // routes' error handler with `Connection: close`, and stops reading.
    payload.emit('error', new BodyTimeoutError(this.#timeout))
  }

  /** The body arrived, or the request was answered before it did. */
  done (request: FastifyRequest): void {
    const timer = (request as TimedRequest)[kPendingBody]
    if (timer === null) return
    (request as TimedRequest)[kPendingBody] = null
    clearTimeout(timer)
  }

  /** A route's hooks, its preParsing hook starting the body's clock first. */
  withHook (hooks: { onRequest?: onRequestHookHandler, preParsing: preParsingHookHandler }) {
    const { preParsing } = hooks
    const deadlines = this
    const startThenCheck: preParsingHookHandler = function startHaptikBodyClock (request, reply, payload, done) {
      deadlines.start(request, reply, payload)
      preParsing.call(this, request, reply, payload, done)
    }
    return { ...hooks, preParsing: startThenCheck }
  }

  /** The server closes: no body expires from now on. */
  close (): void {
    this.#closed = true
  }
}
