// The common recipe: fastify-raw-body and a hand-written check, same schemas.
import Fastify from 'fastify'
import rawBody from 'fastify-raw-body'
import { ENTITIES, answer, productOf } from '../workload.mjs'
import { loadSchemas, port, ready, validSignature } from './common.mjs'

const { EnvelopeSchema, ReplySchema, DetailsSchema, StringDetailsSchema } = await loadSchemas()

const app = Fastify({ logger: false, bodyLimit: 1024 * 1024 })
await app.register(rawBody, { field: 'rawBody', global: true, encoding: false, runFirst: true })
app.post('/product_price', {
  schema: { body: EnvelopeSchema(ENTITIES), response: { 200: ReplySchema(DetailsSchema, StringDetailsSchema) } },
  preValidation: async (request, reply) => {
    if (!validSignature(request.rawBody, request.headers['x-hub-signature'])) return reply.code(401).send({ error: 'bad signature' })
  }
}, async request => answer(productOf(request.body)))
await app.listen({ port, host: '127.0.0.1' })
ready(app.server)
