import { performance } from 'node:perf_hooks'

// The deadlines of the handlers in flight, on one timer per timeout rather
// than a setTimeout per call. Every call of a step shares the step's timeout,
// so calls with the same timeout expire in the order they started: each
// timeout keeps its calls in a first-in, first-out list (as Node keeps its
// own timer lists), and one timer waits for the oldest. Starting and ending
// a call links and unlinks it; the timer is only ref'd while calls are
// waiting, so an idle server, or a script that is done, is not held open.
// The step routes' bodies have lists of their own, which never hold the
// process open: a body that is still arriving has its socket for that.

/** A call waiting for its handler, in its timeout's list. */
export abstract class Deadline {
  /** `performance.now()` past which the call has expired. */
  expiresAt = 0
  previous: Deadline | null = null
  next: Deadline | null = null
  list: DeadlineList | null = null
  /** Called once, when the deadline passes before `deadlines.stop(this)`. */
  abstract expire (): void
}

/** The calls of one timeout, oldest first, and the timer of the oldest. */
class DeadlineList {
  head: Deadline | null = null
  tail: Deadline | null = null
  timer: NodeJS.Timeout | undefined

  constructor (readonly timeout: number, readonly keepsProcessOpen: boolean) {}

  readonly #fire = (): void => {
    this.timer = undefined
    const now = performance.now()
    try {
      for (let call = this.head; call !== null && call.expiresAt <= now; call = this.head) {
        this.unlink(call)
        call.expire()
      }
    } finally {
      // The oldest call left (the timer runs on the event loop's clock, which
      // may lag performance.now() by a tick) is waited for again, unless a
      // call started from expire() armed the timer already.
      const oldest = this.head
      if (oldest !== null && this.timer === undefined) this.#arm(Math.ceil(oldest.expiresAt - now))
    }
  }

  #arm (delay: number): void {
    this.timer = setTimeout(this.#fire, delay)
    if (!this.keepsProcessOpen) this.timer.unref()
  }

  link (call: Deadline): void {
    call.expiresAt = performance.now() + this.timeout
    call.list = this
    call.previous = this.tail
    call.next = null
    if (this.tail === null) {
      this.head = call
      // Armed for the first call, then kept: a call that ends unlinks in O(1)
      // and leaves the timer set; it fires for the oldest call or finds none.
      if (this.timer === undefined) this.#arm(this.timeout)
      else if (this.keepsProcessOpen) this.timer.ref()
    } else {
      this.tail.next = call
    }
    this.tail = call
  }

  unlink (call: Deadline): void {
    if (call.previous === null) this.head = call.next
    else call.previous.next = call.next
    if (call.next === null) this.tail = call.previous
    else call.next.previous = call.previous
    call.previous = call.next = call.list = null
    if (this.head === null && this.keepsProcessOpen) this.timer?.unref()
  }

  /** Forgets every call, none expiring, and stops the timer. */
  clear (): void {
    while (this.head !== null) this.unlink(this.head)
    clearTimeout(this.timer)
    this.timer = undefined
  }
}

/** The deadlines of calls in flight, by timeout. */
export class Deadlines {
  readonly #lists = new Map<number, DeadlineList>()

  /** `keepsProcessOpen: false`: the timer never holds the process open, even while calls wait. */
  constructor (readonly options: { readonly keepsProcessOpen: boolean } = { keepsProcessOpen: true }) {}

  /** Starts the clock of a call: `call.expire()` runs once `timeout` ms have passed, unless stopped. */
  start (call: Deadline, timeout: number): void {
    let list = this.#lists.get(timeout)
    if (list === undefined) {
      list = new DeadlineList(timeout, this.options.keepsProcessOpen)
      this.#lists.set(timeout, list)
    }
    list.link(call)
  }

  /** Stops the clock of a call; false when it had already expired (or was never started). */
  stop (call: Deadline): boolean {
    const { list } = call
    if (list === null) return false
    list.unlink(call)
    return true
  }

  /** Forgets every call, none expiring (a registration's bodies, when its server closes). */
  clear (): void {
    for (const list of this.#lists.values()) list.clear()
  }
}

/** The deadlines of every step call in this process. */
export const stepDeadlines = new Deadlines()
