// Haptik's Bot API webhook: signed as steps are, every documented payload
// typed, an event that was not handled answered 503 so that Haptik sends
// it again, and each event handled exactly once across retries, concurrent
// deliveries and instances (hellohaptik/docs_haptik
// docs/webhooks/protocols.md and docs/webhooks/webhook-payload.md).
import { readdirSync, readFileSync } from 'node:fs'
import { performance } from 'node:perf_hooks'
import t from 'tap'
import Fastify from 'fastify'
import { Value } from '@sinclair/typebox/value'
import swagger from '@fastify/swagger'
import type { HistogramMetricData, SumMetricData } from '@opentelemetry/sdk-metrics'
import fastifyHaptik, { memoryStore, sign, type FastifyHaptikOptions, type StateStore, type WebhookEvent, type WebhookHandlers } from '../lib/index.js'
import { WebhookEventSchemas, type WebhookEventName } from '../lib/webhooks/events.js'
import { callWebhook } from '../lib/testing/index.js'
import { SECRET } from './helpers/haptik.js'
import { captureLogs } from './helpers/logs.js'
import { metering, tracing } from './helpers/telemetry.js'

t.setTimeout(60_000)

const FIXTURES = new URL('./fixtures/webhooks/', import.meta.url)
/** The docs' payloads, made JSON (test/fixtures/webhooks/SOURCES.md says from where, and what was fixed). */
const payloads = readdirSync(FIXTURES).filter(file => file.endsWith('.json') && !file.startsWith('signup')).map(file => ({ file, text: readFileSync(new URL(file, FIXTURES), 'utf8') }))

async function webhookApp (t: { teardown: (fn: () => unknown) => void }, on: WebhookHandlers, options: Partial<FastifyHaptikOptions> = {}, timeout?: number) {
  const { logger, lines } = captureLogs('info')
  const app = Fastify({ requestTimeout: 30_000, logger })
  t.teardown(() => app.close())
  await app.register(fastifyHaptik, { secret: SECRET, prefix: '/haptik', steps: [], webhooks: { on, timeout }, ...options })
  await app.ready()
  return { app, lines }
}

const sleep = (ms: number) => new Promise(resolve => setTimeout(resolve, ms))

const deliver = (app: Awaited<ReturnType<typeof webhookApp>>['app'], text: string, secret = SECRET) =>
  app.inject({ method: 'POST', url: '/haptik/webhook', payload: text, headers: { 'content-type': 'application/json', 'x-hub-signature': sign(text, secret) } })

t.test("every payload in Haptik's docs (docs/webhooks/webhook-payload.md and the older pages, trailing commas fixed) matches its schema and reaches its handler typed", async t => {
  t.equal(payloads.length, 13)
  for (const { file, text } of payloads) {
    const body = JSON.parse(text) as { event_name: WebhookEventName }
    t.ok(Value.Check(WebhookEventSchemas[body.event_name], body), `${file}: matches the ${body.event_name} schema`)
    const seen: WebhookEvent[] = []
    const { app } = await webhookApp(t, {
      message: event => { seen.push(event) },
      chat_pinned: event => { seen.push(event) },
      chat_complete: event => { seen.push(event) },
      webhook_conversation_complete: event => { seen.push(event) }
    })
    const response = await deliver(app, text)
    t.equal(response.statusCode, 200, `${file}: 200`)
    t.same(response.json(), { status: 'handled' })
    t.same(seen, [JSON.parse(text)], `${file}: the handler got the event as sent`)
  }
})

t.test('message.body arrives as a message: HSL typed by its type', async t => {
  let text = ''
  const { app } = await webhookApp(t, {
    message: ({ message }) => {
      const body = message?.body
      if (typeof body === 'object' && body.type === 'TEXT') text = body.text
    }
  })
  await deliver(app, payloads.find(({ file }) => file === 'message.json')?.text as string)
  t.equal(text, 'Hi')
})

t.test('a forged, unsigned or malformed delivery is refused as a step call is (401, 415, 400); a signed JSON body that is no event is given up on: 200', async t => {
  let runs = 0
  const { app } = await webhookApp(t, { message: () => { runs++ } })
  const text = payloads[0].text
  t.equal((await deliver(app, text, 'not-the-secret')).json().code, 'FST_HAPTIK_INVALID_SIGNATURE')
  t.equal((await app.inject({ method: 'POST', url: '/haptik/webhook', payload: text, headers: { 'content-type': 'application/json' } })).json().code, 'FST_HAPTIK_MISSING_SIGNATURE')
  t.equal((await app.inject({ method: 'POST', url: '/haptik/webhook', payload: text, headers: { 'content-type': 'text/plain', 'x-hub-signature': sign(text, SECRET) } })).statusCode, 415)
  const notAnEvent = await deliver(app, '[1]')
  t.same([notAnEvent.statusCode, notAnEvent.json()], [200, { status: 'invalid' }], 'a 4xx would be sent again, and get the webhook disabled')
  t.equal((await deliver(app, '{"event_name": ')).json().message, 'Webhook: the body is not valid JSON (unexpected or missing characters)')
  t.equal(runs, 0)
})

