// A parseAs: 'buffer' JSON parser that checks the signature, then parses; same schemas.
import Fastify from 'fastify'
import { ENTITIES, answer, productOf } from '../workload.mjs'
import { loadHaptik, port, ready, validSignature } from './common.mjs'

const { EnvelopeSchema, ReplySchema, DetailsSchema, StringDetailsSchema } = await loadHaptik()

const app = Fastify({ logger: false, bodyLimit: 1024 * 1024 })
app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, raw, done) => {
  if (!validSignature(raw, request.headers['x-hub-signature'])) {
    const error = new Error('bad signature')
    error.statusCode = 401
    done(error)
    return
  }
  try {
    done(null, JSON.parse(raw))
  } catch (error) {
    error.statusCode = 400
    done(error)
  }
})
app.post('/product_price', {
  schema: { body: EnvelopeSchema(ENTITIES), response: { 200: ReplySchema(DetailsSchema, StringDetailsSchema) } }
}, async request => answer(productOf(request.body)))
await app.listen({ port, host: '127.0.0.1' })
ready(app.server)
