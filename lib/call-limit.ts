import { settleWithin } from './time-limit.js'

// A user's function the request path waits on (a secret lookup, a signup
// check) may ask a vault or a database that is slow or down. Each call ends
// by its deadline, the calls pending at once are capped (unauthenticated
// callers cannot pile up work behind a slow dependency), and closing the
// server cancels what is pending. The function gets a signal that aborts at
// the deadline or the close.

/** How a limited call is refused, each error made when it happens. */
export interface Refusals {
  /** `concurrency` calls are pending already. */
  readonly busy: () => Error
  /** The call did not answer within the timeout. */
  readonly late: () => Error
  /** The server is closing. */
  readonly closing: () => Error
}

const kClosing = Symbol('fastify-haptik.closing')

/** The calls of one user's function: at most `concurrency` pending, each ended by `timeout`. */
export class CallLimit {
  #pending = 0
  readonly #controllers = new Set<AbortController>()

  constructor (readonly timeout: number, readonly concurrency: number) {}

  get pending (): number {
    return this.#pending
  }

  /** What `run` (an async function) answers, under the deadline and the cap. */
  async call<T> (run: (signal: AbortSignal) => Promise<T>, refusals: Refusals): Promise<T> {
    if (this.#pending >= this.concurrency) throw refusals.busy()
    const controller = new AbortController()
    const { signal } = controller
    this.#pending++
    this.#controllers.add(controller)
    const answer = new Promise<T>((resolve, reject) => {
      signal.addEventListener('abort', () => { reject(signal.reason) }, { once: true })
      run(signal).then(resolve, reject)
    })
    const settled = () => {
      this.#pending--
      this.#controllers.delete(controller)
    }
    return await settleWithin(answer, this.timeout, () => {
      const late = refusals.late()
      controller.abort(late)
      return late
    }).then(value => {
      settled()
      return value
    }, (error: unknown) => {
      settled()
      throw error === kClosing ? refusals.closing() : error
    })
  }

  /** Cancels every pending call: each is refused, so closing never waits on a dependency. */
  close (): void {
    for (const controller of this.#controllers) controller.abort(kClosing)
  }
}
