import t, { type Test } from 'tap'
import Fastify from 'fastify'
import { Type } from '@sinclair/typebox'
import fastifyHaptik, { DEFAULT_FALLBACK_MESSAGE, StepFailure, StepHandoff, defineStep, handoff, type AnyStep, type FastifyHaptikOptions } from '../lib/index.js'
import { hsl } from '../lib/hsl/index.js'
import { SECRET, envelope, signedPost } from './helpers/haptik.js'
import { HANDOFF_STATUS, isHandoff } from '../lib/reply/handoff.js'
import { captureLogs } from './helpers/logs.js'

// Hand-over to a human agent: Haptik moves the chat to Pending for an agent
// when a step answers no messages and Human Assistance is on, and sends its
// bot-break message when it is off
// (docs/bot-builder/integrations/integration-parameters.md:278-282).

interface Line { level: number, msg: string, step?: string, reason?: string, err?: { code?: string, message: string } }

async function app (t: Test, steps: AnyStep[], options: Partial<FastifyHaptikOptions> = {}) {
  const { logger, lines } = captureLogs<Line>('info')
  const server = Fastify({ logger })
  t.teardown(() => server.close())
  await server.register(fastifyHaptik, { secret: SECRET, steps, ...options })
  const call = async (name: string) => {
    const res = await signedPost(server, `/${name}`, envelope(name, {}))
    t.equal(res.statusCode, 200, `${name}: HTTP 200`)
    return res.json()
  }
  return { call, lines, stepLines: (name: string) => lines.filter(line => line.step === name) }
}

const HANDED_OVER = { status: false, response: [] }

t.test('a handler hands the chat over on purpose: no messages, status false, no warning', async t => {
  t.equal(HANDOFF_STATUS, false)
  const { call, stepLines } = await app(t, [
    defineStep({ name: 'returns', handler: () => handoff({ reason: 'refunds need an agent' }) }),
    defineStep({ name: 'throws', handler: () => { throw handoff() } }),
    defineStep({ name: 'async', handler: async () => handoff() }),
    defineStep({ name: 'rejects', handler: async () => { throw new StepHandoff({ reason: 'late night' }) } })
  ])
  for (const name of ['returns', 'throws', 'async', 'rejects']) {
    t.same(await call(name), HANDED_OVER, name)
    t.notOk(stepLines(name).some(line => line.level >= 40), `${name}: no warning, no error`)
    t.match(stepLines(name), [{ level: 30, msg: /hands the chat over to an agent/ }], `${name}: logged as a hand-over`)
  }
  t.match(stepLines('returns'), [{ reason: 'refunds need an agent' }], 'the reason is logged')
})

t.test('a hand-over may set details, checked like any reply\'s', async t => {
  const { call, stepLines } = await app(t, [
    defineStep({
      name: 'details',
      conversationDetails: Type.Object({ topic: Type.String() }),
      handler: () => handoff({ conversation_details: { topic: 'refund' }, user_details: { tier: 'gold' } })
    }),
    defineStep({
      name: 'bad-details',
      conversationDetails: Type.Object({ topic: Type.String() }),
      handler: () => handoff({ conversation_details: {} as { topic: string } })
    })
  ])
  t.same(await call('details'), { status: false, response: [], conversation_details: { topic: 'refund' }, user_details: { tier: 'gold' } })
  t.same(await call('bad-details'), { status: false, response: [DEFAULT_FALLBACK_MESSAGE] }, 'invalid details: the failure path')
  t.match(stepLines('bad-details'), [{ level: 50, err: { code: 'FST_HAPTIK_INVALID_REPLY' } }])
})

t.test('an empty list is still sent with a warning that points to handoff()', async t => {
  const { call, stepLines } = await app(t, [defineStep({ name: 'empty', handler: () => [] })])
  t.same(await call('empty'), { status: true, response: [] })
  t.match(stepLines('empty'), [{ level: 40, msg: /no messages.*handoff\(\)/ }])
})

