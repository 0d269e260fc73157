import type { Readable } from 'node:stream'
import type { FastifyReply, FastifyRequest, onRequestHookHandler, preParsingHookHandler } from 'fastify'
import { Deadline, Deadlines } from '../deadlines.js'
import { BodyTimeoutError } from '../errors.js'

// Fastify sets no requestTimeout by default: a body trickled in would hold its connection for ever.

export const kPendingBody = Symbol('fastify-haptik.pendingBody')

type TimedRequest = FastifyRequest & { [kPendingBody]: PendingBody | null }

class PendingBody extends Deadline {
  constructor (readonly reply: FastifyReply, readonly payload: Readable, readonly timeout: number) {
    super()
  }

  expire (): void {
    // Every answer on these routes passes the parser or the error handler,
    // which stop the clock; a reply sent some other way must not be answered twice.
    /* c8 ignore next */
    if (this.reply.sent) return
    // Fastify's body reader takes it: 408 through the error handler with `Connection: close`.
    this.payload.emit('error', new BodyTimeoutError(this.timeout))
  }
}

/** Whether Fastify will read a body for this request (as its own check does). */
function hasBody (request: FastifyRequest): boolean {
  const { 'content-length': length, 'transfer-encoding': encoding } = request.headers
  return encoding !== undefined || (length !== undefined && length !== '0')
}

export class BodyDeadlines {
  readonly #timeout: number
  readonly #pending = new Deadlines(false)

  constructor (timeout: number) {
    this.#timeout = timeout
  }

  /** A small body came with the headers, whole; the timers never hold the process: the body's socket does. */
  start (request: FastifyRequest, reply: FastifyReply, payload: Readable): void {
    if (request.raw.complete || !hasBody(request)) return
    const body = new PendingBody(reply, payload, this.#timeout)
    ;(request as TimedRequest)[kPendingBody] = body
    this.#pending.start(body, this.#timeout)
  }

  done (request: FastifyRequest): void {
    const body = (request as TimedRequest)[kPendingBody]
    if (body === null) return
    (request as TimedRequest)[kPendingBody] = null
    this.#pending.stop(body)
  }

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
