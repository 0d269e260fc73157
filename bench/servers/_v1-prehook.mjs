// bare + a route-level no-op preParsing hook
import Fastify from 'fastify'
import { ENTITIES, answer, productOf } from '../workload.mjs'
import { loadHaptik, port, ready } from './common.mjs'
const { EnvelopeSchema, ReplySchema, DetailsSchema, StringDetailsSchema } = await loadHaptik()
const app = Fastify({ logger: false, bodyLimit: 1024 * 1024 })
app.post('/product_price', {
  schema: { body: EnvelopeSchema(ENTITIES), response: { 200: ReplySchema(DetailsSchema, StringDetailsSchema) } },
  preParsing: (request, reply, payload, done) => { done() }
}, async request => answer(productOf(request.body)))
await app.listen({ port, host: '127.0.0.1' })
ready(app.server)
