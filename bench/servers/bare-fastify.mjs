// The ceiling: a plain Fastify route with the same body and reply schemas, and no signature check.
import Fastify from 'fastify'
import { ENTITIES, answer, productOf } from '../workload.mjs'
import { loadSchemas, port, ready } from './common.mjs'

const { EnvelopeSchema, ReplySchema, DetailsSchema, StringDetailsSchema } = await loadSchemas()

const app = Fastify({ logger: false, bodyLimit: 1024 * 1024 })
app.post('/product_price', {
  schema: { body: EnvelopeSchema(ENTITIES), response: { 200: ReplySchema(DetailsSchema, StringDetailsSchema) } }
}, async request => answer(productOf(request.body)))
await app.listen({ port, host: '127.0.0.1' })
ready(app.server)
