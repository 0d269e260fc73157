// Each step call seen from outside: one log line, an OpenTelemetry span and
// metrics (with the real SDK and in-memory exporters), and diagnostics_channel
// messages; refusals counted by code.
import diagnostics from 'node:diagnostics_channel'
import t, { type Test } from 'tap'
import Fastify from 'fastify'
import { Type } from '@sinclair/typebox'
import type { SumMetricData, HistogramMetricData } from '@opentelemetry/sdk-metrics'
import fastifyHaptik, {
  DIAGNOSTICS_CHANNELS, StepFailure, defineStep, handoff, memoryStore,
  type FastifyHaptikOptions, type StateStore, type RefusedMessage, type StepEndMessage, type StepStartMessage
} from '../lib/index.js'
import { SECRET, detection, envelope, signedPost } from './helpers/haptik.js'
import { captureLogs } from './helpers/logs.js'
import { metering, tracing } from './helpers/telemetry.js'

const Product = Type.Object({ product: Type.Union([Type.Literal('speaker'), Type.Literal('powerbank')]) })
const steps = [
  defineStep({ name: 'ok', entities: Product, handler: ({ entities }) => [`price of ${entities.product}`, 'anything else?'] }),
  defineStep({ name: 'sorry', handler: () => { throw new StepFailure('Sorry, not today.') } }),
  defineStep({ name: 'boom', handler: () => { throw new Error('database down') } }),
  defineStep({ name: 'slow', timeout: 20, handler: () => new Promise<string>(() => {}) }),
  defineStep({ name: 'agent', handler: async () => handoff({ reason: 'refund' }) })
]

interface Line { level: number, msg: string, code?: string, step?: string, outcome?: string, durationMs?: number, messages?: number, environment?: string, secret?: number }

async function observedApp (t: Test, options: Partial<FastifyHaptikOptions> = {}) {
  const { logger, lines } = captureLogs<Line>('info')
  const app = Fastify({ logger })
  t.teardown(() => app.close())
  await app.register(fastifyHaptik, { prefix: '/haptik', secret: [SECRET, 'the-old-secret'], environment: 'production', steps, ...options })
  return { app, lines }
}

const calls = {
  ok: (secret = SECRET) => ['/haptik/ok', envelope('ok', { product: [detection('speaker', 'PLANTED-TEXT')] }), { secret }] as const,
  invalid: ['/haptik/ok', envelope('ok', { product: [detection('phone', 'PLANTED-TEXT')] }), { secret: SECRET }] as const
}

t.test('one info line per step call: step, outcome, handler time, messages, environment, and which secret matched', async t => {
  const { app, lines } = await observedApp(t)
  await signedPost(app, ...calls.ok())
  await signedPost(app, ...calls.ok('the-old-secret'))
  for (const name of ['sorry', 'boom', 'slow', 'agent']) await signedPost(app, `/haptik/${name}`, envelope(name, {}))
  await signedPost(app, ...calls.invalid)
  const stepLines = lines.filter(line => line.msg === 'step call')
  t.same(stepLines.map(({ level, step, outcome, messages, environment, secret }) => ({ level, step, outcome, messages, environment, secret })), [
    { level: 30, step: 'ok', outcome: 'ok', messages: 2, environment: 'production', secret: 0 },
    { level: 30, step: 'ok', outcome: 'ok', messages: 2, environment: 'production', secret: 1 },
    { level: 30, step: 'sorry', outcome: 'failure', messages: 1, environment: 'production', secret: 0 },
    { level: 30, step: 'boom', outcome: 'fallback', messages: 1, environment: 'production', secret: 0 },
    { level: 30, step: 'slow', outcome: 'timeout', messages: 1, environment: 'production', secret: 0 },
    { level: 30, step: 'agent', outcome: 'handoff', messages: 0, environment: 'production', secret: 0 },
    { level: 30, step: 'ok', outcome: 'invalid-entity', messages: 1, environment: 'production', secret: 0 }
  ], 'the second call was signed with the old secret: it is still in use')
  for (const line of stepLines) t.type(line.durationMs, 'number', `${line.step}: durationMs`)
  t.notOk(lines.some(line => JSON.stringify(line).includes('PLANTED-TEXT') || JSON.stringify(line).includes('c0de-s3cret')), 'no entity or user value in any line')
})

