// The REST client bound to the call it runs in: a step's `context.haptik` and
// a webhook handler's `haptik` fill in the call's user and business, end with
// its deadline, and are spans and metrics of it. Against haptikApi(), over
// real sockets; the hand-over's request is docs/bot-builder/integrations/additional-apis.md's.
import { performance } from 'node:perf_hooks'
import t from 'tap'
import Fastify from 'fastify'
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base'
import { AggregationTemporality, InMemoryMetricExporter, MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics'
import fastifyHaptik, { DEFAULT_FALLBACK_MESSAGE, defineStep, handoff, type FastifyHaptikOptions } from '../lib/index.js'
import { createHaptikClient, HaptikAbortError } from '../lib/client/index.js'
import { callStep, callWebhook, haptikApi } from '../lib/testing/index.js'
import { SECRET } from './helpers/haptik.js'

const USER = { user_id: '5120931', user_name: 'ab112468917fgghdebc', auth_id: 'client-77' }

async function setUp (t: { teardown: (fn: () => unknown) => void }, options: Partial<FastifyHaptikOptions> = {}) {
  const api = await haptikApi()
  t.teardown(() => api.close())
  const client = createHaptikClient({ token: 'the-token', clientId: 'the-client', baseUrl: api.url, businessId: 343 })
  const lines: Array<Record<string, unknown>> = []
  const app = Fastify({ logger: { level: 'info', stream: { write: (line: string) => { lines.push(JSON.parse(line)) } } } })
  t.teardown(() => app.close())
  await app.register(fastifyHaptik, { secret: SECRET, prefix: '/haptik', steps: [], client, ...options })
  await app.ready()
  return { api, app, lines }
}

const talkToHuman = defineStep({
  name: 'talk_to_human',
  handler: async ({ haptik }) => {
    await haptik.sendChatToAgent({ teamName: 'billing' })
    return handoff()
  }
})

t.test("a step's context.haptik.sendChatToAgent({ teamName }) is all it takes: the request's user and the client's business fill in the rest", async t => {
  const { api, app } = await setUp(t, { steps: [talkToHuman] })
  const call = await callStep(app, talkToHuman, {}, { secret: SECRET, prefix: '/haptik', overrides: { user: USER } })
  t.same(call.reply, { status: false, response: [] }, 'the hand-over')
  const [handover] = api.callsTo('sendChatToAgent')
  t.same(handover.body, { user_name: USER.user_name, business_id: 343, team_name: 'billing' })
  t.equal(handover.headers.authorization, 'Bearer the-token')
})

t.test('one binding per call, however often the handler reads context.haptik', async t => {
  const both = defineStep({
    name: 'both',
    handler: async context => {
      await context.haptik.createUser({})
      t.equal(context.haptik, context.haptik)
      await context.haptik.sendChatToAgent({ teamName: 'billing' })
      return handoff()
    }
  })
  const { api, app } = await setUp(t, { steps: [both] })
  await callStep(app, both, {}, { secret: SECRET, prefix: '/haptik', overrides: { user: USER } })
  t.same(api.calls.map(call => call.endpoint), ['createUser', 'sendChatToAgent'])
  t.match(api.callsTo('createUser')[0].body, { auth_id: USER.auth_id }, "the user's auth_id filled in")
})

t.test("a webhook handler's haptik fills in the event's user and business_id", async t => {
  let handed: unknown
  const { api, app } = await setUp(t, { webhooks: { on: { chat_complete: async (_event, { haptik }) => { handed = await haptik.sendChatToAgent({ teamName: 'billing' }) } } } })
  const delivery = await callWebhook(app, 'chat_complete', { business_id: 555, user: USER, message: { id: 71 } }, { secret: SECRET, prefix: '/haptik' })
  t.equal(delivery.status, 'handled')
  t.match(handed, { success: true })
  t.same(api.callsTo('sendChatToAgent')[0].body, { user_name: USER.user_name, business_id: 555, team_name: 'billing' })
})

t.test("the step's deadline ends its API calls: a hung hand-over is aborted, the user gets the fallback in time", async t => {
  let failure: unknown
  const slow = defineStep({
    name: 'slow_handover',
    timeout: 200,
    handler: async ({ haptik }) => {
      try {
        await haptik.sendChatToAgent({ teamName: 'billing' })
      } catch (error) {
        failure = error
        throw error
      }
      return handoff()
    }
  })
  const { api, app } = await setUp(t, { steps: [slow] })
  api.fail('sendChatToAgent', 'hang')
  const started = performance.now()
  const call = await callStep(app, slow, {}, { secret: SECRET, prefix: '/haptik', overrides: { user: USER } })
  t.same(call.reply, { status: false, response: [DEFAULT_FALLBACK_MESSAGE] })
  t.ok(performance.now() - started < 2000)
  await new Promise(resolve => setTimeout(resolve, 50))
  t.ok(failure instanceof HaptikAbortError, 'the call was aborted with the step')
  t.equal(api.callsTo('sendChatToAgent').length, 1, 'sent once: a hand-over is not retried')
})

t.test('each API call is a child span of the step\'s or the webhook\'s span, and counted by method and outcome', async t => {
  const exporter = new InMemorySpanExporter()
  const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] })
  const metricExporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE)
  const reader = new PeriodicExportingMetricReader({ exporter: metricExporter, exportIntervalMillis: 60_000 })
  const meterProvider = new MeterProvider({ readers: [reader] })
  const { api, app } = await setUp(t, { steps: [talkToHuman], telemetry: { tracerProvider, meterProvider }, webhooks: { on: { chat_complete: async (_event, { haptik }) => { await haptik.sendChatToAgent({ teamName: 'sales' }) } } } })
  await callStep(app, talkToHuman, {}, { secret: SECRET, prefix: '/haptik', overrides: { user: USER } })
  api.fail('sendChatToAgent', { status: 200, errorMessage: 'invalid team_name provided' })
  await callWebhook(app, 'chat_complete', { user: USER, message: { id: 72 } }, { secret: SECRET, prefix: '/haptik' })
  const spans = exporter.getFinishedSpans()
  const byName = (name: string) => spans.filter(span => span.name === name)
  const [stepSpan] = byName('haptik step talk_to_human')
  const [webhookSpan] = byName('haptik webhook chat_complete')
  const apiSpans = byName('haptik.api sendChatToAgent')
  t.equal(apiSpans.length, 2)
  t.equal(apiSpans[0].parentSpanContext?.spanId, stepSpan.spanContext().spanId, "the step's call")
  t.match(apiSpans[0].attributes, { 'haptik.api.method': 'sendChatToAgent', 'haptik.api.family': 'platform', 'haptik.outcome': 'ok', 'http.response.status_code': 200, 'haptik.api.attempts': 1 })
  t.equal(apiSpans[1].parentSpanContext?.spanId, webhookSpan.spanContext().spanId, "the webhook handler's call")
  t.match(apiSpans[1].attributes, { 'haptik.outcome': 'api-error', 'haptik.api.code': 'invalid_team_name' })
  t.equal(apiSpans[1].status.code, 2, 'an error span')
  await reader.forceFlush()
  const metrics = metricExporter.getMetrics().flatMap(({ scopeMetrics }) => scopeMetrics.flatMap(({ metrics }) => metrics))
  const calls = metrics.find(metric => metric.descriptor.name === 'haptik.api.calls')?.dataPoints as Array<{ attributes: unknown, value: unknown }>
  t.same(calls.map(point => [point.attributes, point.value]), [
    [{ 'haptik.api.method': 'sendChatToAgent', 'haptik.outcome': 'ok' }, 1],
    [{ 'haptik.api.method': 'sendChatToAgent', 'haptik.outcome': 'api-error' }, 1]
  ])
  t.ok(metrics.some(metric => metric.descriptor.name === 'haptik.api.duration'))
  await meterProvider.shutdown()
})

