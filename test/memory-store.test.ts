// The default store's bounds: states are evicted least recently used first
// (and every eviction is reported), webhook event records have a bound of
// their own and are never evicted before their time.
import t from 'tap'
import Fastify from 'fastify'
import { Type } from '@sinclair/typebox'
import type { SumMetricData } from '@opentelemetry/sdk-metrics'
import fastifyHaptik, { defineStep, memoryStore, type FastifyHaptikOptions } from '../lib/index.js'
import { callWebhook, conversation } from '../lib/testing/index.js'
import { SECRET } from './helpers/haptik.js'
import { captureLogs } from './helpers/logs.js'
import { metering } from './helpers/telemetry.js'

const Count = Type.Object({ n: Type.Integer() }, { default: { n: 0 } })
const count = defineStep({ name: 'count', state: Count, handler: ({ state }) => ({ response: String((state?.n ?? 0) + 1), state: { n: (state?.n ?? 0) + 1 } }) })

async function storeApp (t: { teardown: (fn: () => unknown) => void }, options: Partial<FastifyHaptikOptions>) {
  const { logger, lines } = captureLogs('info')
  const app = Fastify({ logger })
  t.teardown(() => app.close())
  await app.register(fastifyHaptik, { secret: SECRET, prefix: '/haptik', steps: [count], webhooks: { on: { message: () => { runs.n++ } }, rememberFor: 1 }, ...options })
  await app.ready()
  return { app, lines }
}

const runs = { n: 0 }
const deliver = async (app: Awaited<ReturnType<typeof storeApp>>['app'], id: number) => await callWebhook(app, 'message', { message: { id } }, { secret: SECRET, prefix: '/haptik' })
const countFor = async (app: Awaited<ReturnType<typeof storeApp>>['app'], user: string) => (await conversation(app, { secret: SECRET, prefix: '/haptik', user: { user_id: user } }).call(count, {})).reply?.response[0]

t.test('conversations filling the store never push out a handled event: its retry is a duplicate', async t => {
  runs.n = 0
  const { app } = await storeApp(t, { store: memoryStore({ maxEntries: 50 }) })
  t.equal((await deliver(app, 1)).status, 'handled')
  for (let user = 0; user < 60; user++) await countFor(app, `user-${user}`)
  t.equal((await deliver(app, 1)).status, 'duplicate', 'its record outlived 60 conversations in a store of 50')
  t.equal(runs.n, 1)
})

t.test("webhook events never push out a conversation's state", async t => {
  const { app } = await storeApp(t, { store: memoryStore({ maxEntries: 5 }) })
  for (let call = 0; call < 3; call++) await countFor(app, 'shopper')
  for (let id = 100; id < 160; id++) await deliver(app, id)
  t.equal(await countFor(app, 'shopper'), '4', 'the state survived 60 events in a store of 5')
})

t.test('past maxRecords a delivery answers 503 and forgets nothing; once records expire, events are recorded again', async t => {
  runs.n = 0
  const { app, lines } = await storeApp(t, { store: memoryStore({ maxRecords: 3 }) })
  for (const id of [1, 2, 3]) t.equal((await deliver(app, id)).status, 'handled')
  const full = await deliver(app, 4)
  t.same([full.statusCode, full.error?.message], [503, 'Webhook: the message event was not handled (the store could not record it); Haptik will send it again'])
  t.match(lines.find(line => line.level === 40 && /could not record the message event/.test(String(line.msg)))?.err, { message: 'the memory store holds its most webhook event records (maxRecords: 3); none is dropped before its time' })
  for (const id of [1, 2, 3]) t.equal((await deliver(app, id)).status, 'duplicate', `event ${id} is still remembered`)
  t.equal(runs.n, 3, 'the refused event did not run')
  await new Promise(resolve => setTimeout(resolve, 1100))
  t.equal((await deliver(app, 4)).status, 'handled', 'rememberFor (1 s) passed: room again')
})

t.test('every eviction of a state is counted, and logged at warn: at once, then at most once a minute with the count, the rest when the app closes', async t => {
  const { meterProvider, collect } = metering()
  const { app, lines } = await storeApp(t, { store: memoryStore({ maxEntries: 2 }), telemetry: { meterProvider } })
  for (let user = 0; user < 6; user++) await countFor(app, `user-${user}`)
  const warned = () => lines.filter(line => line.level === 40 && line.store === 'memory')
  t.same(warned().map(line => line.evicted), [1], 'the first eviction at once; the next three wait for the minute')
  t.equal(warned()[0].msg, 'fastify-haptik: the memory store is full: it dropped 1 state before their time, least recently used first; raise its maxEntries or maxBytes, or use redisStore (docs/state.md)')
  const evictions = (await collect()).find(metric => metric.descriptor.name === 'haptik.store.evictions') as SumMetricData
  t.same(evictions.dataPoints.map(point => [point.attributes, point.value]), [[{ 'haptik.store': 'memory' }, 4]])
  await app.close()
  t.same(warned().map(line => line.evicted), [1, 3], 'the rest, when the app closes')
  await meterProvider.shutdown()
})

t.test('maxBytes counts the UTF-8 bytes of keys and values', async t => {
  const store = memoryStore({ maxBytes: 20 })
  for (const key of ['k1', 'k2', 'k3']) store.set(key, 'ééé', undefined, undefined)
  t.equal(store.get('k1'), undefined, '3 × 8 bytes are over 20: the least recently used went (by characters, 9, it would have stayed)')
  t.ok(store.get('k2') !== undefined && store.get('k3') !== undefined)
})

t.test('setAll writes every key or none, and a write past its deadline is refused', async t => {
  const store = memoryStore()
  const a = await store.set('a', '1', undefined, undefined)
  const written = await store.setAll?.([{ key: 'a', value: '2', version: a, ttl: undefined }, { key: 'b', value: '3', version: undefined, ttl: undefined }])
  t.equal(written?.length, 2)
  t.same((await store.get('a'))?.value, '2')
  t.equal(await store.setAll?.([{ key: 'a', value: 'x', version: written?.[0], ttl: undefined }, { key: 'b', value: 'y', version: 'stale', ttl: undefined }]), undefined, 'one version is stale: nothing written')
  t.same([(await store.get('a'))?.value, (await store.get('b'))?.value], ['2', '3'])
  t.throws(() => store.set('c', '1', undefined, undefined, { deadline: Date.now() - 1 }), { message: 'the write arrived after its deadline' })
  t.equal(store.get('c'), undefined)
  t.throws(() => memoryStore({ maxRecords: 0 }), { message: 'fastify-haptik: memoryStore: maxRecords must be a positive integer, got 0' })
})