t.test('an unsigned step logs no secret', async t => {
  const { app, lines } = await observedApp(t, { secret: undefined, allowUnsigned: true })
  await app.inject({ method: 'POST', url: '/haptik/ok', payload: calls.ok()[1] })
  t.match(lines.find(line => line.msg === 'step call'), { outcome: 'ok' })
  t.notOk('secret' in (lines.find(line => line.msg === 'step call') as Line))
})

t.test('a span per step call, with the step, outcome and environment, and the error of a failed one', async t => {
  const { exporter, tracerProvider } = tracing()
  const { app } = await observedApp(t, { telemetry: { tracerProvider } })
  await signedPost(app, ...calls.ok())
  await signedPost(app, '/haptik/boom', envelope('boom', {}))
  await signedPost(app, '/haptik/slow', envelope('slow', {}))
  await signedPost(app, ...calls.invalid)
  const spans = exporter.getFinishedSpans()
  t.same(spans.map(span => [span.name, span.attributes['haptik.step'], span.attributes['haptik.outcome'], span.attributes['haptik.environment'], span.status.code]), [
    ['haptik step ok', 'ok', 'ok', 'production', 0],
    ['haptik step boom', 'boom', 'fallback', 'production', 2],
    ['haptik step slow', 'slow', 'timeout', 'production', 2],
    ['haptik step ok', 'ok', 'invalid-entity', 'production', 0]
  ])
  t.equal(spans[1].events[0].name, 'exception')
  t.equal(spans[1].events[0].attributes?.['exception.message'], 'database down', 'the error is recorded on the span (traces are the app\'s own, unlike replies and logs)')
  t.match(spans[2].status.message, 'did not answer within 20 ms')
})

t.test('metrics: calls by step and outcome, handler time by step, refusals by code', async t => {
  const { meterProvider, collect } = metering()
  const { app } = await observedApp(t, { telemetry: { meterProvider } })
  await signedPost(app, ...calls.ok())
  await signedPost(app, ...calls.ok())
  await signedPost(app, '/haptik/sorry', envelope('sorry', {}))
  await signedPost(app, ...calls.ok('forged'))
  await signedPost(app, '/haptik/nope', envelope('nope', {}))
  const metrics = await collect()
  const byName = Object.fromEntries(metrics.map(metric => [metric.descriptor.name, metric]))
  const points = (name: string) => (byName[name] as SumMetricData).dataPoints.map(point => [point.attributes, point.value])
  t.same(points('haptik.step.calls'), [
    [{ 'haptik.step': 'ok', 'haptik.environment': 'production', 'haptik.outcome': 'ok' }, 2],
    [{ 'haptik.step': 'sorry', 'haptik.environment': 'production', 'haptik.outcome': 'failure' }, 1]
  ])
  t.same(points('haptik.refusals'), [
    [{ 'haptik.step': 'ok', 'haptik.environment': 'production', 'error.type': 'FST_HAPTIK_INVALID_SIGNATURE' }, 1],
    [{ 'error.type': 'FST_HAPTIK_UNKNOWN_PATH' }, 1]
  ])
  const duration = byName['haptik.step.duration'] as HistogramMetricData
  t.equal(duration.descriptor.unit, 'ms')
  t.same(duration.dataPoints.map(point => [point.attributes['haptik.step'], point.value.count]), [['ok', 2], ['sorry', 1]])
})

t.test('metrics: a step name the plugin does not serve never becomes a label, and logs show it capped', async t => {
  const { meterProvider, collect } = metering()
  // Unsigned, so nothing but the route stands between anyone's invented names and the metrics.
  const { app, lines } = await observedApp(t, { telemetry: { meterProvider }, secret: undefined, allowUnsigned: true, dispatch: true })
  const invented = ['a', 'b'].map(letter => `${letter}_${'x'.repeat(500)}`)
  for (const name of invented) await app.inject({ method: 'POST', url: '/haptik/', payload: envelope(name, {}) })
  const metrics = await collect()
  const refusals = metrics.find(metric => metric.descriptor.name === 'haptik.refusals') as SumMetricData
  t.same(refusals.dataPoints.map(point => [point.attributes, point.value]), [[{ 'error.type': 'FST_HAPTIK_UNKNOWN_STEP' }, 2]], 'no attribute holds an invented name')
  const logged = lines.filter(line => line.code === 'FST_HAPTIK_UNKNOWN_STEP')
  t.same(logged.map(line => line.step), invented.map(name => `${name.slice(0, 64)}…`), 'the log names it, cut at 64 characters')
})

