// State on a real redis-server (Debian's package), through ioredis and
// node-redis: the store's compare-and-set, two app instances sharing one
// Redis, no lost update, and Redis stopped and restarted under the bot.
import t from 'tap'
import Fastify, { type FastifyInstance } from 'fastify'
import { Type } from '@sinclair/typebox'
import { Redis } from 'ioredis'
import { createClient } from 'redis'
import fastifyHaptik, { DEFAULT_FALLBACK_MESSAGE, defineStep, redisStore, type AnyStep, type StateStore } from '../lib/index.js'
import { callWebhook, conversation } from '../lib/testing/index.js'
import { SECRET } from './helpers/haptik.js'
import { RedisServer, SKIP_REDIS, redisMissing } from './helpers/redis.js'

// A real server is started, stopped and restarted; clients reconnect.
t.setTimeout(120_000)

interface Client { readonly store: StateStore, readonly command: (...args: string[]) => Promise<unknown>, readonly close: () => Promise<unknown> }

const CLIENTS: Record<string, (url: string) => Promise<Client>> = {
  ioredis: async url => {
    const client = new Redis(url, { maxRetriesPerRequest: 1 })
    client.on('error', () => {})
    await new Promise(resolve => client.once('ready', resolve))
    return { store: redisStore(client), command: async (...args) => await client.call(args[0], ...args.slice(1)), close: async () => { client.disconnect() } }
  },
  'node-redis': async url => {
    const client = createClient({ url })
    client.on('error', () => {})
    await client.connect()
    return { store: redisStore(client), command: async (...args) => await client.sendCommand(args), close: async () => { client.destroy() } }
  }
}

