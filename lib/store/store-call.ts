import { isThenable } from '../untrusted.js'
import { settleWithin } from '../time-limit.js'
import type { WriteOptions } from './state-store.js'

// Every store operation ends by `storeTimeout`, and a write carries the
// deadline past which the store must refuse it: a write the plugin gave up
// on never lands later. The store's own deadline comes a little before the
// plugin's, so that an answer has time to travel back.

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

/** How a write started now is made under `storeTimeout`. */
export function writeWithin (timeout: number, retain?: boolean): WriteOptions {
  const deadline = Date.now() + timeout - Math.min(MAX_REPLY_TIME, Math.floor(timeout / 5))
  return retain === true ? { deadline, retain } : { deadline }
}
