// One startup measurement, in a fresh process (node --expose-gc):
//   node --expose-gc bench/startup-app.mjs <haptik|bare> <steps>
// Builds `steps` steps, each with Entities.Date, Entities.City and a union of
// literals of its own, as the plugin (haptik) or as plain Fastify routes with
// the same body and reply schemas (bare); prints one JSON line: the time from
// Fastify() to ready(), the heap after a full GC, the app's first call (the
// first step's), then the last step's first call and a call after it.
import Fastify from 'fastify'
import { Type } from '@sinclair/typebox'
import { performance } from 'node:perf_hooks'
import { SECRET, signature } from './workload.mjs'
import { loadHaptik, loadSchemas } from './servers/common.mjs'

const [kind, count] = [process.argv[2], Number(process.argv[3])]
if (!['haptik', 'bare'].includes(kind) || !(Number.isInteger(count) && count >= 1)) {
  console.error('usage: node --expose-gc bench/startup-app.mjs <haptik|bare> <steps>')
  process.exit(2)
}
const { default: fastifyHaptik, defineStep, Entities } = await loadHaptik()
const { EnvelopeSchema, ReplySchema, DetailsSchema, StringDetailsSchema } = await loadSchemas()

const entitiesOf = i => Type.Object({
  travel_date: Entities.Date,
  destination: Entities.City,
  cabin: Type.Union([Type.Literal('economy'), Type.Literal(`business_${i}`)])
})
const name = i => `book_trip_${i}`

global.gc()
const started = performance.now()
const app = Fastify({ logger: false })
if (kind === 'haptik') {
  const steps = Array.from({ length: count }, (_, i) => defineStep({
    name: name(i),
    entities: entitiesOf(i),
    handler: async ({ entities }) => `Booked ${entities.cabin} to ${entities.destination.value}`
  }))
  await app.register(fastifyHaptik, { secret: SECRET, steps })
} else {
  for (let i = 0; i < count; i++) {
    app.post(`/${name(i)}`, {
      schema: { body: EnvelopeSchema(entitiesOf(i)), response: { 200: ReplySchema(DetailsSchema, StringDetailsSchema) } }
    }, async ({ body: { entities } }) => ({ status: true, response: [`Booked ${entities.cabin[0].entity_value.value} to ${entities.destination[0].entity_value.value}`] }))
  }
}
await app.ready()
const readyMs = performance.now() - started
global.gc()
const heapMB = process.memoryUsage().heapUsed / 2 ** 20

const payloadOf = i => JSON.stringify({
  step: name(i),
  event: 'API_INTEGRATION',
  user: { user_id: '5120931', language_code: 'en' },
  entities: {
    travel_date: [{ detection: 'message', original_text: 'tomorrow', entity_value: { value: { dd: 23, mm: 12, yy: 2026, type: 'tomorrow' }, normal: true } }],
    destination: [{ detection: 'message', original_text: 'to mumbai', entity_value: { value: 'Mumbai', to: true } }],
    cabin: [{ detection: 'message', original_text: 'business', entity_value: { value: `business_${i}` } }]
  }
})
const call = async i => {
  const payload = payloadOf(i)
  const t = performance.now()
  const response = await app.inject({ method: 'POST', url: `/${name(i)}`, headers: { 'content-type': 'application/json', 'x-hub-signature': signature(payload, SECRET) }, payload })
  const ms = performance.now() - t
  if (response.statusCode !== 200 || !response.body.includes(`Booked business_${i} to Mumbai`)) throw new Error(`unexpected answer ${response.statusCode} ${response.body}`)
  return ms
}
const appFirstCallMs = await call(0)
const stepFirstCallMs = count > 1 ? await call(count - 1) : undefined
const warmCallMs = await call(count - 1)
await app.close()
console.log(JSON.stringify({ kind, steps: count, readyMs, heapMB, appFirstCallMs, stepFirstCallMs, warmCallMs }))
