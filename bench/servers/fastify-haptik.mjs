// fastify-haptik, as a user would run it (the built package: HAPTIK_DIST, by default ../../dist).
import Fastify from 'fastify'
import { ENTITIES, REPLIES, SECRET, STEP } from '../workload.mjs'
import { loadHaptik, port, ready } from './common.mjs'

const { default: fastifyHaptik, defineStep } = await loadHaptik()

const steps = Number(process.env.BENCH_STEPS ?? 1)
const productPrice = defineStep({ name: STEP, entities: ENTITIES, handler: ({ entities }) => REPLIES[entities.product_name] })
const others = Array.from({ length: steps - 1 }, (_, i) => defineStep({ name: `other_${i}`, entities: ENTITIES, handler: () => 'other' }))

const app = Fastify({ logger: false })
await app.register(fastifyHaptik, { secret: SECRET, steps: [productPrice, ...others], bodyLimit: 1024 * 1024 })
await app.listen({ port, host: '127.0.0.1' })
ready(app.server)
