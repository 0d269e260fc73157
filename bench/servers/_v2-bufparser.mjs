// bare + buffer parser (toString + secure-json-parse), no HMAC
import Fastify from 'fastify'
import secureJson from 'secure-json-parse'
import { ENTITIES, answer, productOf } from '../workload.mjs'
import { loadHaptik, port, ready } from './common.mjs'
const { EnvelopeSchema, ReplySchema, DetailsSchema, StringDetailsSchema } = await loadHaptik()
const app = Fastify({ logger: false, bodyLimit: 1024 * 1024 })
app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, raw, done) => { done(null, secureJson.parse(raw, undefined, { protoAction: 'error', constructorAction: 'error' })) })
app.post('/product_price', {
  schema: { body: EnvelopeSchema(ENTITIES), response: { 200: ReplySchema(DetailsSchema, StringDetailsSchema) } }
}, async request => answer(productOf(request.body)))
await app.listen({ port, host: '127.0.0.1' })
ready(app.server)