t.test('an event with no handler (a new event_name) gets 200 and an info line', async t => {
  const { app, lines } = await webhookApp(t, { message: () => {} })
  const response = await deliver(app, JSON.stringify({ event_name: 'something_new', version: '2.0' }))
  t.same([response.statusCode, response.json()], [200, { status: 'ignored' }])
  t.match(lines.find(line => line.msg === 'webhook call'), { level: 30, event: 'something_new', outcome: 'ignored', duplicate: false })
})

t.test('a handler that throws or is late gets 503, so that Haptik sends the event again; the log line says so', async t => {
  let lateFinished = 0
  const { app, lines } = await webhookApp(t, {
    message: () => { throw new Error('crm down') },
    chat_pinned: async () => { await sleep(150); lateFinished++ }
  }, {}, 50)
  const fixture = (name: string) => payloads.find(({ file }) => file === name)?.text as string
  const thrown = await deliver(app, fixture('message.json'))
  t.same([thrown.statusCode, thrown.headers['retry-after'], thrown.json()], [503, '5', {
    statusCode: 503, code: 'FST_HAPTIK_WEBHOOK_NOT_HANDLED', error: 'Service Unavailable', message: 'Webhook: the message event was not handled (its handler failed); Haptik will send it again'
  }])
  const late = await deliver(app, fixture('chat_pinned.json'))
  t.equal(late.json().message, 'Webhook: the chat_pinned event was not handled (its handler took longer than 50 ms); Haptik will send it again')
  t.equal((await deliver(app, fixture('chat_pinned.json'))).json().message, 'Webhook: the chat_pinned event was not handled (another delivery of it is running its handler); Haptik will send it again', 'a retry while the late handler still runs')
  await sleep(200)
  t.same((await deliver(app, fixture('chat_pinned.json'))).json(), { status: 'duplicate' }, 'once the late handler finished, a retry is a duplicate')
  t.equal(lateFinished, 1)
  t.same(lines.filter(line => line.msg === 'webhook call').map(line => [line.event, line.outcome, line.duplicate]), [
    ['message', 'failed', false], ['chat_pinned', 'timeout', false], ['chat_pinned', 'in-progress', true], ['chat_pinned', 'duplicate', true]
  ])
  t.ok(lines.some(line => line.level === 50 && line.msg === 'fastify-haptik: the message webhook handler failed; answering 503 so that Haptik sends it again'))
})

t.test('the retry schedule, compressed: seven deliveries of one message, two at once, the first failing, run the handler to completion once', async t => {
  let attempts = 0
  let completed = 0
  const { app, lines } = await webhookApp(t, {
    message: async () => {
      attempts++
      if (attempts === 1) throw new Error('the first attempt fails')
      await sleep(30)
      completed++
    }
  })
  const text = payloads.find(({ file }) => file === 'message.json')?.text as string
  const statuses: number[] = [(await deliver(app, text)).statusCode]
  // Haptik's intervals (5, 25, 125, 625, 1410, 1410 s; protocols.md:31), in ms over 50.
  for (const wait of [0.1, 0.5, 2.5, 12.5, 28.2]) {
    await sleep(wait)
    // The first retry comes twice at once: one runs, the other finds it running.
    if (statuses.length === 1) statuses.push(...(await Promise.all([deliver(app, text), deliver(app, text)])).map(response => response.statusCode))
    else statuses.push((await deliver(app, text)).statusCode)
  }
  t.equal(statuses.length, 7)
  t.equal(statuses[0], 503, 'the failed first attempt: Haptik retries')
  t.equal(completed, 1, 'the handler completed exactly once')
  t.equal(statuses.at(-1), 200)
  t.same(statuses.slice(1, 3).sort(), [200, 503], 'of the two at once, one ran and one was answered 503 while it ran')
  t.equal(attempts, 2, 'the handler ran for the first delivery and once for the pair')
  const outcomes = lines.filter(line => line.msg === 'webhook call').map(line => line.outcome)
  t.equal(outcomes.filter(outcome => outcome === 'handled').length, 1)
  t.equal(outcomes.filter(outcome => outcome === 'in-progress').length, 1)
  t.ok(outcomes.every(outcome => ['failed', 'handled', 'duplicate', 'in-progress'].includes(outcome as string)), outcomes.join(', '))
})

t.test('webhook_conversation_complete has no message.id: a delivery of the same body is the same event', async t => {
  let runs = 0
  const { app } = await webhookApp(t, { webhook_conversation_complete: () => { runs++ } })
  const text = payloads.find(({ file }) => file === 'webhook_conversation_complete.json')?.text as string
  t.same((await deliver(app, text)).json(), { status: 'handled' })
  t.same((await deliver(app, text)).json(), { status: 'duplicate' })
  // `timestamp` is when the request was created (webhook-payload.md:30); whether a retry keeps it, the docs do not say.
  const retried = text.replace(/"timestamp": "[^"]*"/, '"timestamp": "2026-12-03T10:00:05Z"')
  t.not(retried, text)
  t.same((await deliver(app, retried)).json(), { status: 'duplicate' }, 'the same event with a later timestamp')
  t.same((await deliver(app, text.replace('"insurance_no": "CDQP12324"', '"insurance_no": "OTHER"'))).json(), { status: 'handled' }, 'another body is another event')
  t.equal(runs, 2)
})