t.test('without the client option, haptik is a clear error: the fallback, and FST_HAPTIK_NO_CLIENT in the log', async t => {
  const lines: Array<Record<string, unknown>> = []
  const app = Fastify({ logger: { level: 'info', stream: { write: (line: string) => { lines.push(JSON.parse(line)) } } } })
  t.teardown(() => app.close())
  let webhookError: unknown
  await app.register(fastifyHaptik, { secret: SECRET, prefix: '/haptik', steps: [talkToHuman], webhooks: { maxAttempts: 1, on: { message: async (_event, { haptik }) => { await haptik.enableWebhook() } }, onGiveUp: (_event, error) => { webhookError = error } } })
  const call = await callStep(app, talkToHuman, {}, { secret: SECRET, prefix: '/haptik', overrides: { user: USER } })
  t.same(call.reply, { status: false, response: [DEFAULT_FALLBACK_MESSAGE] })
  t.match(lines.find(line => line.level === 50)?.err, { code: 'FST_HAPTIK_NO_CLIENT', message: /needs the plugin's client option/ })
  await callWebhook(app, 'message', { message: { id: 73 } }, { secret: SECRET, prefix: '/haptik' })
  t.match(webhookError, { code: 'FST_HAPTIK_NO_CLIENT' })
})

t.test('onGiveUp gets haptik too, and the client option is checked at registration', async t => {
  let enabled: unknown
  const { app } = await setUp(t, { webhooks: { maxAttempts: 1, on: { message: () => { throw new Error('down') } }, onGiveUp: async (_event, _error, { haptik }) => { enabled = await haptik.enableWebhook() } } })
  t.equal((await callWebhook(app, 'message', { message: { id: 74 } }, { secret: SECRET, prefix: '/haptik' })).status, 'given-up')
  t.match(enabled, { enabled: true })
  const wrong = Fastify()
  wrong.register(fastifyHaptik, { secret: SECRET, steps: [talkToHuman], client: { sendChatToAgent: () => {} } as unknown as FastifyHaptikOptions['client'] })
  await t.rejects(async () => { await wrong.ready() }, { code: 'FST_HAPTIK_INVALID_OPTION', message: 'fastify-haptik: client must be a client made by createHaptikClient (fastify-haptik/client)' })
})

t.test("an API call's outcome, on its span: a timeout, a connection that failed, an input refused before sending", async t => {
  const exporter = new InMemorySpanExporter()
  const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] })
  const api = await haptikApi()
  t.teardown(() => api.close())
  api.fail('sendChatToAgent', 'hang')
  const closed = await haptikApi()
  await closed.close()
  const outcomes = defineStep({
    name: 'outcomes',
    handler: async ({ haptik }) => {
      const attempt = async (call: () => Promise<unknown>) => { await call().catch(() => {}) }
      await attempt(async () => await haptik.sendChatToAgent({ teamName: 'billing' }, { timeout: 100 }))
      await attempt(async () => await haptik.enableWebhook({}, { maxRetries: 0 }))
      await attempt(async () => await haptik.logFeedback({ rating: 9, resolved: true }))
      return 'done'
    }
  })
  const client = createHaptikClient({ token: 'the-token', clientId: 'the-client', baseUrl: { platform: api.url, messaging: closed.url }, businessId: 343 })
  const app = Fastify()
  t.teardown(() => app.close())
  await app.register(fastifyHaptik, { secret: SECRET, prefix: '/haptik', steps: [outcomes], client, telemetry: { tracerProvider } })
  t.same((await callStep(app, outcomes, {}, { secret: SECRET, prefix: '/haptik', overrides: { user: USER } })).reply?.response, ['done'])
  t.same(exporter.getFinishedSpans().filter(span => span.name.startsWith('haptik.api')).map(span => [span.name, span.attributes['haptik.outcome']]), [
    ['haptik.api sendChatToAgent', 'timeout'],
    ['haptik.api enableWebhook', 'connection-error'],
    ['haptik.api logFeedback', 'invalid']
  ])
})
