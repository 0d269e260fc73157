import type { Readable } from 'node:stream'
import type { FastifyReply, FastifyRequest, onRequestHookHandler, preParsingHookHandler } from 'fastify'
import { BodyTimeoutError } from '../errors.js'

// A client that trickles its body holds a connection and a request for as
// long as it likes under Fastify's defaults (no requestTimeout). On the
// plugin's routes a body must arrive within `bodyTimeout`: past it the call
// gets 408 and its connection is closed, as Node's own requestTimeout does,
// without touching the app's other routes. One timer serves every pending
// body: they share one timeout, so the oldest is always the next to expire.

interface PendingBody {
  readonly reply: FastifyReply
  readonly payload: Readable
  readonly deadline: number
}

/** Whether Fastify will read a body for this request (as its own check does). */
function hasBody (request: FastifyRequest): boolean {
  const { 'content-length': length, 'transfer-encoding': encoding } = request.headers
  return encoding !== undefined || (length !== undefined && length !== '0')
}

/** The bodies being received on one registration's routes, each with its deadline. */
export class BodyDeadlines {
  readonly #timeout: number
  /** In arrival order, which is deadline order. */
  readonly #pending = new Map<FastifyRequest, PendingBody>()
  #timer: NodeJS.Timeout | undefined

  constructor (timeout: number) {
    this.#timeout = timeout
  }

  /** Route-level preParsing hook: starts the clock of a request with a body. */
  readonly hook: preParsingHookHandler = (request, reply, payload, done) => {
    if (hasBody(request)) {
      this.#pending.set(request, { reply, payload, deadline: Date.now() + this.#timeout })
      this.#timer ??= setTimeout(this.#expire, this.#timeout).unref()
    }
    done()
  }

  /** The body arrived, or the request was answered before it did. */
  done (request: FastifyRequest): void {
    this.#pending.delete(request)
  }

  readonly #expire = (): void => {
    this.#timer = undefined
    const now = Date.now()
    for (const [request, { reply, payload, deadline }] of this.#pending) {
      if (deadline > now) {
        this.#timer = setTimeout(this.#expire, deadline - now).unref()
        return
      }
      this.#pending.delete(request)
      // Every answer on these routes passes the parser or the error handler,
      // which end the clock; a reply sent some other way must not be answered twice.
      /* c8 ignore next */
      if (reply.sent) continue
      // Fastify's body reader takes the error: it answers 408 through the
      // routes' error handler with `Connection: close`, and stops reading.
      payload.emit('error', new BodyTimeoutError(this.#timeout))
    }
  }

  /** A route's preParsing hooks, with the body's clock started first. */
  withHook (hooks: { onRequest?: onRequestHookHandler, preParsing: preParsingHookHandler }) {
    return { ...hooks, preParsing: [this.hook, hooks.preParsing] }
  }

  close (): void {
    clearTimeout(this.#timer)
    this.#timer = undefined
    this.#pending.clear()
  }
}
