import type { Readable } from 'node:stream'
import type { FastifyReply, FastifyRequest, onRequestHookHandler, preParsingHookHandler } from 'fastify'
import { Deadline, Deadlines } from '../deadlines.js'
import { BodyTimeoutError } from '../errors.js'

// A client that trickles its body holds a connection and a request for as
// long as it likes under Fastify's defaults (no requestTimeout). On the
// plugin's routes a body must arrive within `bodyTimeout`: past it the call
// gets 408 and its connection is closed, as Node's own requestTimeout does,
// without touching the app's other routes. The bodies being received are a
// timer list (lib/deadlines.ts): one timer for all of them, and a body that
// arrives is unlinked in O(1), through the request's own slot.

/** The request's body being received, in its registration's list (set by the preParsing hook). */
export const kPendingBody = Symbol('fastify-haptik.pendingBody')

type TimedRequest = FastifyRequest & { [kPendingBody]: PendingBody | null }

/** A body being received, and what answers when its time is up. */
class PendingBody extends Deadline {
  constructor (readonly reply: FastifyReply, readonly payload: Readable, readonly timeout: number) {
    super()
  }

  expire (): void {
    // Every answer on these routes passes the parser or the error handler,
    // which end the clock; a reply sent some other way must not be answered twice.
    /* c8 ignore next */
    if (this.reply.sent) return
    // Fastify's body reader takes the error: it answers 408 through the
    // routes' error handler with `Connection: close`, and stops reading.
    this.payload.emit('error', new BodyTimeoutError(this.timeout))
  }
}

/** Whether Fastify will read a body for this request (as its own check does). */
function hasBody (request: FastifyRequest): boolean {
  const { 'content-length': length, 'transfer-encoding': encoding } = request.headers
  return encoding !== undefined || (length !== undefined && length !== '0')
}

/** The bodies being received on one registration's routes, each with its deadline. */
export class BodyDeadlines {
  readonly #timeout: number
  readonly #pending = new Deadlines({ keepsProcessOpen: false })

  constructor (timeout: number) {
    this.#timeout = timeout
  }

  /** Starts the clock of a request with a body (in the route's preParsing hook). */
  start (request: FastifyRequest, reply: FastifyReply, payload: Readable): void {
    if (!hasBody(request)) return
    const body = new PendingBody(reply, payload, this.#timeout)
    ;(request as TimedRequest)[kPendingBody] = body
    this.#pending.start(body, this.#timeout)
  }

  /** The body arrived, or the request was answered before it did. */
  done (request: FastifyRequest): void {
    const body = (request as TimedRequest)[kPendingBody]
    if (body === null) return
    (request as TimedRequest)[kPendingBody] = null
    this.#pending.stop(body)
  }

  /**
   * A route's hooks, its preParsing hook starting the body's clock first: one
   * hook, not two (each hook Fastify runs costs per request).
   */
  withHook (hooks: { onRequest?: onRequestHookHandler, preParsing: preParsingHookHandler }) {
    const { preParsing } = hooks
    const deadlines = this
    const startThenCheck: preParsingHookHandler = function startHaptikBodyClock (request, reply, payload, done) {
      deadlines.start(request, reply, payload)
      preParsing.call(this, request, reply, payload, done)
    }
    return { ...hooks, preParsing: startThenCheck }
  }

  close (): void {
    this.#pending.clear()
  }
}
