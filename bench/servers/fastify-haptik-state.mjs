// fastify-haptik with a stateful step (the built package: HAPTIK_DIST, by default ../../dist):
// the sample step, whose async handler also counts the conversation's calls in `state`, so
// that every call reads the state and writes it back (compare-and-set). BENCH_STORE picks
// the store: memory (default), ioredis or node-redis, on the redis-server at BENCH_REDIS_URL.
import Fastify from 'fastify'
import { Type } from '@sinclair/typebox'
import { ENTITIES, REPLIES, SECRET, STEP } from '../workload.mjs'
import { loadHaptik, port, ready } from './common.mjs'

const { default: fastifyHaptik, defineStep, memoryStore, redisStore } = await loadHaptik()

async function storeOf (kind, url) {
  if (kind === 'memory') return { store: memoryStore(), close: async () => {} }
  if (kind === 'ioredis') {
    const { Redis } = await import('ioredis')
    const client = new Redis(url)
    return { store: redisStore(client), close: async () => { client.disconnect() } }
  }
  if (kind === 'node-redis') {
    const { createClient } = await import('redis')
    const client = await createClient({ url }).connect()
    return { store: redisStore(client), close: async () => { await client.quit() } }
  }
  throw new Error(`BENCH_STORE must be memory, ioredis or node-redis, got ${kind}`)
}

const { store, close } = await storeOf(process.env.BENCH_STORE ?? 'memory', process.env.BENCH_REDIS_URL)
const productPrice = defineStep({
  name: STEP,
  entities: ENTITIES,
  state: Type.Object({ calls: Type.Integer() }, { default: { calls: 0 } }),
  handler: async ({ entities, state }) => ({ response: REPLIES[entities.product_name], state: { calls: (state?.calls ?? 0) + 1 } })
})

const app = Fastify({ logger: false })
app.addHook('onClose', close)
await app.register(fastifyHaptik, { secret: SECRET, steps: [productPrice], store })
await app.listen({ port, host: '127.0.0.1' })
ready(app.server)
for (const signal of ['SIGINT', 'SIGTERM']) process.removeAllListeners(signal).on(signal, () => { app.close().then(() => process.exit(0)) })