const missing = redisMissing()
if (SKIP_REDIS) {
  t.comment('HAPTIK_SKIP_REDIS=1: the Redis store tests are skipped')
} else if (missing !== undefined) {
  t.fail(missing)
} else {
  const server = await RedisServer.start()
  t.teardown(() => server.stop())

  const Cart = Type.Object({ to: Type.String(), items: Type.Array(Type.String()) }, { default: { to: '', items: [] } })
  const pick = defineStep({ name: 'pick', state: Cart, entities: Type.Object({ to: Type.String() }), handler: ({ entities }) => ({ response: `To ${entities.to}`, state: { to: entities.to, items: [] } }) })
  const fill = defineStep({ name: 'fill', state: Cart, handler: ({ state }) => ({ response: 'Filled', state: { to: state?.to ?? '', items: Array.from({ length: 500 }, (_, index) => `item-${index}-${'x'.repeat(90)}`) } }) })
  const book = defineStep({ name: 'book', state: Cart, handler: ({ state }) => `Booked ${state?.items.length ?? 0} items (${JSON.stringify(state).length} characters) to ${state?.to ?? ''}` })
  const Count = Type.Object({ n: Type.Integer() }, { default: { n: 0 } })
  const count = defineStep({ name: 'count', state: Count, handler: async ({ state }) => { await new Promise(resolve => setTimeout(resolve, Math.random() * 5)); return { response: 'counted', state: { n: (state?.n ?? 0) + 1 } } } })
  const read = defineStep({ name: 'read', state: Count, handler: ({ state }) => String(state?.n) })

  async function instance (t: { teardown: (fn: () => unknown) => void }, store: StateStore, steps: AnyStep[], timeout = 5000) {
    const lines: Array<Record<string, unknown>> = []
    const app = Fastify({ requestTimeout: 30_000, logger: { level: 'warn', stream: { write: (line: string) => { lines.push(JSON.parse(line)) } } } })
    t.teardown(() => app.close())
    await app.register(fastifyHaptik, { secret: SECRET, prefix: '/haptik', steps, store, timeout })
    await app.ready()
    return { app, lines }
  }
  const chat = (app: FastifyInstance, userId: string) => conversation(app, { secret: SECRET, prefix: '/haptik', user: { user_id: userId } })

  for (const [name, connect] of Object.entries(CLIENTS)) {
    t.test(`${name}: the store compares and sets, expires through Redis, and keeps its keys under its prefix`, async t => {
      const { store, command, close } = await connect(server.url)
      t.teardown(close)
      const key = `unit:${name}`
      t.equal(await store.get(key), undefined)
      t.equal(await store.set(key, '{"a":1}', undefined, undefined), 1)
      t.equal(await store.set(key, '{"a":2}', undefined, undefined), undefined, 'a key that exists is not created again')
      t.same(await store.get(key), { value: '{"a":1}', version: 1 })
      t.equal(await store.set(key, '{"a":2}', 7, undefined), undefined, 'a write against another version is refused')
      t.equal(await store.set(key, '{"a":2}', 1, 60_000), 2)
      const ttl = Number(await command('PTTL', `fastify-haptik:${key}`))
      t.ok(ttl > 0 && ttl <= 60_000, `Redis expires it (${ttl} ms left)`)
      t.equal(await store.set(key, '{"a":3}', 2, undefined), 3)
      t.equal(Number(await command('PTTL', `fastify-haptik:${key}`)), -1, 'no lifetime: kept until replaced')
      t.equal(await store.delete(key, 2), false)
      t.equal(await store.delete(key, 3), true)
      t.equal(await store.get(key), undefined)
    })

    t.test(`${name}: a three-step booking keeps a 50 KB cart across two instances sharing Redis`, async t => {
      const [first, second] = await Promise.all([connect(server.url), connect(server.url)])
      t.teardown(first.close)
      t.teardown(second.close)
      const a = await instance(t, first.store, [pick, fill, book])
      const b = await instance(t, second.store, [pick, fill, book])
      const user = `traveller-${name}`
      await chat(a.app, user).call(pick, { to: 'Goa' })
      await chat(b.app, user).call(fill, {})
      const booked = await chat(a.app, user).call(book, {})
      t.match(booked.reply?.response[0], /^Booked 500 items \((\d+) characters\) to Goa$/)
      t.ok(Number(/\((\d+) characters\)/.exec(booked.reply?.response[0] ?? '')?.[1]) > 50_000, 'over 50 KB of state')
    })

    t.test(`${name}: fifty concurrent increments across two instances lose no update`, async t => {
      const [first, second] = await Promise.all([connect(server.url), connect(server.url)])
      t.teardown(first.close)
      t.teardown(second.close)
      const a = await instance(t, first.store, [count, read])
      const b = await instance(t, second.store, [count, read])
      const user = `counter-${name}`
      // Started 2 ms apart, so that calls overlap some of the others, not all.
      const calls = await Promise.all(Array.from({ length: 50 }, async (_, index) => {
        await new Promise(resolve => setTimeout(resolve, index * 2))
        return await chat(index % 2 === 0 ? a.app : b.app, user).call(count, {})
      }))
      const saved = calls.filter(call => call.reply?.status === true).length
      t.ok(saved > 1 && saved < 50, `${saved} of 50 saved, the others lost a race`)
      t.same((await chat(a.app, user).call(read, {})).reply?.response, [String(saved)], 'the count equals the status: true answers')
      t.ok(calls.every(call => call.statusCode === 200), 'never a bot break')
    })

    t.test(`${name}: Haptik's retry schedule, compressed, across two instances on one Redis: the webhook handler completes once`, async t => {
      const [first, second] = await Promise.all([connect(server.url), connect(server.url)])
      t.teardown(first.close)
      t.teardown(second.close)
      let attempts = 0
      let completed = 0
      const on = {
        message: async () => {
          attempts++
          if (attempts === 1) throw new Error('the first attempt fails')
          await new Promise(resolve => setTimeout(resolve, 30))
          completed++
        }
      }
      const webhookInstance = async (store: StateStore) => {
        const app = Fastify()
        t.teardown(() => app.close())
        await app.register(fastifyHaptik, { secret: SECRET, prefix: '/haptik', steps: [], store, webhooks: { on } })
        return app
      }
      const apps = [await webhookInstance(first.store), await webhookInstance(second.store)]
      const payload = { message: { id: Date.now(), body: { type: 'TEXT', text: 'Hi', data: {} } } }
      const deliver = async (index: number) => (await callWebhook(apps[index % 2], 'message', payload, { secret: SECRET, prefix: '/haptik' })).statusCode
      const statuses = [await deliver(0)]
      for (const [index, wait] of [5, 25, 125, 625, 1410].entries()) {
        await new Promise(resolve => setTimeout(resolve, wait / 50))
        if (index === 0) statuses.push(...await Promise.all([deliver(0), deliver(1)]))
        else statuses.push(await deliver(index))
      }
      t.equal(statuses.length, 7)
      t.equal(statuses[0], 503)
      t.equal(statuses.at(-1), 200)
      t.equal(completed, 1, 'completed exactly once')
    })

    t.test(`${name}: Redis stopped under the bot is the failure path in time, never a 5xx; restarted, the bot is served again`, async t => {
      const client = await connect(server.url)
      t.teardown(client.close)
      const { app, lines } = await instance(t, client.store, [count, read], 500)
      const user = `restart-${name}`
      t.equal((await chat(app, user).call(count, {})).reply?.status, true)
      await server.stop()
      const down = await Promise.all(Array.from({ length: 10 }, async () => await chat(app, user).call(count, {})))
      t.same(new Set(down.map(call => call.statusCode)), new Set([200]), 'never a 5xx')
      t.same(down.map(call => call.reply), down.map(() => ({ status: false, response: [DEFAULT_FALLBACK_MESSAGE] })), 'the failure path')
      const warned = lines.filter(line => line.level === 40 && (line.err as { code?: string } | undefined)?.code === 'FST_HAPTIK_STORE_UNAVAILABLE')
      t.equal(warned.length, 10, 'each logged at warn')
      await server.start()
      let served = false
      for (let tries = 0; tries < 100 && !served; tries++) {
        served = (await chat(app, user).call(count, {})).reply?.status === true
        if (!served) await new Promise(resolve => setTimeout(resolve, 100))
      }
      t.ok(served, 'served again once Redis is back')
    })
  }
}
