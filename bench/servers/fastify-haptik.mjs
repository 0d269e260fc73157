// fastify-haptik, as a user would run it (the built package: HAPTIK_DIST, by default ../../dist).
// The handler is `async`, as users write it (it awaits a database or an API);
// BENCH_HANDLER=sync serves the same step with a synchronous handler. BENCH_BUSY_US=<n>
// keeps the async handler busy for n µs per call (a control: what the harness makes of
// n µs of work added to a call; the state comparison uses it). BENCH_CLIENT=1 passes the
// plugin a REST client (`client`), which the step does not use.
import Fastify from 'fastify'
import { ENTITIES, REPLIES, SECRET, STEP } from '../workload.mjs'
import { loadClient, loadHaptik, port, ready } from './common.mjs'

const { default: fastifyHaptik, defineStep } = await loadHaptik()
const client = process.env.BENCH_CLIENT === '1'
  ? (await loadClient()).createHaptikClient({ token: 'bench', clientId: 'bench', baseUrl: 'http://127.0.0.1:9' })
  : undefined

const steps = Number(process.env.BENCH_STEPS ?? 1)
const busyMs = Number(process.env.BENCH_BUSY_US ?? 0) / 1000
const busy = () => { for (const end = performance.now() + busyMs; performance.now() < end;); }
const handler = process.env.BENCH_HANDLER === 'sync'
  ? ({ entities }) => REPLIES[entities.product_name]
  : busyMs > 0
    ? async ({ entities }) => { busy(); return REPLIES[entities.product_name] }
    : async ({ entities }) => REPLIES[entities.product_name]
const productPrice = defineStep({ name: STEP, entities: ENTITIES, handler })
const others = Array.from({ length: steps - 1 }, (_, i) => defineStep({ name: `other_${i}`, entities: ENTITIES, handler: () => 'other' }))

const app = Fastify({ logger: false })
await app.register(fastifyHaptik, { secret: SECRET, steps: [productPrice, ...others], bodyLimit: 1024 * 1024, client })
await app.listen({ port, host: '127.0.0.1' })
ready(app.server)