t.test('a store that cannot record the event: 503, the handler not run', async t => {
  let runs = 0
  const broken: StateStore = { kind: 'broken', get: () => { throw new Error('down') }, set: () => undefined }
  const { app, lines } = await webhookApp(t, { message: () => { runs++ } }, { store: broken })
  const response = await deliver(app, payloads.find(({ file }) => file === 'message.json')?.text as string)
  t.equal(response.statusCode, 503)
  t.equal(runs, 0)
  t.match(lines.find(line => line.msg === 'webhook call'), { outcome: 'store-error' })
})

t.test('callWebhook delivers a signed event; a second delivery is a duplicate', async t => {
  let runs = 0
  const { app } = await webhookApp(t, { message: () => { runs++ } })
  const first = await callWebhook(app, 'message', { message: { id: 7, body: { type: 'TEXT', text: 'Hi', data: {} } } }, { secret: SECRET, prefix: '/haptik' })
  t.same([first.statusCode, first.status, first.error], [200, 'handled', undefined])
  t.equal((await callWebhook(app, 'message', { message: { id: 7 } }, { secret: SECRET, prefix: '/haptik' })).status, 'duplicate')
  const forged = await callWebhook(app, 'message', { message: { id: 8 } }, { secret: 'other', prefix: '/haptik' })
  t.same([forged.statusCode, forged.status, forged.error?.code], [401, undefined, 'FST_HAPTIK_INVALID_SIGNATURE'])
  t.equal(runs, 1)
})