t.test('diagnostics_channel: the start and end of each call, and each refusal', async t => {
  const messages: Array<[string, StepStartMessage | StepEndMessage | RefusedMessage]> = []
  const subscribers = Object.entries(DIAGNOSTICS_CHANNELS).map(([kind, name]) => {
    const subscriber = (message: unknown) => { messages.push([kind, message as StepStartMessage]) }
    diagnostics.subscribe(name, subscriber)
    return () => diagnostics.unsubscribe(name, subscriber)
  })
  t.teardown(() => { for (const unsubscribe of subscribers) unsubscribe() })
  const { app } = await observedApp(t)
  await signedPost(app, ...calls.ok('the-old-secret'))
  await signedPost(app, ...calls.ok('forged'))
  t.same(DIAGNOSTICS_CHANNELS, { start: 'fastify-haptik:step:start', end: 'fastify-haptik:step:end', refused: 'fastify-haptik:refused' })
  t.same(messages.map(([kind]) => kind), ['start', 'end', 'refused'])
  const [[, start], [, end], [, refused]] = messages as [[string, StepStartMessage], [string, StepEndMessage], [string, RefusedMessage]]
  t.match(start, { step: 'ok', environment: 'production' })
  t.equal(start.request.url, '/haptik/ok', 'with the Fastify request')
  t.match(end, { step: 'ok', outcome: 'ok', messages: 2, secret: 1, environment: 'production' })
  t.type(end.durationMs, 'number')
  t.equal(end.request, start.request)
  t.match(refused, { step: 'ok', code: 'FST_HAPTIK_INVALID_SIGNATURE', statusCode: 401 })
})

t.test("state reads and writes are child spans of the step's span, timed by haptik.store.duration; a failed one is counted and named in the call's outcome", async t => {
  const { exporter, tracerProvider } = tracing()
  const { meterProvider, collect } = metering()
  // A store that answers at once, then rejects, then throws at once.
  let down: 'no' | 'rejects' | 'throws' = 'no'
  const backing = memoryStore()
  const store: StateStore = {
    kind: 'flaky',
    get: key => {
      if (down === 'throws') throw new Error('not connected')
      return down === 'rejects' ? Promise.reject(new Error('connection refused')) : backing.get(key)
    },
    set: (key, value, version, ttl) => backing.set(key, value, version, ttl)
  }
  const tally = defineStep({ name: 'tally', state: Type.Object({ n: Type.Integer() }), handler: ({ state }) => ({ response: 'ok', state: { n: (state?.n ?? 0) + 1 } }) })
  const { app, lines } = await observedApp(t, { steps: [tally], store, telemetry: { tracerProvider, meterProvider } })
  t.same((await signedPost(app, '/haptik/tally', envelope('tally', {}))).json(), { status: true, response: ['ok'] })
  const spans = exporter.getFinishedSpans()
  const step = spans.find(span => span.name === 'haptik step tally')
  const storeSpans = spans.filter(span => span.name.startsWith('haptik state'))
  t.same(storeSpans.map(span => [span.name, span.attributes['haptik.store'], span.parentSpanContext?.spanId === step?.spanContext().spanId]), [['haptik state get', 'flaky', true], ['haptik state set', 'flaky', true]])
  for (const failure of ['rejects', 'throws'] as const) {
    down = failure
    t.same((await signedPost(app, '/haptik/tally', envelope('tally', {}))).json().status, false, `a store that ${failure}: the failure path`)
  }
  const metrics = await collect()
  const duration = metrics.find(metric => metric.descriptor.name === 'haptik.store.duration') as HistogramMetricData
  t.same(duration.dataPoints.map(point => [point.attributes['haptik.store.operation'], point.value.count]).sort(), [['get', 3], ['set', 1]])
  const errors = metrics.find(metric => metric.descriptor.name === 'haptik.store.errors') as SumMetricData
  t.same(errors.dataPoints.map(point => [point.attributes, point.value]), [[{ 'haptik.store': 'flaky', 'haptik.store.operation': 'get' }, 2]])
  t.same(lines.filter(line => line.msg === 'step call').map(line => line.outcome), ['ok', 'store-error', 'store-error'], "the call's log line names the store's failure")
})
