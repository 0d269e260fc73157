import { isThenable } from '../untrusted.js'
import { settleWithin } from '../time-limit.js'
import type { WriteOptions } from './state-store.js'

/** The time, at most, a write's answer is given to travel back from the store. */
const MAX_REPLY_TIME = 100

/** A store that did not answer within `storeTimeout`. */
export class StoreTimeoutError extends Error {
  constructor (readonly timeout: number) {
    super(`did not answer within storeTimeout (${timeout} ms)`)
  }
}

/** A store operation's answer: at once when the store answers at once; a rejection when it throws, fails or is late. */
export function storeCall<T> (run: () => T | PromiseLike<T>, timeout: number): T | Promise<T> {
  const result = run()
  return isThenable(result) ? settleWithin(result, timeout, () => new StoreTimeoutError(timeout)) : result
}

/** A write started now, with a store deadline a little before `storeTimeout`, so that its answer has time to travel back. */
export function writeWithin (timeout: number, retain?: boolean): WriteOptions {
  const deadline = Date.now() + timeout - Math.min(MAX_REPLY_TIME, Math.floor(timeout / 5))
  return retain === true ? { deadline, retain } : { deadline }
}
