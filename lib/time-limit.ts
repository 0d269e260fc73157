import { Deadline, deadlines } from './deadlines.js'

/** One wait: what the pending promise's callbacks reach, emptied once it ends. */
class Wait<T> extends Deadline {
  #resolve: ((value: T) => void) | undefined
  #reject: ((reason: unknown) => void) | undefined
  #expired: (() => unknown) | undefined

  constructor (resolve: (value: T) => void, reject: (reason: unknown) => void, expired: () => unknown, timeout: number) {
    super()
    this.#resolve = resolve
    this.#reject = reject
    this.#expired = expired
    deadlines.start(this, timeout)
  }

  readonly settled = (value: T): void => {
    const resolve = this.#resolve
    if (resolve === undefined) return
    this.#end()
    resolve(value)
  }

  readonly failed = (reason: unknown): void => {
    const reject = this.#reject
    if (reject === undefined) return
    this.#end()
    reject(reason)
  }

  expire (): void {
    const reject = this.#reject as (reason: unknown) => void
    const expired = this.#expired as () => unknown
    this.#end()
    reject(expired())
  }

  #end (): void {
    deadlines.stop(this)
    this.#resolve = this.#reject = this.#expired = undefined
  }
}

/**
 * What `pending` settles to, or after `timeout` ms a rejection with `expired()` (which must not throw).
 * A late settlement is ignored and holds nothing of the caller's.
 */
export function settleWithin<T> (pending: PromiseLike<T>, timeout: number, expired: () => unknown): Promise<T> {
  let wait: Wait<T> | undefined
  const settled = new Promise<T>((resolve, reject) => { wait = new Wait(resolve, reject, expired, timeout) })
  const { settled: onValue, failed: onError } = wait as Wait<T>
  // Promise.resolve: a hand-made thenable may throw in `then`, or call back twice.
  Promise.resolve(pending).then(onValue, onError)
  return settled
}
