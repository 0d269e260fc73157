// The deadline lists (lib/deadlines.ts), and the bodies' (lib/wire/body-deadline.ts) where no
// route reaches: a body still arriving when the server closes, timers that hold nothing open.
import { EventEmitter } from 'node:events'
import { performance } from 'node:perf_hooks'
import type { Readable } from 'node:stream'
import { setTimeout as sleep } from 'node:timers/promises'
import t from 'tap'
import type { FastifyReply, FastifyRequest } from 'fastify'
import { Deadline, Deadlines } from '../../lib/deadlines.js'
import { BodyDeadlines, kPendingBody } from '../../lib/wire/body-deadline.js'

const request = (complete = false) => ({ headers: { 'content-length': '5' }, raw: { complete } }) as unknown as FastifyRequest
const reply = { sent: false } as unknown as FastifyReply

/** Ref'd timers keeping the process open (tap's own are not counted: only the difference matters). */
const timers = () => process.getActiveResourcesInfo().filter(resource => resource === 'Timeout').length

/** A call that records when it expired, and may run something then. */
class Call extends Deadline {
  expiredAt: number | undefined
  constructor (readonly name: string, readonly expired: string[], readonly then?: () => void) {
    super()
  }

  expire (): void {
    this.expiredAt = performance.now()
    this.expired.push(this.name)
    this.then?.()
  }
}

t.test('calls expire in the order they started, never before their deadline; a stopped call never does', async t => {
  const deadlines = new Deadlines()
  const expired: string[] = []
  const [a, b, c] = ['a', 'b', 'c'].map(name => new Call(name, expired))
  const started = performance.now()
  deadlines.start(a, 30)
  deadlines.start(b, 30)
  deadlines.start(c, 30)
  t.equal(deadlines.stop(b), true, 'stopped in time')
  await sleep(80)
  t.same(expired, ['a', 'c'])
  t.ok((a.expiredAt as number) >= started + 30)
  t.equal(deadlines.stop(a), false, 'too late: it expired')
})

t.test('each timeout has its own list', async t => {
  const deadlines = new Deadlines()
  const expired: string[] = []
  deadlines.start(new Call('slow', expired), 60)
  deadlines.start(new Call('fast', expired), 10)
  await sleep(100)
  t.same(expired, ['fast', 'slow'])
})

t.test('a call started after the timer was armed for an earlier one is waited for again, not expired early', async t => {
  const deadlines = new Deadlines()
  const expired: string[] = []
  const first = new Call('first', expired)
  deadlines.start(first, 40)
  await sleep(20)
  deadlines.stop(first)
  // The list is empty: the timer armed for `first` is kept, and fires about 20 ms before `second` is due.
  const second = new Call('second', expired)
  const started = performance.now()
  deadlines.start(second, 40)
  await sleep(100)
  t.same(expired, ['second'])
  t.ok((second.expiredAt as number) >= started + 40, 'not before its deadline')
})

t.test('a call started while others expire gets the whole timeout, and expires once', async t => {
  const deadlines = new Deadlines()
  const expired: string[] = []
  const started: number[] = []
  const retry = new Call('retry', expired)
  deadlines.start(new Call('first', expired, () => { started.push(performance.now()); deadlines.start(retry, 30) }), 10)
  await sleep(100)
  t.same(expired, ['first', 'retry'])
  t.ok((retry.expiredAt as number) >= started[0] + 30)
})

t.test('a call that throws when it expires does not strand the others', async t => {
  const deadlines = new Deadlines()
  const expired: string[] = []
  const thrown: unknown[] = []
  const listeners = process.listeners('uncaughtException')
  process.removeAllListeners('uncaughtException')
  process.once('uncaughtException', error => thrown.push(error))
  t.teardown(() => { for (const listener of listeners) process.on('uncaughtException', listener) })
  deadlines.start(new Call('broken', expired, () => { throw new Error('broken') }), 10)
  const next = new Call('next', expired)
  await sleep(2)
  deadlines.start(next, 10)
  await sleep(100)
  t.same(expired, ['broken', 'next'])
  t.match(thrown, [{ message: 'broken' }])
})

