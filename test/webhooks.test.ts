// Haptik's Bot API webhook (issue 19): signed as steps are, every documented
// payload typed, an event that was not handled answered 503 so that Haptik
// sends it again, and each event handled exactly once across retries,
// concurrent deliveries and instances (hellohaptik/docs_haptik
// docs/webhooks/protocols.md and docs/webhooks/webhook-payload.md).
import { readdirSync, readFileSync } from 'node:fs'
import t from 'tap'
import Fastify from 'fastify'
import { Value } from '@sinclair/typebox/value'
import swagger from '@fastify/swagger'
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base'
import fastifyHaptik, { memoryStore, sign, type FastifyHaptikOptions, type StateStore, type WebhookEvent, type WebhookHandlers } from '../lib/index.js'
import { WebhookEventSchemas, type WebhookEventName } from '../lib/webhooks/events.js'
import { callWebhook } from '../lib/testing/index.js'
import { SECRET } from './helpers/haptik.js'

t.setTimeout(60_000)

const FIXTURES = new URL('./fixtures/webhooks/', import.meta.url)
/** The docs' payloads, made JSON (test/fixtures/webhooks/SOURCES.md says from where, and what was fixed). */
const payloads = readdirSync(FIXTURES).filter(file => file.endsWith('.json') && !file.startsWith('signup')).map(file => ({ file, text: readFileSync(new URL(file, FIXTURES), 'utf8') }))

async function webhookApp (t: { teardown: (fn: () => unknown) => void }, on: WebhookHandlers, options: Partial<FastifyHaptikOptions> = {}, timeout?: number) {
  const lines: Array<Record<string, unknown>> = []
  const app = Fastify({ requestTimeout: 30_000, logger: { level: 'info', stream: { write: (line: string) => { lines.push(JSON.parse(line)) } } } })
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

t.test('a forged, unsigned or malformed delivery is refused as a step call is: 401, 415, 400', async t => {
  let runs = 0
  const { app } = await webhookApp(t, { message: () => { runs++ } })
  const text = payloads[0].text
  t.equal((await deliver(app, text, 'not-the-secret')).json().code, 'FST_HAPTIK_INVALID_SIGNATURE')
  t.equal((await app.inject({ method: 'POST', url: '/haptik/webhook', payload: text, headers: { 'content-type': 'application/json' } })).json().code, 'FST_HAPTIK_MISSING_SIGNATURE')
  t.equal((await app.inject({ method: 'POST', url: '/haptik/webhook', payload: text, headers: { 'content-type': 'text/plain', 'x-hub-signature': sign(text, SECRET) } })).statusCode, 415)
  t.same((await deliver(app, '[1]')).json(), { statusCode: 400, code: 'FST_HAPTIK_INVALID_ENVELOPE', error: 'Bad Request', message: 'Webhook: the body must be a Haptik webhook event: a JSON object with an "event_name"' })
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
  const broken: StateStore = { kind: 'broken', get: () => { throw new Error('down') }, set: () => undefined, delete: () => false }
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
    set: (key, value, version, ttl) => { if (version !== undefined) throw new Error('read-only replica'); return backing.set(key, value, version, ttl) },
    delete: (key, version) => backing.delete(key, version)
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
  const exporter = new InMemorySpanExporter()
  const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] })
  const { app } = await webhookApp(t, { message: () => { throw new Error('crm down') }, chat_pinned: () => {} }, { telemetry: { tracerProvider } })
  await callWebhook(app, 'message', { message: { id: 1 } }, { secret: SECRET, prefix: '/haptik' })
  await callWebhook(app, 'chat_pinned', { message: { id: 2 } }, { secret: SECRET, prefix: '/haptik' })
  const spans = exporter.getFinishedSpans().filter(span => span.name.startsWith('haptik webhook'))
  t.same(spans.map(span => [span.name, span.attributes['haptik.outcome'], span.status.code]), [['haptik webhook message', 'failed', 2], ['haptik webhook chat_pinned', 'handled', 0]])
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
      t.match(responses[400].description, /FST_HAPTIK_INVALID_JSON.*FST_HAPTIK_INVALID_ENVELOPE/, `${openapi}: the 400 names what the route answers it with`)
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
    set: async (key, value, version, ttl) => { await sleep(1); return await memory.set(key, value, version, ttl) },
    delete: async (key, version) => { await sleep(50); return await memory.delete(key, version) }
  }
  let runs = 0
  const { app } = await webhookApp(t, { message: () => { if (++runs === 1) throw new Error('crm down') } }, { store: slow })
  const text = payloads.find(({ file }) => file === 'message.json')?.text as string
  t.equal((await deliver(app, text)).statusCode, 503, 'the first run failed')
  t.same((await deliver(app, text)).json(), { status: 'handled' }, 'the retry ran it, not "in progress"')
  t.equal(runs, 2)
})
