// No value a handler throws can take the server down: each hostile value
// below takes the failure path exactly as an ordinary error does, thrown
// synchronously, rejected, or rejected after the step's deadline, with the
// logger on or off, and leaves no unhandled rejection behind.
import t from 'tap'
import fc from 'fast-check'
import Fastify, { type FastifyInstance } from 'fastify'
import fastifyHaptik, { DEFAULT_FALLBACK_MESSAGE, defineStep, handoff, StepFailure } from '../../lib/index.js'
import { SECRET, envelope, signedPost } from '../helpers/haptik.js'
import { captureLogs } from '../helpers/logs.js'

t.setTimeout(120_000)

function revokedProxy<T extends object> (target: T): T {
  const { proxy, revoke } = Proxy.revocable(target, {})
  revoke()
  return proxy
}

const throwing = (): never => { throw new Error('hostile getter') }
const TRAPS: ProxyHandler<object> = {
  get: throwing,
  has: throwing,
  ownKeys: throwing,
  getOwnPropertyDescriptor: throwing,
  getPrototypeOf: throwing,
  defineProperty: throwing,
  set: throwing,
  isExtensible: throwing,
  preventExtensions: throwing
}

function errorWith (property: string, descriptor: PropertyDescriptor): Error {
  const error = new Error('x')
  Object.defineProperty(error, property, descriptor)
  return error
}

/** Values no handler should throw, and that one will. */
export const HOSTILE: Record<string, () => unknown> = {
  'a revoked proxy': () => revokedProxy({}),
  'a revoked proxy of an Error': () => revokedProxy(new Error('x')),
  'a proxy whose every trap throws': () => new Proxy(new Error('x'), TRAPS),
  'a frozen Error': () => Object.freeze(new Error('x')),
  'a sealed Error': () => Object.seal(new Error('x')),
  'an Error whose message throws': () => errorWith('message', { get: throwing, enumerable: false }),
  'an Error whose stack throws': () => errorWith('stack', { get: throwing, enumerable: false }),
  'an Error whose name throws': () => errorWith('name', { get: throwing, enumerable: false }),
  'an Error with an enumerable getter that throws': () => errorWith('detail', { get: throwing, enumerable: true }),
  'an Error whose cause is a revoked proxy': () => new Error('x', { cause: revokedProxy({}) }),
  'an Error that is its own cause': () => { const error = new Error('x'); error.cause = error; return error },
  'an Error whose prototype is a revoked proxy': () => Object.setPrototypeOf(new Error('x'), revokedProxy({})),
  'an object whose prototype is a revoked proxy': () => Object.setPrototypeOf({}, revokedProxy({})),
  'an object whose conversions throw': () => ({ toString: throwing, valueOf: throwing, [Symbol.toPrimitive]: throwing }),
  'a null-prototype object': () => Object.create(null),
  'a function with a throwing property': () => Object.defineProperty(() => {}, 'message', { get: throwing, enumerable: true }),
  'a symbol': () => Symbol('x'),
  'a bigint': () => 10n ** 30n
}

const FALLBACK = { status: false, response: [DEFAULT_FALLBACK_MESSAGE] }
const DEADLINE = 50

let thrown: () => unknown = () => new Error('x')
const later = (ms: number) => new Promise(resolve => setTimeout(resolve, ms))

const steps = [
  defineStep({ name: 'sync', handler: () => { throw thrown() } }),
  defineStep({ name: 'async', handler: async () => { throw thrown() } }),
  defineStep({ name: 'late', timeout: DEADLINE, handler: async () => { await later(DEADLINE * 2); throw thrown() } })
]

async function app (t: { teardown: (fn: () => unknown) => void }, logger: boolean) {
  const log = captureLogs('info')
  const server = Fastify(logger ? { logger: log.logger } : {})
  t.teardown(() => server.close())
  await server.register(fastifyHaptik, { secret: SECRET, steps })
  await server.ready()
  return { server, log }
}