t.test('the timer holds the process open only while calls wait', async t => {
  const deadlines = new Deadlines()
  const before = timers()
  const call = new Call('c', [])
  deadlines.start(call, 10_000)
  t.equal(timers(), before + 1, 'a waiting call keeps the process open, so its deadline passes')
  deadlines.stop(call)
  t.equal(timers(), before, 'nothing waits: an idle server, or a script that is done, may exit')
  deadlines.start(call, 10_000)
  t.equal(timers(), before + 1, 'the same timer, ref\'d again')
  deadlines.stop(call)
  t.equal(timers(), before)
})

t.test('clear() forgets every waiting call: none expires, and each list\'s timer is cleared', async t => {
  const deadlines = new Deadlines(false)
  const expired: string[] = []
  deadlines.start(new Call('a', expired), 10)
  deadlines.start(new Call('b', expired), 10)
  deadlines.start(new Call('c', expired), 20)
  const clearTimeout = globalThis.clearTimeout
  let cleared = 0
  globalThis.clearTimeout = ((timer: Parameters<typeof clearTimeout>[0]) => { cleared++; clearTimeout(timer) }) as typeof clearTimeout
  try {
    deadlines.clear()
  } finally {
    globalThis.clearTimeout = clearTimeout
  }
  t.equal(cleared, 2, 'one timer per timeout, both cleared')
  await sleep(60)
  t.same(expired, [])
})

t.test('lists that keep no process open never hold it, even while calls wait', async t => {
  const deadlines = new Deadlines(false)
  const before = timers()
  const call = new Call('c', [])
  deadlines.start(call, 10_000)
  t.equal(timers(), before)
  deadlines.stop(call)
  deadlines.start(call, 10_000)
  t.equal(timers(), before, 'nor when a call starts again on the armed timer')
  deadlines.clear()
})

t.test('a list whose timer finds it empty is dropped: one list per timeout in use, not per timeout ever used', async t => {
  const deadlines = new Deadlines()
  for (let timeout = 5; timeout < 25; timeout++) {
    const call = new Call(String(timeout), [])
    deadlines.start(call, timeout)
    deadlines.stop(call)
  }
  t.equal(deadlines.lists, 20)
  await sleep(60)
  t.equal(deadlines.lists, 0, 'each timer fired, found its list empty and dropped it')
  const expired: string[] = []
  deadlines.start(new Call('again', expired), 5)
  await sleep(40)
  t.same(expired, ['again'], 'a dropped timeout starts a new list')
})

t.test('a body that does not arrive in time is answered 408, with a timer that never holds the process open', async t => {
  const bodies = new BodyDeadlines(10)
  const payload = new EventEmitter()
  const errors: unknown[] = []
  payload.on('error', error => { errors.push(error) })
  const before = timers()
  bodies.start(request(), reply, payload as unknown as Readable)
  t.equal(timers(), before, 'not counted among what holds the process open')
  await sleep(40)
  t.match(errors, [{ code: 'FST_HAPTIK_BODY_TIMEOUT' }])
})

t.test('BodyDeadlines.close() (the server closing): a body still arriving is not answered 408 after it', async t => {
  const bodies = new BodyDeadlines(10)
  const payload = new EventEmitter()
  const errors: unknown[] = []
  payload.on('error', error => { errors.push(error) })
  bodies.start(request(), reply, payload as unknown as Readable)
  bodies.close()
  await sleep(40)
  t.same(errors, [])
})

t.test('a body that came whole with the headers needs no clock', async t => {
  const bodies = new BodyDeadlines(10)
  const payload = new EventEmitter()
  const errors: unknown[] = []
  payload.on('error', error => { errors.push(error) })
  const whole = request(true)
  bodies.start(whole, reply, payload as unknown as Readable)
  t.equal((whole as unknown as Record<symbol, unknown>)[kPendingBody], undefined, 'no timer')
  await sleep(40)
  t.same(errors, [])
})