t.test('onFailure: handoff makes failures, invalid replies and timeouts hand over', async t => {
  const { call, stepLines } = await app(t, [
    defineStep({ name: 'throws', handler: () => { throw new Error('db down') } }),
    defineStep({ name: 'invalid', handler: () => 42 as unknown as string }),
    defineStep({ name: 'late', timeout: 20, handler: () => new Promise<string>(resolve => setTimeout(() => resolve('late'), 200)) }),
    defineStep({ name: 'own-failure', handler: () => { throw new StepFailure('No such order.') } }),
    defineStep({ name: 'fallback-step', onFailure: 'fallback', handler: () => { throw new Error('x') } })
  ], { onFailure: 'handoff' })
  for (const name of ['throws', 'invalid', 'late']) {
    t.same(await call(name), HANDED_OVER, name)
    t.match(stepLines(name), [{ level: 50, msg: /handing the chat over to an agent/ }], `${name}: logged as an error, with what was answered`)
  }
  t.same(await call('own-failure'), { status: false, response: ['No such order.'] }, 'a StepFailure still answers its own message')
  t.same(await call('fallback-step'), { status: false, response: [DEFAULT_FALLBACK_MESSAGE] }, 'a step overrides the plugin')
  t.match(stepLines('fallback-step'), [{ level: 50, msg: /answering with the fallback message/ }])
})

t.test('onFailure on one step only', async t => {
  const { call } = await app(t, [
    defineStep({ name: 'agent', onFailure: 'handoff', handler: () => { throw new Error('x') } }),
    defineStep({ name: 'plain', handler: () => { throw new Error('x') } })
  ])
  t.same(await call('agent'), HANDED_OVER)
  t.same(await call('plain'), { status: false, response: [DEFAULT_FALLBACK_MESSAGE] })
})

t.test('a thrown hand-over whose details are invalid still ends in a reply', async t => {
  const { call } = await app(t, [defineStep({
    name: 'x',
    onFailure: 'handoff',
    userDetails: Type.Object({ tier: Type.String() }),
    handler: () => { throw handoff({ user_details: {} as { tier: string } }) }
  })])
  t.same(await call('x'), HANDED_OVER, 'the failure path, which hands over without the details')
})

t.test('StepHandoff and isHandoff', async t => {
  const plain = handoff()
  t.ok(plain instanceof StepHandoff)
  t.ok(plain instanceof Error)
  t.equal(plain.name, 'StepHandoff')
  t.equal(plain.message, 'handing the chat over to an agent')
  t.equal(handoff({ reason: 'refund' }).message, 'handing the chat over to an agent: refund')
  t.equal(plain.reason, undefined)
  t.ok(isHandoff(plain))
  t.ok(isHandoff({ [Symbol.for('fastify-haptik.handoff')]: true }), 'a hand-over from another copy of the package')
  t.notOk(isHandoff(null))
  t.notOk(isHandoff(new Error('x')))
  t.notOk(isHandoff(hsl.text('hi')))
})

t.test('onFailure is checked at registration', async t => {
  const step = defineStep({ name: 'x', handler: () => 'x' })
  const cases: Array<[Partial<FastifyHaptikOptions>, AnyStep, string]> = [
    [{ onFailure: 'agent' as 'handoff' }, step, 'fastify-haptik: onFailure must be "fallback" or "handoff", got "agent"'],
    [{}, defineStep({ name: 'y', onFailure: 'agent' as 'handoff', handler: () => 'x' }), 'fastify-haptik: step "y": onFailure must be "fallback" or "handoff", got "agent"']
  ]
  for (const [options, which, message] of cases) {
    const server = Fastify()
    t.teardown(() => server.close())
    server.register(fastifyHaptik, { secret: SECRET, steps: [which], ...options })
    await t.rejects(async () => { await server.ready() }, { code: 'FST_HAPTIK_INVALID_OPTION', message })
  }
})