const unhandled: unknown[] = []
const onUnhandled = (reason: unknown) => { unhandled.push(reason) }
process.on('unhandledRejection', onUnhandled)
t.teardown(() => { process.off('unhandledRejection', onUnhandled) })

/** Waits long enough for a late rejection to be seen (or reported unhandled). */
const settled = (step = 'late') => later(step === 'late' ? DEADLINE * 2 + 50 : 5)

async function callStep (server: FastifyInstance, name: string) {
  return await signedPost(server, `/${name}`, envelope(name, {}))
}

for (const logger of [true, false]) {
  t.test(`with the logger ${logger ? 'on' : 'off'}, every hostile value takes the failure path, once`, async t => {
    const { server, log } = await app(t, logger)
    for (const [name, make] of Object.entries(HOSTILE)) {
      thrown = make
      for (const step of ['sync', 'async', 'late']) {
        const before = log.lines.length
        const response = await callStep(server, step)
        t.equal(response.statusCode, 200, `${name}, ${step}: 200`)
        t.same(response.json(), FALLBACK, `${name}, ${step}: the fallback`)
        await settled(step)
        t.same(unhandled, [], `${name}, ${step}: no unhandled rejection`)
        if (!logger) continue
        const lines = log.lines.slice(before)
        t.notOk(lines.some(line => /already sent/i.test(String(line.msg))), `${name}, ${step}: answered once`)
        const failure = lines.find(line => line.level === 50 || (step === 'late' && line.level === 40 && /after its deadline/.test(String(line.msg))))
        t.ok(failure, `${name}, ${step}: the failure is logged`)
        const call = lines.find(line => line.msg === 'step call')
        t.equal(call?.outcome, step === 'late' ? 'timeout' : 'fallback', `${name}, ${step}: the call's outcome`)
      }
    }
  })
}

t.test('a hostile value is logged with a description that says what it is', async t => {
  const { server, log } = await app(t, true)
  thrown = HOSTILE['a frozen Error']
  await callStep(server, 'sync')
  const frozen = log.lines.find(line => line.level === 50)?.err as Record<string, unknown>
  t.equal(frozen.message, 'x', 'an Error keeps its message')
  t.match(frozen.stack, /Error: x/, 'and its stack')
  thrown = HOSTILE['a revoked proxy']
  await callStep(server, 'sync')
  const revoked = log.lines.filter(line => line.level === 50).at(-1)?.err as Record<string, unknown>
  t.match(revoked.message, /the handler threw a value that cannot be read/)
  thrown = HOSTILE['an Error whose cause is a revoked proxy']
  await callStep(server, 'sync')
  const caused = log.lines.filter(line => line.level === 50).at(-1)?.err as Record<string, unknown>
  t.match(caused.message, /^x: the handler threw a value that cannot be read/, 'pino joins the cause, described safely')
  thrown = HOSTILE['a bigint']
  await callStep(server, 'sync')
  t.match((log.lines.filter(line => line.level === 50).at(-1)?.err as Record<string, unknown>).message, /non-Error value \(bigint\)/)
})

t.test('frozen StepFailure and hand-over values keep their meaning', async t => {
  const { server } = await app(t, true)
  thrown = () => Object.freeze(new StepFailure('No such order.'))
  t.same((await callStep(server, 'async')).json(), { status: false, response: ['No such order.'] })
  thrown = () => Object.freeze(handoff({ reason: 'refund' }))
  t.same((await callStep(server, 'sync')).json(), { status: false, response: [] })
})

