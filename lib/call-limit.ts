import { settleWithin } from './time-limit.js'

/** How a limited call is refused, each error made when it happens. */
interface Refusals {
  readonly busy: () => Error
  readonly late: () => Error
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
