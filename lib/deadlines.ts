import { performance } from 'node:perf_hooks'

// A setTimeout per call measured 10-14 % of a step call's CPU (bench/README.md): the
// calls of one timeout expire in the order they started, so each timeout keeps a
// first-in, first-out list with one timer for its oldest call, as Node keeps its own.

/** A wait with a deadline: `expire()` runs once, unless the wait is stopped first. */
export abstract class Deadline {
  expiresAt = 0
  previous: Deadline | null = null
  next: Deadline | null = null
  list: DeadlineList | null = null
  abstract expire (): void
}

/** The waits of one timeout, oldest first, and the timer of the oldest. */
class DeadlineList {
  head: Deadline | null = null
  tail: Deadline | null = null
  timer: NodeJS.Timeout | undefined

  constructor (readonly timeout: number, readonly owner: Deadlines) {}

  readonly #fire = (): void => {
    this.timer = undefined
    const now = performance.now()
    try {
      for (let wait = this.head; wait !== null && wait.expiresAt <= now; wait = this.head) {
        this.unlink(wait)
        wait.expire()
      }
    } finally {
      // The event loop's clock may lag performance.now() by a tick; a wait started from expire() armed the timer already.
      const oldest = this.head
      if (oldest === null) this.owner.drop(this)
      else if (this.timer === undefined) this.#arm(Math.ceil(oldest.expiresAt - now))
    }
  }

  #arm (delay: number): void {
    this.timer = setTimeout(this.#fire, delay)
    if (!this.owner.keepsProcessOpen) this.timer.unref()
  }

  link (wait: Deadline): void {
    wait.expiresAt = performance.now() + this.timeout
    wait.list = this
    wait.previous = this.tail
    wait.next = null
    if (this.tail === null) {
      this.head = wait
      // The timer stays armed while the list empties and fills: it fires for the oldest wait, or finds none and drops the list.
      if (this.timer === undefined) this.#arm(this.timeout)
      else if (this.owner.keepsProcessOpen) this.timer.ref()
    } else {
      this.tail.next = wait
    }
    this.tail = wait
  }

  unlink (wait: Deadline): void {
    if (wait.previous === null) this.head = wait.next
    else wait.previous.next = wait.next
    if (wait.next === null) this.tail = wait.previous
    else wait.next.previous = wait.previous
    wait.previous = wait.next = wait.list = null
    if (this.head === null && this.owner.keepsProcessOpen) this.timer?.unref()
  }

  clear (): void {
    while (this.head !== null) this.unlink(this.head)
    clearTimeout(this.timer)
    this.timer = undefined
  }
}

/** Waits with deadlines, a list per timeout; a list whose timer finds it empty is dropped. */
export class Deadlines {
  readonly #lists = new Map<number, DeadlineList>()

  /** `keepsProcessOpen: false`: the timers never hold the process open, even while waits are pending. */
  constructor (readonly keepsProcessOpen = true) {}

  start (wait: Deadline, timeout: number): void {
    let list = this.#lists.get(timeout)
    if (list === undefined) {
      list = new DeadlineList(timeout, this)
      this.#lists.set(timeout, list)
    }
    list.link(wait)
  }

  /** False when the wait had expired already (or never started). */
  stop (wait: Deadline): boolean {
    const { list } = wait
    if (list === null) return false
    list.unlink(wait)
    return true
  }

  drop (list: DeadlineList): void {
    this.#lists.delete(list.timeout)
  }

  /** How many timeouts have a list: bounded by the timeouts in use. */
  get lists (): number {
    return this.#lists.size
  }

  /** Forgets every wait, none expiring. */
  clear (): void {
    for (const list of this.#lists.values()) list.clear()
    this.#lists.clear()
  }
}

/** The deadlines of step calls and of every wait under settleWithin, in this process. */
export const deadlines = new Deadlines()