t.test('hostile values returned instead of thrown take the failure path too', async t => {
  let returned: unknown
  const step = defineStep({ name: 'returns', handler: () => returned as string })
  const asyncStep = defineStep({ name: 'resolves', handler: async () => returned as string })
  const { logger } = captureLogs('info')
  const server = Fastify({ logger })
  t.teardown(() => server.close())
  await server.register(fastifyHaptik, { secret: SECRET, steps: [step, asyncStep] })
  for (const [name, make] of Object.entries(HOSTILE)) {
    // A null-prototype object is plain JSON data: valid details, so not wrapped as details.
    const wraps = [(value: unknown) => value, (value: unknown) => ({ response: value })]
    if (name !== 'a null-prototype object') wraps.push((value: unknown) => ({ response: 'ok', conversation_details: { value } }))
    for (const wrap of wraps) {
      returned = wrap(make())
      for (const url of ['/returns', '/resolves']) {
        const response = await signedPost(server, url, envelope(url.slice(1), {}))
        t.equal(response.statusCode, 200, `${name} at ${url}`)
        t.strictSame(response.json(), FALLBACK, `${name} at ${url}: the failure path`)
      }
    }
  }
  await settled()
  t.same(unhandled, [])
})

t.test('property: whatever a handler throws or rejects with, the answer is the fallback, once', async t => {
  const { server, log } = await app(t, true)
  // Made inside the property: fast-check itself cannot hold a revoked proxy.
  const makers = [
    ...Object.values(HOSTILE).map(make => fc.constant(make)),
    fc.anything({ withBigInt: true, withMap: true, withSet: true, withTypedArray: true, withDate: true, withNullPrototype: true, withSparseArray: true }).map(value => () => value),
    fc.string().map(message => () => Object.freeze(new Error(message)))
  ]
  let runs = 0
  await fc.assert(fc.asyncProperty(fc.oneof(...makers), fc.constantFrom('sync', 'async'), async (make, step) => {
    thrown = make
    const response = await callStep(server, step)
    runs++
    return response.statusCode === 200 && JSON.stringify(response.json()) === JSON.stringify(FALLBACK)
  }), { numRuns: 300 })
  t.equal(runs, 300)
  await settled()
  t.same(unhandled, [])
  t.notOk(log.lines.some(line => /already sent/i.test(String(line.msg))))
})

t.test("a hostile value thrown by the app's own hook on a step route is a coded 500, logged safely", async t => {
  const { logger, lines } = captureLogs('info')
  const server = Fastify({ logger })
  t.teardown(() => server.close())
  server.addHook('preHandler', async () => { throw thrown() })
  await server.register(fastifyHaptik, { secret: SECRET, steps })
  for (const [name, make] of Object.entries(HOSTILE)) {
    thrown = make
    const response = await callStep(server, 'sync')
    t.equal(response.statusCode, 500, name)
    t.same(response.json(), { statusCode: 500, code: 'FST_HAPTIK_INTERNAL', error: 'Internal Server Error', message: 'Internal error' }, name)
  }
  t.equal(lines.filter(line => line.msg === 'fastify-haptik: unexpected error').length, Object.keys(HOSTILE).length, 'each logged once')
  await settled()
  t.same(unhandled, [])
})

t.test("an app's tracer that throws when a call's span ends: a coded 500, answered at once, later, or at the deadline; nothing thrown where it would crash", async t => {
  // The reply of an async or late call is sent from a promise callback or the deadline's timer: a throw there must not escape.
  const span = {
    isRecording: () => true,
    spanContext: () => ({ traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', traceFlags: 1 }),
    setAttribute () { return span },
    setStatus () { return span },
    recordException () {},
    end () { throw new Error('exporter down') }
  }
  const tracerProvider = { getTracer: () => ({ startSpan: () => span }) }
  const server = Fastify()
  t.teardown(() => server.close())
  await server.register(fastifyHaptik, {
    secret: SECRET,
    telemetry: { tracerProvider } as never,
    steps: [
      defineStep({ name: 'now', handler: () => 'hi' }),
      defineStep({ name: 'soon', handler: async () => 'hi' }),
      defineStep({ name: 'never', timeout: DEADLINE, handler: async () => { await later(DEADLINE * 2); return 'hi' } })
    ]
  })
  for (const step of ['now', 'soon', 'never']) {
    const response = await callStep(server, step)
    t.equal(response.statusCode, 500, step)
    t.same(response.json(), { statusCode: 500, code: 'FST_HAPTIK_INTERNAL', error: 'Internal Server Error', message: 'Internal error' }, step)
  }
  await settled()
  t.same(unhandled, [])
})
