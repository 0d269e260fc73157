// The bodies' deadlines (lib/wire/body-deadline.ts), where no route reaches: a
// body still arriving when the server closes, and timers that hold nothing open.
import { EventEmitter } from 'node:events'
import type { Readable } from 'node:stream'
import { setTimeout as sleep } from 'node:timers/promises'
import t from 'tap'
import type { FastifyReply, FastifyRequest } from 'fastify'
import { BodyDeadlines, kPendingBody } from '../../lib/wire/body-deadline.js'

const request = (complete = false) => ({ headers: { 'content-length': '5' }, raw: { complete } }) as unknown as FastifyRequest
const reply = { sent: false } as unknown as FastifyReply

/** Ref'd timers keeping the process open (tap's own are not counted: only the difference matters). */
const timers = () => process.getActiveResourcesInfo().filter(resource => resource === 'Timeout').length

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
