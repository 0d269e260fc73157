// the buffer-parser recipe with a one-shot HMAC from precomputed pads
import Fastify from 'fastify'
import { hash, createHash, timingSafeEqual } from 'node:crypto'
import { ENTITIES, answer, productOf, SECRET } from '../workload.mjs'
import { loadHaptik, port, ready } from './common.mjs'
const { EnvelopeSchema, ReplySchema, DetailsSchema, StringDetailsSchema } = await loadHaptik()
const k = Buffer.alloc(64); Buffer.from(SECRET).copy(k)
const ipad = Buffer.alloc(64); const opad = Buffer.alloc(84)
for (let i = 0; i < 64; i++) { ipad[i] = k[i] ^ 0x36; opad[i] = k[i] ^ 0x5c }
function hmac (raw) {
  const inner = createHash('sha1').update(ipad).update(raw).digest()
  const outer = Buffer.allocUnsafe(84); opad.copy(outer, 0, 0, 64); inner.copy(outer, 64)
  return hash('sha1', outer, 'buffer')
}
function valid (raw, header) {
  if (typeof header !== 'string' || !header.startsWith('sha1=')) return false
  const expected = Buffer.from(header.slice(5), 'hex')
  const actual = hmac(raw)
  return expected.length === actual.length && timingSafeEqual(expected, actual)
}
const app = Fastify({ logger: false, bodyLimit: 1024 * 1024 })
app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, raw, done) => {
  if (!valid(raw, request.headers['x-hub-signature'])) { const e = new Error('bad'); e.statusCode = 401; done(e); return }
  done(null, JSON.parse(raw))
})
app.post('/product_price', {
  schema: { body: EnvelopeSchema(ENTITIES), response: { 200: ReplySchema(DetailsSchema, StringDetailsSchema) } }
}, async request => answer(productOf(request.body)))
await app.listen({ port, host: '127.0.0.1' })
ready(app.server)
