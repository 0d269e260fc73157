// The floor recipe: a parseAs: 'buffer' JSON parser that checks the signature,
// then parses with secure-json-parse as Fastify's own parser does (refusing
// prototype poisoning); same schemas. The cheapest correct hand-written check.
import Fastify from 'fastify'
import secureJson from 'secure-json-parse'
import { ENTITIES, answer, productOf } from '../workload.mjs'
import { loadSchemas, port, ready, validSignature } from './common.mjs'

const { EnvelopeSchema, ReplySchema, DetailsSchema, StringDetailsSchema } = await loadSchemas()

const app = Fastify({ logger: false, bodyLimit: 1024 * 1024 })
app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, raw, done) => {
  if (!validSignature(raw, request.headers['x-hub-signature'])) {
    const error = new Error('bad signature')
    error.statusCode = 401
    done(error)
    return
  }
  try {
    done(null, secureJson.parse(raw, { protoAction: 'error', constructorAction: 'error' }))
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
