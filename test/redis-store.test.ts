// State on a real redis-server (Debian's package), through ioredis and
// node-redis: the store's compare-and-set, two app instances sharing one
// Redis, no lost update, and Redis stopped and restarted under the bot.
import { performance } from 'node:perf_hooks'
import t from 'tap'
import Fastify, { type FastifyInstance } from 'fastify'
import { Type } from '@sinclair/typebox'
import { Redis } from 'ioredis'
import { createClient } from 'redis'
import fastifyHaptik, { DEFAULT_FALLBACK_MESSAGE, defineStep, redisStore, type AnyStep, type StateStore } from '../lib/index.js'
import { callWebhook, conversation } from '../lib/testing/index.js'
import { SECRET } from './helpers/haptik.js'
import { RedisServer } from './helpers/redis.js'
import { requires } from './helpers/requires.js'
import { captureLogs } from './helpers/logs.js'

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

if (requires(t, 'redis-server', 'the Redis store on a real redis-server') !== undefined) {
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
    const { logger, lines } = captureLogs('warn')
    const app = Fastify({ requestTimeout: 30_000, logger })
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
      const first = await store.set(key, '{"a":1}', undefined, undefined) as string
      t.type(first, 'string', 'versions are opaque text')
      t.equal(await store.set(key, '{"a":2}', undefined, undefined), undefined, 'a key that exists is not created again')
      t.same(await store.get(key), { value: '{"a":1}', version: first })
      t.equal(await store.set(key, '{"a":2}', 'another', undefined), undefined, 'a write against another version is refused')
      const second = await store.set(key, '{"a":2}', first, 60_000)
      t.not(second, first)
      const ttl = Number(await command('PTTL', `fastify-haptik:${key}`))
      t.ok(ttl > 0 && ttl <= 60_000, `Redis expires it (${ttl} ms left)`)
      const third = await store.set(key, '{"a":3}', second, undefined)
      t.equal(Number(await command('PTTL', `fastify-haptik:${key}`)), -1, 'no lifetime: kept until replaced')
      t.same(await store.get(key), { value: '{"a":3}', version: third })
      await command('DEL', `fastify-haptik:${key}`)
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

  // The clients as docs/state.md builds them: failing fast while Redis is down,
  // and starting (not awaiting a connection) when Redis refuses at start.
  const DOCS_CLIENTS: Record<string, (url: string) => { store: StateStore, close: () => void }> = {
    ioredis: url => {
      const client = new Redis(url, { enableOfflineQueue: false })
      client.on('error', () => {})
      return { store: redisStore(client), close: () => { client.disconnect() } }
    },
    'node-redis': url => {
      const client = createClient({ url, disableOfflineQueue: true })
      client.on('error', () => {})
      client.connect().catch(() => {})
      return { store: redisStore(client), close: () => { client.destroy() } }
    }
  }

  const sleep = async (ms: number) => await new Promise(resolve => setTimeout(resolve, ms))
  const Basket = Type.Object({ items: Type.Array(Type.String()) }, { default: { items: [] } })
  const add = defineStep({ name: 'add', state: Basket, entities: Type.Object({ item: Type.String() }), handler: ({ entities, state }) => ({ response: 'added', state: { items: [...(state?.items ?? []), entities.item] } }) })
  const cart = defineStep({ name: 'cart', state: Basket, handler: ({ state }) => (state?.items ?? []).join(', ') })
  let webhookRuns = 0

  async function faultApp (t: { teardown: (fn: () => unknown) => void }, store: StateStore) {
    const { logger, lines } = captureLogs('warn')
    const app = Fastify({ logger })
    t.teardown(() => app.close())
    await app.register(fastifyHaptik, { secret: SECRET, prefix: '/haptik', steps: [add, cart], store, webhooks: { on: { message: () => { webhookRuns++ } } } })
    await app.ready()
    return { app, lines }
  }

  /** A webhook delivery and a step call under a fault: how each was answered, and after how long. */
  async function underFault (app: FastifyInstance) {
    let started = performance.now()
    const delivery = await callWebhook(app, 'message', { message: { id: Math.floor(Math.random() * 1e9) } }, { secret: SECRET, prefix: '/haptik' })
    const deliveryMs = performance.now() - started
    started = performance.now()
    const step = await chat(app, 'shopper').call(add, { item: 'tea' })
    return { delivery, deliveryMs, step, stepMs: performance.now() - started }
  }

  for (const [name, build] of Object.entries(DOCS_CLIENTS)) {
    for (const fault of ['stopped', 'paused', 'refusing at start'] as const) {
      t.test(`${name}, built as the docs build it, with Redis ${fault}: a webhook delivery gets 503 within 5 s, and a step its fallback within about storeTimeout`, async t => {
        const down = fault === 'refusing at start' ? await RedisServer.unused() : server
        const client = build(down.url)
        t.teardown(client.close)
        if (fault !== 'refusing at start') await sleep(200)
        const { app } = await faultApp(t, client.store)
        if (fault === 'stopped') await server.stop()
        if (fault === 'paused') server.pause()
        try {
          webhookRuns = 0
          const { delivery, deliveryMs, step, stepMs } = await underFault(app)
          t.equal(delivery.statusCode, 503, 'Haptik sends the event again')
          t.ok(deliveryMs < 5000, `the delivery was answered in ${Math.round(deliveryMs)} ms`)
          t.equal(webhookRuns, 0, 'no record, no run')
          t.same(step.reply, { status: false, response: [DEFAULT_FALLBACK_MESSAGE] })
          t.ok(stepMs < 3000, `the step was answered in ${Math.round(stepMs)} ms, not its 10 s timeout`)
        } finally {
          if (fault === 'paused') server.resume()
          if (fault === 'stopped') await server.start()
        }
      })
    }

    t.test(`${name}: a write still in flight when storeTimeout passes never lands: the fallback means nothing was saved`, async t => {
      const { store, close } = await CLIENTS[name](server.url)
      t.teardown(close)
      const pausing = defineStep({
        name: 'pausing',
        state: Basket,
        handler: ({ state }) => {
          // Redis stops answering as the write goes out.
          server.pause()
          return { response: 'added', state: { items: [...(state?.items ?? []), 'late'] } }
        }
      })
      const app = Fastify()
      t.teardown(() => app.close())
      await app.register(fastifyHaptik, { secret: SECRET, prefix: '/haptik', steps: [add, cart, pausing], store, storeTimeout: 300 })
      const user = `late-${name}`
      await chat(app, user).call(add, { item: 'tea' })
      try {
        t.same((await chat(app, user).call(pausing, {})).reply, { status: false, response: [DEFAULT_FALLBACK_MESSAGE] })
        await sleep(700)
      } finally {
        server.resume()
      }
      await sleep(100)
      t.same((await chat(app, user).call(cart, {})).reply?.response, ['tea'], 'Redis ran the write when it woke, past its deadline, and refused it')
    })

    t.test(`${name}: stored versions are opaque ("1.0", "01", "abc"), and a record without its JSON reads as the default, with a warning, until the next success replaces it`, async t => {
      const { store, command, close } = await CLIENTS[name](server.url)
      t.teardown(close)
      const { app, lines } = await instance(t, store, [add, cart])
      for (const [version, stored, expected] of [['1.0', '{"items":["a"]}', 'a'], ['01', '{"items":["b"]}', 'b'], ['abc', '{"items":["c"]}', 'c'], ['7', undefined, '']] as const) {
        const user = `versions-${name}-${version}`
        const key = `fastify-haptik:/haptik:{=${user}}:conversation:1`
        if (stored === undefined) await command('HSET', key, 'v', version)
        else await command('HSET', key, 'v', version, 'd', stored)
        t.same((await chat(app, user).call(cart, {})).reply?.response, [expected], `version ${version}: read`)
        t.same((await chat(app, user).call(add, { item: 'z' })).reply?.response, ['added'], `version ${version}: not locked out`)
        t.same((await chat(app, user).call(cart, {})).reply?.response, [expected === '' ? 'z' : `${expected}, z`])
      }
      t.match(lines.find(line => (line.err as { code?: string } | undefined)?.code === 'FST_HAPTIK_INVALID_STORED_STATE')?.err, { message: /the stored conversation's state cannot be used \(it is not JSON\)/ })
    })

    t.test(`${name}: a user's two states share one hash tag and are written in one script; ids with lone surrogates are two users`, async t => {
      const { store, command, close } = await CLIENTS[name](server.url)
      t.teardown(close)
      const Visits = Type.Object({ visits: Type.Integer() }, { default: { visits: 0 } })
      const both = defineStep({ name: 'both', state: Basket, userState: Visits, handler: ({ state, userState }) => ({ response: 'ok', state: { items: [...(state?.items ?? []), 'x'] }, userState: { visits: (userState?.visits ?? 0) + 1 } }) })
      const { app } = await instance(t, store, [both, cart])
      const user = `tagged-${name}`
      await chat(app, user).call(both, {})
      const keys = (await command('KEYS', `fastify-haptik:/haptik:{=${user}}:*`) as string[]).sort()
      t.same(keys, [`fastify-haptik:/haptik:{=${user}}:conversation:1`, `fastify-haptik:/haptik:{=${user}}:user`])
      await chat(app, `${name}-\ud800`).call(both, {})
      t.same((await chat(app, `${name}-\ud801`).call(cart, {})).reply?.response, [''], 'UTF-8 would make both U+FFFD: the keys hash the id as sent')
      t.same((await chat(app, `${name}-\ud800`).call(cart, {})).reply?.response, ['x'])
    })

    t.test(`${name}: redisStore(client, { quit: true }) closes the client when the app closes`, async t => {
      const ioredis = name === 'ioredis' ? new Redis(server.url) : undefined
      const nodeRedis = name === 'node-redis' ? await createClient({ url: server.url }).connect() : undefined
      const app = Fastify()
      await app.register(fastifyHaptik, { secret: SECRET, steps: [cart], store: redisStore(ioredis ?? nodeRedis, { quit: true }) })
      await app.ready()
      await app.close()
      await sleep(50)
      t.ok(ioredis === undefined ? nodeRedis?.isOpen === false : ioredis.status === 'end', 'closed')
    })

    t.test(`${name}: quit: true on a client the app closed itself: closing the app still resolves`, async t => {
      const ioredis = name === 'ioredis' ? new Redis(server.url) : undefined
      const nodeRedis = name === 'node-redis' ? await createClient({ url: server.url }).connect() : undefined
      if (ioredis !== undefined) await new Promise(resolve => ioredis.once('ready', resolve))
      const app = Fastify()
      await app.register(fastifyHaptik, { secret: SECRET, steps: [cart], store: redisStore(ioredis ?? nodeRedis, { quit: true }) })
      await app.ready()
      await (ioredis?.quit() ?? nodeRedis?.close())
      await app.close()
      t.pass('closed')
    })

    t.test(`${name}: with Redis paused, closing the app does not wait on the client's quit past 2 s: the connection is dropped`, async t => {
      const ioredis = name === 'ioredis' ? new Redis(server.url) : undefined
      const nodeRedis = name === 'node-redis' ? await createClient({ url: server.url }).connect() : undefined
      ioredis?.on('error', () => {})
      nodeRedis?.on('error', () => {})
      if (ioredis !== undefined) await new Promise(resolve => ioredis.once('ready', resolve))
      const app = Fastify()
      await app.register(fastifyHaptik, { secret: SECRET, steps: [cart], store: redisStore(ioredis ?? nodeRedis, { quit: true }) })
      await app.ready()
      server.pause()
      const started = performance.now()
      try {
        await app.close()
      } finally {
        server.resume()
      }
      const took = performance.now() - started
      // ioredis's quit waits for Redis's answer; node-redis's close does not.
      t.ok(took < 4000 && (ioredis === undefined || took >= 1900), `closed in ${Math.round(took)} ms`)
      await sleep(200)
      t.ok(ioredis === undefined ? nodeRedis?.isOpen === false : ioredis.status === 'end', 'dropped')
    })
  }
}