t.test('the webhooks options are checked at registration', async t => {
  for (const [webhooks, message] of [
    [{}, /webhooks must be an object like \{ on: /],
    [{ on: { messages: () => {} } }, /webhooks.on.messages: Haptik sends no such event; its events are message, chat_pinned, chat_complete, webhook_conversation_complete/],
    [{ on: { message: 'x' } }, /webhooks.on.message must be a function/],
    [{ on: {}, timeout: 0 }, /webhooks.timeout must be a positive integer/],
    [{ on: {}, path: 'hook' }, /webhooks.path must start with "\/"/]
  ] as const) {
    const app = Fastify()
    app.register(fastifyHaptik, { secret: SECRET, steps: [], webhooks } as unknown as FastifyHaptikOptions)
    await t.rejects(async () => { await app.ready() }, { code: 'FST_HAPTIK_INVALID_OPTION', message })
  }
  const unsigned = Fastify()
  unsigned.register(fastifyHaptik, { steps: [], webhooks: { on: {} } })
  await t.rejects(async () => { await unsigned.ready() }, { message: /webhooks: no secret/ })
})

t.test('webhooks.secret, a list for rotation, signs the webhook apart from the steps', async t => {
  let runs = 0
  const { app } = await webhookApp(t, {}, { webhooks: { secret: ['new-hook-secret', 'old-hook-secret'], on: { message: () => { runs++ } } } })
  const text = payloads.find(({ file }) => file === 'message.json')?.text as string
  t.equal((await deliver(app, text, SECRET)).statusCode, 401, "the steps' secret does not sign it")
  t.equal((await deliver(app, text, 'old-hook-secret')).statusCode, 200)
  t.equal(runs, 1)
})

t.test('a message body sent as JSON text is read as the message it holds', async t => {
  const bodies: unknown[] = []
  const { app } = await webhookApp(t, { message: ({ message }) => { bodies.push(message?.body) } })
  await callWebhook(app, 'message', { message: { id: 1, body: '{"type":"TEXT","text":"Hi","data":{}}' } }, { secret: SECRET, prefix: '/haptik' })
  await callWebhook(app, 'message', { message: { id: 2, body: 'plain words' } }, { secret: SECRET, prefix: '/haptik' })
  await callWebhook(app, 'message', { message: { id: 3 } }, { secret: SECRET, prefix: '/haptik' })
  t.same(bodies, [{ type: 'TEXT', text: 'Hi', data: {} }, 'plain words', undefined])
})

t.test('a handled event the store cannot mark done is answered 200, with a warning that a retry may run it again', async t => {
  let runs = 0
  const backing = memoryStore()
  const store: StateStore = {
    kind: 'half',
    get: key => backing.get(key),
    set: (key, value, version, ttl) => { if (version !== undefined) throw new Error('read-only replica'); return backing.set(key, value, version, ttl) }
  }
  const { app, lines } = await webhookApp(t, { message: () => { runs++ } }, { store })
  t.equal((await callWebhook(app, 'message', { message: { id: 9 } }, { secret: SECRET, prefix: '/haptik' })).status, 'handled')
  t.ok(lines.some(line => line.level === 40 && line.msg === 'fastify-haptik: the message event was handled but could not be recorded; a retry may run it again'))
  t.equal(runs, 1)
})

t.test('callWebhook on a URL that does not answer JSON', async t => {
  const app = Fastify()
  t.teardown(() => app.close())
  app.post('/plain', async () => 'ok')
  const call = await callWebhook(app, 'message', {}, { secret: SECRET, path: '/plain' })
  t.same([call.statusCode, call.status, call.error], [200, undefined, undefined])
})

t.test('webhook deliveries are spans with their outcome, and counted by event and outcome', async t => {
  const { exporter, tracerProvider } = tracing()
  const { meterProvider, collect } = metering()
  t.teardown(() => meterProvider.shutdown())
  const { app } = await webhookApp(t, { message: () => { throw new Error('crm down') }, chat_pinned: () => {} }, { telemetry: { tracerProvider, meterProvider } })
  await callWebhook(app, 'message', { message: { id: 1 } }, { secret: SECRET, prefix: '/haptik' })
  await callWebhook(app, 'chat_pinned', { message: { id: 2 } }, { secret: SECRET, prefix: '/haptik' })
  t.equal((await callWebhook(app, 'chat_pinned', { message: { id: 2 } }, { secret: SECRET, prefix: '/haptik' })).status, 'duplicate', "Haptik's retry of a handled event")
  const spans = exporter.getFinishedSpans().filter(span => span.name.startsWith('haptik webhook'))
  t.same(spans.map(span => [span.name, span.attributes['haptik.outcome'], span.status.code]), [
    ['haptik webhook message', 'failed', 2],
    ['haptik webhook chat_pinned', 'handled', 0],
    ['haptik webhook chat_pinned', 'duplicate', 0]
  ])
  const byName = Object.fromEntries((await collect()).map(metric => [metric.descriptor.name, metric]))
  const calls = byName['haptik.webhook.calls'] as SumMetricData
  t.same(calls.dataPoints.map(point => [point.attributes, point.value]), [
    [{ 'haptik.event': 'message', 'haptik.outcome': 'failed' }, 1],
    [{ 'haptik.event': 'chat_pinned', 'haptik.outcome': 'handled' }, 1],
    [{ 'haptik.event': 'chat_pinned', 'haptik.outcome': 'duplicate' }, 1]
  ], 'haptik.webhook.calls: one per delivery, by event and outcome')
  const duration = byName['haptik.webhook.duration'] as HistogramMetricData
  t.equal(duration.descriptor.unit, 'ms')
  t.same(duration.dataPoints.map(point => [point.attributes, point.value.count]), [
    [{ 'haptik.event': 'message' }, 1],
    [{ 'haptik.event': 'chat_pinned' }, 2]
  ], 'haptik.webhook.duration: every delivery timed, by event')
  t.ok(duration.dataPoints.every(point => typeof point.value.sum === 'number' && point.value.sum >= 0 && point.value.sum < 5000), 'in milliseconds, within the delivery timeout')
})

t.test('Swagger 2.0 and OpenAPI 3.0 documents get the webhook route, without a webhooks section', async t => {
  for (const openapi of [undefined, '3.0.3']) {
    const app = Fastify()
    t.teardown(() => app.close())
    await app.register(swagger, openapi === undefined ? { swagger: { info: { title: 'w', version: '1' } } } : { openapi: { openapi, info: { title: 'w', version: '1' } } })
    await app.register(fastifyHaptik, { secret: SECRET, prefix: '/haptik', steps: [], webhooks: { on: {} } })
    await app.ready()
    const doc = app.swagger() as { paths: Record<string, { post: { description?: string } }>, webhooks?: unknown }
    t.ok(doc.paths['/haptik/webhook'].post, `${openapi ?? 'swagger 2.0'}: documented`)
    t.equal(doc.webhooks, undefined)
    if (openapi !== undefined) t.match(doc.paths['/haptik/webhook'].post.description, /Events with a handler: none;/)
    if (openapi !== undefined) {
      const { responses } = doc.paths['/haptik/webhook'].post as unknown as { responses: Record<string, { description: string }> }
      t.equal(responses[400].description, 'Malformed request: FST_HAPTIK_INVALID_JSON, FST_HAPTIK_INVALID_CONTENT_LENGTH', `${openapi}: the 400 names what the route answers it with (a JSON body that is no event gets 200, "invalid")`)
    }
  }
})

t.test('a delivery without a body never reaches a handler', async t => {
  let runs = 0
  const { app } = await webhookApp(t, { message: () => { runs++ } })
  const response = await app.inject({ method: 'POST', url: '/haptik/webhook', headers: { 'x-hub-signature': sign('{}', SECRET) } })
  t.same([response.statusCode, response.json().code], [401, 'FST_HAPTIK_INVALID_SIGNATURE'])
  t.equal(runs, 0)
})

t.test('a late handler that then fails releases its event: the next delivery runs it again', async t => {
  let runs = 0
  const { app } = await webhookApp(t, {
    chat_complete: async () => {
      runs++
      if (runs === 1) {
        await sleep(100)
        throw new Error('late, then down')
      }
    }
  }, {}, 50)
  const text = payloads.find(({ file }) => file === 'chat_complete.json')?.text as string
  t.match((await deliver(app, text)).json(), { code: 'FST_HAPTIK_WEBHOOK_NOT_HANDLED', message: /took longer than 50 ms/ })
  await sleep(150)
  t.same((await deliver(app, text)).json(), { status: 'handled' }, 'released, so run again')
  t.equal(runs, 2)
})

t.test('a failed run is released before the 503 goes out: a retry sent straight after it runs the handler, even on a store that answers later', async t => {
  // A store that is slow to release a claim: a release still under way would leave the retry a claim in progress.
  const memory = memoryStore()
  const slow: StateStore = {
    kind: 'slow',
    get: async key => { await sleep(1); return await memory.get(key) },
    set: async (key, value, version, ttl, options) => { await sleep(value.includes('"free"') ? 50 : 1); return await memory.set(key, value, version, ttl, options) }
  }
  let runs = 0
  const { app } = await webhookApp(t, { message: () => { if (++runs === 1) throw new Error('crm down') } }, { store: slow })
  const text = payloads.find(({ file }) => file === 'message.json')?.text as string
  t.equal((await deliver(app, text)).statusCode, 503, 'the first run failed')
  t.same((await deliver(app, text)).json(), { status: 'handled' }, 'the retry ran it, not "in progress"')
  t.equal(runs, 2)
})

const messageEvent = (id: number | string, extra: Record<string, unknown> = {}) =>
  JSON.stringify({ event_name: 'message', version: '1.0', message: { id, body: { type: 'TEXT', text: 'Hi', data: {} } }, ...extra })

t.test('an event whose handler keeps failing is given up on after maxAttempts: onGiveUp gets it once, and Haptik gets 200 instead of disabling the webhook (protocols.md:31-32)', async t => {
  const givenUp: Array<{ event: unknown, code: unknown, message: string, attempts: number }> = []
  let runs = 0
  const { app, lines } = await webhookApp(t, {}, {
    webhooks: {
      maxAttempts: 3,
      on: { message: () => { runs++; throw new Error(`crm down (${runs})`) } },
      onGiveUp: (event, error, { attempts }) => { givenUp.push({ event, code: error.code, message: error.message, attempts }) }
    }
  })
  const text = messageEvent(41)
  const answers = []
  for (let delivery = 0; delivery < 5; delivery++) {
    const response = await deliver(app, text)
    answers.push([response.statusCode, response.statusCode === 200 ? response.json().status : response.json().code])
  }
  t.same(answers, [[503, 'FST_HAPTIK_WEBHOOK_NOT_HANDLED'], [503, 'FST_HAPTIK_WEBHOOK_NOT_HANDLED'], [200, 'given-up'], [200, 'duplicate'], [200, 'duplicate']])
  t.equal(runs, 3)
  t.same(givenUp, [{ event: JSON.parse(text), code: undefined, message: 'crm down (3)', attempts: 3 }], "onGiveUp gets the event as sent, the last run's error and the attempts")
  t.ok(lines.some(line => line.level === 50 && line.msg === 'fastify-haptik: giving up on the message event after 3 attempts; answering 200, so that Haptik does not disable the webhook'))
  t.same(lines.filter(line => line.msg === 'webhook call').map(line => line.outcome), ['failed', 'failed', 'given-up', 'duplicate', 'duplicate'])
})

t.test('by default the sixth failed run gives up, so that the last of Haptik\'s seven deliveries is answered 2xx; without onGiveUp the error log line is the dead letter', async t => {
  let runs = 0
  const { app, lines } = await webhookApp(t, { message: () => { runs++; throw new Error('down') } })
  const statuses = []
  for (let delivery = 0; delivery < 7; delivery++) statuses.push((await deliver(app, messageEvent(42))).statusCode)
  t.same(statuses, [503, 503, 503, 503, 503, 200, 200])
  t.equal(runs, 6)
  t.match(lines.find(line => line.level === 50 && /giving up/.test(String(line.msg))), { event: 'message', attempts: 6, err: { message: 'down' } })
})

t.test('an onGiveUp that throws or never settles is logged, and the delivery is answered 200 in time all the same', async t => {
  for (const onGiveUp of [() => { throw new Error('dead letter queue down') }, async () => await new Promise(() => {})]) {
    const { app, lines } = await webhookApp(t, {}, { webhooks: { timeout: 100, maxAttempts: 1, on: { message: () => { throw new Error('down') } }, onGiveUp } })
    const started = performance.now()
    const response = await deliver(app, messageEvent(43))
    t.same([response.statusCode, response.json()], [200, { status: 'given-up' }])
    t.ok(performance.now() - started < 2000, 'within the timeout and its margin')
    await sleep(150)
    t.ok(lines.some(line => line.level === 50 && line.msg === 'fastify-haptik: webhooks.onGiveUp failed; the event is lost'), 'its failure is logged')
  }
})

t.test('a delivery that does not match its event is never handled: onGiveUp gets it with FST_HAPTIK_INVALID_EVENT, and 200, since a 4xx would be sent again', async t => {
  const givenUp: Array<[unknown, string | undefined, string, number]> = []
  let runs = 0
  const { app } = await webhookApp(t, {}, { webhooks: { on: { message: () => { runs++ } }, onGiveUp: (event, error, { attempts }) => { givenUp.push([event, error.code, error.message, attempts]) } } })
  for (const [body, message] of [
    ['{"event_name":"message","message":"Hi"}', 'Webhook: the message event: it does not match its schema (/message: expected object)'],
    ['{"event_name":"message","message":{"id":true}}', 'Webhook: the message event: it does not match its schema (/message/id: expected union value)'],
    ['{"event_name":"message","user":[]}', 'Webhook: the message event: it does not match its schema (/user: expected object)'],
    ['{"event_name":7}', 'Webhook: the body: it is not a Haptik webhook event: a JSON object with an "event_name"'],
    ['"message"', 'Webhook: the body: it is not a Haptik webhook event: a JSON object with an "event_name"']
  ]) {
    const response = await deliver(app, body)
    t.same([response.statusCode, response.json()], [200, { status: 'invalid' }], body)
    t.same(givenUp.pop(), [JSON.parse(body), 'FST_HAPTIK_INVALID_EVENT', message, 0])
  }
  t.equal(runs, 0)
})

t.test('message.id keeps its digits: 9007199254740993 and 9007199254740992 are two events, and the handler gets the id as sent', async t => {
  const ids: unknown[] = []
  const { app } = await webhookApp(t, { message: ({ message }) => { ids.push(message?.id) } })
  for (const id of ['9007199254740993', '9007199254740992', '9007199254740993']) {
    await deliver(app, `{"event_name":"message","message":{"id":${id},"body":"Hi"}}`)
  }
  t.same(ids, ['9007199254740993', '9007199254740992'], 'two events, the third delivery a duplicate of the first; ids beyond 2^53 as text')
  await deliver(app, messageEvent(12))
  await deliver(app, messageEvent('13'))
  t.same(ids.slice(2), [12, '13'], 'other ids as Haptik sent them')
  t.equal((await deliver(app, messageEvent(12))).json().status, 'duplicate')
})

t.test('an event without an id is the same event whatever the order of its keys', async t => {
  let runs = 0
  const { app } = await webhookApp(t, { webhook_conversation_complete: () => { runs++ } })
  t.same((await deliver(app, '{"event_name":"webhook_conversation_complete","data":{"conversation_no":3,"completion_type":"agent"},"business_id":1}')).json(), { status: 'handled' })
  t.same((await deliver(app, '{"business_id":1,"data":{"completion_type":"agent","conversation_no":3},"event_name":"webhook_conversation_complete"}')).json(), { status: 'duplicate' })
  t.equal(runs, 1)
})

t.test('a handler that runs past its claim keeps it, renewed: a retry meanwhile is answered 503, and the handler runs once', async t => {
  let runs = 0
  // A claim lasts 2 × (timeout + storeTimeout) = 300 ms unless renewed; the handler runs 900 ms.
  const { app } = await webhookApp(t, { message: async () => { runs++; await sleep(900) } }, { storeTimeout: 100 }, 50)
  const text = messageEvent(44)
  t.equal((await deliver(app, text)).statusCode, 503, 'late: Haptik sends it again')
  await sleep(500)
  t.equal((await deliver(app, text)).json().message, 'Webhook: the message event was not handled (another delivery of it is running its handler); Haptik will send it again', 'a retry past the claim\'s first lifetime finds it still running')
  await sleep(600)
  t.same((await deliver(app, text)).json(), { status: 'duplicate' }, 'done once the late run finished')
  t.equal(runs, 1)
})

t.test("a late run whose claim lapsed cannot free the claim that replaced it: each claim's version is its own", async t => {
  const memory = memoryStore()
  // The first claim's renewals are refused, so that it lapses after its 300 ms.
  let firstClaim: unknown
  const noRenewal: StateStore = {
    kind: 'no-renewal',
    get: key => memory.get(key),
    set: (key, value, version, ttl, options) => {
      if (firstClaim !== undefined && version === firstClaim && value.includes('"running"')) throw new Error('renewal refused')
      const written = memory.set(key, value, version, ttl, options)
      firstClaim ??= written
      return written
    }
  }
  let runs = 0
  const { app } = await webhookApp(t, {
    message: async () => {
      const run = ++runs
      await sleep(run === 1 ? 500 : 700)
      if (run === 1) throw new Error('the first run fails, late')
    }
  }, { store: noRenewal, storeTimeout: 100 }, 50)
  const text = messageEvent(45)
  t.equal((await deliver(app, text)).statusCode, 503)
  await sleep(350)
  t.equal((await deliver(app, text)).statusCode, 503, 'the first claim lapsed: a second run starts, and is late too')
  await sleep(250)
  t.equal((await deliver(app, text)).json().message, 'Webhook: the message event was not handled (another delivery of it is running its handler); Haptik will send it again', 'the first run failed meanwhile: the second run\'s claim holds')
  await sleep(600)
  t.same((await deliver(app, text)).json(), { status: 'duplicate' })
  t.equal(runs, 2)
})

t.test('a store that never answers: the delivery gets 503 within storeTimeout, not never', async t => {
  const hung: StateStore = { kind: 'hung', get: async () => await new Promise(() => {}), set: async () => await new Promise(() => {}) }
  let runs = 0
  const { app, lines } = await webhookApp(t, { message: () => { runs++ } }, { store: hung, storeTimeout: 200 })
  const started = performance.now()
  const response = await deliver(app, messageEvent(46))
  const took = performance.now() - started
  t.same([response.statusCode, response.json().message], [503, 'Webhook: the message event was not handled (the store could not record it); Haptik will send it again'])
  t.ok(took >= 190 && took < 2000, `answered after ${Math.round(took)} ms`)
  t.equal(runs, 0)
  t.match(lines.find(line => line.level === 40)?.err, { message: 'did not answer within storeTimeout (200 ms)' })
})

t.test('a store slow to record a handled event: the delivery still answers within the timeout and its margin, 200', async t => {
  const memory = memoryStore()
  const slowDone: StateStore = {
    kind: 'slow-done',
    get: key => memory.get(key),
    set: async (key, value, version, ttl, options) => {
      if (value.includes('"done"')) await sleep(5000)
      return await memory.set(key, value, version, ttl, options)
    }
  }
  const { app, lines } = await webhookApp(t, { message: async () => { await sleep(250) } }, { store: slowDone, storeTimeout: 4000 }, 300)
  const started = performance.now()
  const response = await deliver(app, messageEvent(47))
  const took = performance.now() - started
  t.same(response.json(), { status: 'handled' })
  t.ok(took < 300 + 500 + 400, `answered after ${Math.round(took)} ms: the record's write waits only until the timeout's margin ends`)
  t.ok(lines.some(line => line.level === 40 && line.msg === 'fastify-haptik: the message event was handled but could not be recorded; a retry may run it again'))
})

t.test('webhooks.timeout leaves the delivery time to answer within Haptik\'s 5 s', async t => {
  const app = Fastify()
  app.register(fastifyHaptik, { secret: SECRET, steps: [], webhooks: { timeout: 4500, on: {} } })
  await t.rejects(async () => { await app.ready() }, { code: 'FST_HAPTIK_INVALID_OPTION', message: /webhooks.timeout must be at most 4400, got 4500: Haptik waits 5 s for an answer/ })
  for (const [webhooks, message] of [[{ on: {}, maxAttempts: 0 }, /webhooks.maxAttempts must be a positive integer/], [{ on: {}, onGiveUp: 'x' }, /webhooks.onGiveUp must be a function/]] as const) {
    const other = Fastify()
    other.register(fastifyHaptik, { secret: SECRET, steps: [], webhooks } as unknown as FastifyHaptikOptions)
    await t.rejects(async () => { await other.ready() }, { message })
  }
})

t.test('an event record the store hands back unreadable is replaced, with a warning, and the event handled', async t => {
  const memory = memoryStore()
  const keys = new Set<string>()
  const spy: StateStore = { kind: 'spy', get: key => { keys.add(key); return memory.get(key) }, set: (key, value, version, ttl, options) => memory.set(key, value, version, ttl, options) }
  let runs = 0
  const { app, lines } = await webhookApp(t, { message: () => { runs++ } }, { store: spy })
  await deliver(app, messageEvent(48))
  const [key] = keys
  for (const [index, unusable] of ['not a record', '{"state":"weird"}', '{"state":"done","attempts":-1}', '{"state":"free","attempts":1.5}'].entries()) {
    const { version } = await memory.get(key) as { version: number }
    await memory.set(key, unusable, version, 60_000, { retain: true })
    t.same((await deliver(app, messageEvent(48))).json(), { status: 'handled' }, unusable)
    t.equal(runs, index + 2)
    t.same((await deliver(app, messageEvent(48))).json(), { status: 'duplicate' })
  }
  t.equal(lines.filter(line => line.level === 40 && line.msg === 'fastify-haptik: the stored record of the message event could not be read; it was replaced').length, 4)
})

t.test('a claim that another delivery wrote between the read and the write is theirs: this one answers 503 and runs nothing', async t => {
  const memory = memoryStore()
  let runs = 0
  // As on Redis with two instances: the first claim's compare-and-set finds the record changed.
  const raced: StateStore = {
    kind: 'raced',
    get: key => memory.get(key),
    set: (key, value, version, ttl, options) => value.includes('"running"') && version === undefined && runs === 0 ? undefined : memory.set(key, value, version, ttl, options)
  }
  const { app } = await webhookApp(t, { message: async () => { runs++ } }, { store: raced })
  const lost = await deliver(app, messageEvent(50))
  t.equal(lost.statusCode, 503)
  t.match(lost.json().message, 'another delivery of it is running its handler')
  t.equal(runs, 0)
})

t.test('a handler that lost its claim (another delivery replaced it) is told in the log, and its outcome is not recorded over the other', async t => {
  const memory = memoryStore()
  // Every renewal is refused, as when another delivery took the claim.
  const taken: StateStore = {
    kind: 'taken',
    get: key => memory.get(key),
    set: (key, value, version, ttl, options) => value.includes('"running"') && version !== undefined ? undefined : memory.set(key, value, version, ttl, options)
  }
  const { app, lines } = await webhookApp(t, { message: async () => { await sleep(400) } }, { store: taken, storeTimeout: 100 }, 50)
  t.equal((await deliver(app, messageEvent(49))).statusCode, 503)
  await sleep(600)
  t.ok(lines.some(line => line.level === 40 && line.msg === 'fastify-haptik: the webhook handler lost its claim on the event to another delivery; its outcome will not be recorded'))
  t.ok(lines.some(line => line.level === 40 && line.msg === 'fastify-haptik: the message event was handled, but its claim had passed to another delivery; a retry may run it again'))
})

t.test('an event given up on that the store cannot record is still given up on: 200, with a warning', async t => {
  const memory = memoryStore()
  const noDone: StateStore = {
    kind: 'no-done',
    get: key => memory.get(key),
    set: (key, value, version, ttl, options) => { if (value.includes('"done"')) throw new Error('read-only'); return memory.set(key, value, version, ttl, options) }
  }
  const { app, lines } = await webhookApp(t, {}, { store: noDone, webhooks: { maxAttempts: 1, on: { message: () => { throw new Error('down') } } } })
  t.same((await deliver(app, messageEvent(50))).json(), { status: 'given-up' })
  t.ok(lines.some(line => line.level === 40 && line.msg === 'fastify-haptik: the event given up on could not be recorded'))
})

t.test('an event without an id nested too deep to walk is keyed by its bytes', async t => {
  let runs = 0
  const { app } = await webhookApp(t, { webhook_conversation_complete: () => { runs++ } })
  const deep = `{"event_name":"webhook_conversation_complete","data":{"closing_categories":{"x":${'['.repeat(20_000)}${']'.repeat(20_000)}}}}`
  t.same((await deliver(app, deep)).json(), { status: 'handled' })
  t.same((await deliver(app, deep)).json(), { status: 'duplicate' })
  t.equal(runs, 1)
})

t.test('a renewal still under way when the next is due is not sent twice', async t => {
  const memory = memoryStore()
  let renewals = 0
  let inFlight = 0
  let mostInFlight = 0
  const slowRenewals: StateStore = {
    kind: 'slow-renewals',
    get: key => memory.get(key),
    set: async (key, value, version, ttl, options) => {
      if (value.includes('"running"') && version !== undefined) {
        renewals++
        mostInFlight = Math.max(mostInFlight, ++inFlight)
        await sleep(800)
        inFlight--
      }
      return await memory.set(key, value, version, ttl, options)
    }
  }
  // Renewed every 2 × (10 + 1000) / 3 = 673 ms; each renewal takes 800, within its deadline of 900.
  const { app } = await webhookApp(t, { message: async () => { await sleep(2000) } }, { store: slowRenewals, storeTimeout: 1000 }, 10)
  t.equal((await deliver(app, messageEvent(51))).statusCode, 503)
  await sleep(2600)
  t.ok(renewals >= 1, `${renewals} renewals`)
  t.equal(mostInFlight, 1, 'never two at once')
  t.same((await deliver(app, messageEvent(51))).json(), { status: 'duplicate' })
})

t.test('the last attempt, late: given up on at its deadline, with FST_HAPTIK_WEBHOOK_TIMEOUT', async t => {
  const givenUp: Array<string | undefined> = []
  let finished = 0
  const { app } = await webhookApp(t, {}, { webhooks: { timeout: 50, maxAttempts: 1, on: { message: async () => { await sleep(200); finished++ } }, onGiveUp: (_event, error) => { givenUp.push(error.code) } } })
  t.same((await deliver(app, messageEvent(52))).json(), { status: 'given-up' })
  t.same(givenUp, ['FST_HAPTIK_WEBHOOK_TIMEOUT'])
  await sleep(300)
  t.equal(finished, 1, 'the late run went on')
  t.same((await deliver(app, messageEvent(52))).json(), { status: 'duplicate' })
})

t.test('a failed run the store cannot release: 503 all the same, with a warning that its claim lapses', async t => {
  const memory = memoryStore()
  const noRelease: StateStore = {
    kind: 'no-release',
    get: key => memory.get(key),
    set: (key, value, version, ttl, options) => { if (value.includes('"free"')) throw new Error('read-only'); return memory.set(key, value, version, ttl, options) }
  }
  const { app, lines } = await webhookApp(t, { message: () => { throw new Error('down') } }, { store: noRelease })
  t.equal((await deliver(app, messageEvent(53))).statusCode, 503)
  t.ok(lines.some(line => line.level === 40 && line.msg === "fastify-haptik: the message event's failed run could not be released; its claim lapses"))
})

t.test('a run that ends while its claim is being renewed waits for the renewal, and at most until its answer is due', async t => {
  for (const [timeout, storeTimeout, opens] of [[50, 300, true], [4000, 1500, false]] as const) {
    const memory = memoryStore()
    let renewalStarted!: () => void
    const started = new Promise<void>(resolve => { renewalStarted = resolve })
    let openGate!: () => void
    const gate = new Promise<void>(resolve => { openGate = resolve })
    const gated: StateStore = {
      kind: 'gated',
      get: key => memory.get(key),
      set: async (key, value, version, ttl, options) => {
        if (value.includes('"running"') && version !== undefined) {
          renewalStarted()
          await gate
        }
        return await memory.set(key, value, version, ttl, options)
      }
    }
    // The handler ends as the first renewal goes out: every 2 × (timeout + storeTimeout) / 3 ms.
    const { app } = await webhookApp(t, { message: async () => { await started } }, { store: gated, storeTimeout }, timeout)
    const delivered = deliver(app, messageEvent(54 + timeout))
    if (opens) {
      await started
      await sleep(50)
      openGate()
      t.equal((await delivered).statusCode, 503, 'late: the renewal is waited for, then the run recorded')
      await sleep(100)
    } else {
      const begun = performance.now()
      t.same((await delivered).json(), { status: 'handled' }, 'the renewal never answers: recorded with the claim as it was')
      t.ok(performance.now() - begun < timeout + 500 + 300, 'within the timeout and its margin')
      openGate()
    }
    t.same((await deliver(app, messageEvent(54 + timeout))).json(), { status: 'duplicate' })
  }
})
