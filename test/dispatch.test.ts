import t, { type Test } from 'tap'
import Fastify from 'fastify'
import swagger from '@fastify/swagger'
import { Validator } from '@seriousme/openapi-schema-validator'
import { Type } from '@sinclair/typebox'
import fastifyHaptik, { DEFAULT_INVALID_ENTITY_MESSAGE, defineStep, Entities, type FastifyHaptikOptions } from '../lib/index.js'
import { SECRET, detection, envelope, haptikApp, haptikSignature, signedPost } from './helpers/haptik.js'

function steps () {
  const calls: string[] = []
  const productPrice = defineStep({
    name: 'product_price',
    entities: Type.Object({ product_name: Type.Union([Type.Literal('speaker'), Type.Literal('powerbank')]) }),
    handler: ({ entities }) => { calls.push(`product_price:${entities.product_name}`); return `price of ${entities.product_name}` }
  })
  const orderStatus = defineStep({
    name: 'order_status',
    secret: 'orders-secret',
    entities: Type.Object({ quantity: Type.Integer() }),
    conversationDetails: Type.Object({ last_quantity: Type.Integer() }),
    handler: ({ entities }) => {
      calls.push(`order_status:${entities.quantity}`)
      return { response: 'ok', conversation_details: { last_quantity: entities.quantity, undeclared: 'kept' } }
    }
  })
  return { calls, productPrice, orderStatus }
}

async function dispatchApp (t: Test, options: Partial<FastifyHaptikOptions> = {}) {
  const { calls, productPrice, orderStatus } = steps()
  const app = await haptikApp(t, { steps: [productPrice, orderStatus], prefix: '/haptik', dispatch: true, ...options })
  return { app, calls }
}

const speaker = envelope('product_price', { product_name: [detection('speaker')] })

t.test('the dispatch route serves each step by the name in the body', async t => {
  const { app, calls } = await dispatchApp(t)
  const viaDispatch = await signedPost(app, '/haptik/', speaker)
  const viaStep = await signedPost(app, '/haptik/product_price', speaker)
  t.equal(viaDispatch.statusCode, 200)
  t.same(viaDispatch.json(), viaStep.json(), 'the same reply as the step route')
  const old = await signedPost(app, '/haptik/', { ...envelope('x', { product_name: [detection({ value: 'powerbank' })] }), step: undefined, node: 'product_price' })
  t.same(old.json(), { status: true, response: ['price of powerbank'] }, 'older bots name the step in "node"')
  const orders = await signedPost(app, '/haptik/', envelope('order_status', { quantity: [detection({ value: '3' })] }), { secret: 'orders-secret' })
  t.same(orders.json(), { status: true, response: ['ok'], conversation_details: { last_quantity: 3, undeclared: 'kept' } }, "coerced and checked by the step's schemas, nothing dropped")
  t.same(calls, ['product_price:speaker', 'product_price:speaker', 'product_price:powerbank', 'order_status:3'])
})

t.test('unknown, missing and malformed step names are a 400 that lists the known steps', async t => {
  const { app, calls } = await dispatchApp(t)
  const unknown = await signedPost(app, '/haptik/', envelope('refund', {}))
  t.equal(unknown.statusCode, 400)
  t.equal(unknown.json().code, 'FST_HAPTIK_UNKNOWN_STEP')
  t.equal(unknown.json().message, 'Dispatch route: no step "refund" is served here; known steps: "product_price", "order_status"')
  const nameless = await signedPost(app, '/haptik/', { ...speaker, step: undefined })
  t.equal(nameless.json().message, 'Dispatch route: the request names no step (no "step" or "node" field); known steps: "product_price", "order_status"')
  const numeric = await signedPost(app, '/haptik/', { ...speaker, step: 7 })
  t.equal(numeric.json().code, 'FST_HAPTIK_UNKNOWN_STEP')
  const nullStep = await signedPost(app, '/haptik/', { ...speaker, step: null, node: 'product_price' })
  t.equal(nullStep.json().code, 'FST_HAPTIK_UNKNOWN_STEP', 'a null "step" does not fall back to "node": the schema would not apply')
  const long = await signedPost(app, '/haptik/', envelope('x'.repeat(500), {}))
  t.equal(long.json().message, `Dispatch route: no step "${'x'.repeat(64)}…" is served here; known steps: "product_price", "order_status"`, 'an unknown name is not echoed at length: cut at 64 characters')
  for (const body of ['null', '[]', '"product_price"']) {
    const res = await signedPost(app, '/haptik/', body)
    t.equal(res.json().code, 'FST_HAPTIK_INVALID_ENVELOPE', `${body}: code`)
    t.match(res.json().message, /^Dispatch route: the body must be a Haptik step request/)
  }
  t.equal(calls.length, 0)
})

t.test('the dispatch route checks signatures like the step routes, with the step\'s own secret', async t => {
  const { app, calls } = await dispatchApp(t)
  const body = JSON.stringify(speaker)
  const post = (headers: Record<string, string>) => app.inject({ method: 'POST', url: '/haptik/', payload: body, headers: { 'content-type': 'application/json', ...headers } })
  t.equal((await post({})).json().code, 'FST_HAPTIK_MISSING_SIGNATURE')
  t.equal((await post({ 'x-hub-signature': 'sha256=abc' })).json().code, 'FST_HAPTIK_MALFORMED_SIGNATURE')
  t.equal((await post({ 'x-hub-signature': haptikSignature(body, 'wrong') })).json().code, 'FST_HAPTIK_INVALID_SIGNATURE')
  const crossed = await post({ 'x-hub-signature': haptikSignature(body, 'orders-secret') })
  t.equal(crossed.statusCode, 401, "another step's secret does not open this step")
  t.equal(crossed.json().code, 'FST_HAPTIK_INVALID_SIGNATURE')
  const forgedBad = await app.inject({ method: 'POST', url: '/haptik/', payload: '{oops', headers: { 'content-type': 'application/json', 'x-hub-signature': haptikSignature('x') } })
  t.equal(forgedBad.json().code, 'FST_HAPTIK_INVALID_SIGNATURE', 'checked before parsing')
  const empty = await app.inject({ method: 'POST', url: '/haptik/', headers: { 'x-hub-signature': haptikSignature('x') } })
  t.equal(empty.json().code, 'FST_HAPTIK_INVALID_SIGNATURE', 'a request without a body is checked too')
  t.equal(calls.length, 0)
})

t.test('the dispatch route validates like the step routes', async t => {
  const { app } = await dispatchApp(t, { invalidEntities: 'reject' })
  const res = await signedPost(app, '/haptik/', envelope('product_price', { product_name: [detection('phone')] }))
  t.equal(res.statusCode, 400)
  t.equal(res.json().code, 'FST_HAPTIK_INVALID_ENTITY')
  t.equal(res.json().message, 'Step "product_price": entity "product_name" (detection 0) must be "speaker" | "powerbank", got a string')
  const missing = await signedPost(app, '/haptik/', envelope('order_status', {}), { secret: 'orders-secret' })
  t.match(missing.json().message, /^Step "order_status": entity "quantity" is required/)
  const badJson = await signedPost(app, '/haptik/', '{"step":')
  t.equal(badJson.json().message, 'Dispatch route: the body is not valid JSON (unexpected or missing characters)')
  const text = await app.inject({ method: 'POST', url: '/haptik/', payload: 'hi', headers: { 'content-type': 'text/plain', 'x-hub-signature': haptikSignature('hi', SECRET) } })
  t.equal(text.json().code, 'FST_HAPTIK_UNSUPPORTED_MEDIA_TYPE')
})

t.test('by default, entities that do not match take the failure path on the dispatch route too', async t => {
  const { app, calls } = await dispatchApp(t)
  const res = await signedPost(app, '/haptik/', envelope('PRODUCT_PRICE', { product_name: [detection('phone')] }))
  t.equal(res.statusCode, 200)
  t.same(res.json(), { status: false, response: [DEFAULT_INVALID_ENTITY_MESSAGE] })
  t.equal(calls.length, 0, 'the handler did not run')
})

t.test('with a secret function, every step\'s secrets are tried', async t => {
  const { calls, productPrice, orderStatus } = steps()
  const app = await haptikApp(t, { steps: [productPrice, orderStatus], dispatch: true, secret: async request => request.headers['x-tenant'] === 'acme' ? 'acme' : undefined })
  t.equal((await signedPost(app, '/', speaker, { secret: 'acme', headers: { 'x-tenant': 'acme' } })).statusCode, 200)
  t.equal((await signedPost(app, '/', speaker, { secret: 'acme' })).json().code, 'FST_HAPTIK_INVALID_SIGNATURE', 'no tenant: only the static secrets remain')
  t.equal((await signedPost(app, '/', envelope('order_status', { quantity: [detection(1)] }), { secret: 'orders-secret' })).statusCode, 200)
  t.equal(calls.length, 2)
})

t.test('a secret shared by two steps opens both', async t => {
  const a = defineStep({ name: 'a', handler: () => 'a' })
  const b = defineStep({ name: 'b', secret: ['b-only', SECRET], handler: () => 'b' })
  const app = await haptikApp(t, { steps: [a, b], dispatch: true })
  t.same((await signedPost(app, '/', envelope('a', {}))).json(), { status: true, response: ['a'] })
  t.same((await signedPost(app, '/', envelope('b', {}))).json(), { status: true, response: ['b'] })
  t.same((await signedPost(app, '/', envelope('b', {}), { secret: 'b-only' })).json(), { status: true, response: ['b'] })
  t.equal((await signedPost(app, '/', envelope('a', {}), { secret: 'b-only' })).statusCode, 401)
})

t.test('a secret function alone that returns nothing is a 401', async t => {
  const { productPrice } = steps()
  const app = await haptikApp(t, { steps: [productPrice], dispatch: true, secret: () => undefined })
  const res = await signedPost(app, '/', speaker)
  t.equal(res.json().code, 'FST_HAPTIK_SECRET_NOT_FOUND')
  t.equal(res.json().message, 'Dispatch route: no secret is configured for this request')
})

t.test('with unsigned steps, a signed step still needs its signature', async t => {
  const calls: string[] = []
  const open = defineStep({ name: 'open', handler: () => { calls.push('open'); return 'open' } })
  const closed = defineStep({ name: 'closed', secret: 'closed-secret', handler: () => { calls.push('closed'); return 'closed' } })
  const app = await haptikApp(t, { steps: [open, closed], dispatch: true, allowUnsigned: true, secret: undefined })
  const unsignedOpen = await app.inject({ method: 'POST', url: '/', payload: envelope('open', {}) })
  t.same(unsignedOpen.json(), { status: true, response: ['open'] })
  const unsignedClosed = await app.inject({ method: 'POST', url: '/', payload: envelope('closed', {}) })
  t.equal(unsignedClosed.json().code, 'FST_HAPTIK_MISSING_SIGNATURE')
  const malformed = await app.inject({ method: 'POST', url: '/', payload: envelope('closed', {}), headers: { 'x-hub-signature': 'sha1=xyz' } })
  t.equal(malformed.json().code, 'FST_HAPTIK_MALFORMED_SIGNATURE')
  const wrong = await signedPost(app, '/', envelope('closed', {}), { secret: 'guess' })
  t.equal(wrong.json().code, 'FST_HAPTIK_INVALID_SIGNATURE')
  const right = await signedPost(app, '/', envelope('closed', {}), { secret: 'closed-secret' })
  t.same(right.json(), { status: true, response: ['closed'] })
  t.same(calls, ['open', 'closed'])
})

t.test('with unsigned steps, a forged call with entities that do not match is refused, never answered on the failure path', async t => {
  const open = defineStep({ name: 'open', handler: () => 'open' })
  const closed = defineStep({ name: 'closed', secret: 'closed-secret', entities: Type.Object({ quantity: Type.Integer() }), handler: () => 'closed' })
  const app = await haptikApp(t, { steps: [open, closed], dispatch: true, allowUnsigned: true, secret: undefined })
  const invalid = envelope('closed', { quantity: [detection('lots')] })
  const forged = await signedPost(app, '/', invalid, { secret: 'guess' })
  t.same([forged.statusCode, forged.json().code], [401, 'FST_HAPTIK_INVALID_SIGNATURE'])
  const unsigned = await app.inject({ method: 'POST', url: '/', payload: invalid })
  t.same([unsigned.statusCode, unsigned.json().code], [401, 'FST_HAPTIK_MISSING_SIGNATURE'])
  const signed = await signedPost(app, '/', invalid, { secret: 'closed-secret' })
  t.same(signed.json(), { status: false, response: [DEFAULT_INVALID_ENTITY_MESSAGE] }, 'signed: the user\'s input, the failure path')
})

t.test('with unsigned steps, a secret function that finds nothing leaves the unsigned ones open', async t => {
  const open = defineStep({ name: 'open', handler: () => 'open' })
  const closed = defineStep({ name: 'closed', secret: () => undefined, handler: () => 'closed' })
  const app = await haptikApp(t, { steps: [open, closed], dispatch: true, allowUnsigned: true, secret: undefined })
  t.same((await app.inject({ method: 'POST', url: '/', payload: envelope('open', {}) })).json(), { status: true, response: ['open'] })
  t.equal((await signedPost(app, '/', envelope('closed', {}))).json().code, 'FST_HAPTIK_INVALID_SIGNATURE')
})

t.test('with unsigned steps, a call without a signature never runs the secret function', async t => {
  const asked: string[] = []
  const open = defineStep({ name: 'open', handler: () => 'open' })
  const closed = defineStep({ name: 'closed', secret: request => { asked.push(request.id); return 'closed-secret' }, handler: () => 'closed' })
  const app = await haptikApp(t, { steps: [open, closed], dispatch: true, allowUnsigned: true, secret: undefined })
  t.same((await app.inject({ method: 'POST', url: '/', payload: envelope('open', {}) })).json(), { status: true, response: ['open'] })
  t.equal((await app.inject({ method: 'POST', url: '/', payload: envelope('closed', {}) })).json().code, 'FST_HAPTIK_MISSING_SIGNATURE')
  t.equal((await app.inject({ method: 'POST', url: '/', payload: envelope('closed', {}), headers: { 'x-hub-signature': 'sha1=xyz' } })).json().code, 'FST_HAPTIK_MALFORMED_SIGNATURE')
  t.same(asked, [], 'no lookup for anonymous traffic')
  t.same((await signedPost(app, '/', envelope('closed', {}), { secret: 'closed-secret' })).json(), { status: true, response: ['closed'] })
  t.equal(asked.length, 1)
})

t.test('all steps unsigned: the dispatch route checks nothing', async t => {
  const calls: string[] = []
  const open = defineStep({ name: 'open', handler: ({ request }) => { calls.push(String(request.headers['x-hub-signature'])); return 'open' } })
  const app = await haptikApp(t, { steps: [open], dispatch: true, allowUnsigned: true, secret: undefined })
  const res = await app.inject({ method: 'POST', url: '/', payload: envelope('open', {}) })
  t.equal(res.statusCode, 200)
  t.strictSame(res.json(), { status: true, response: ['open'] })
  const forged = await app.inject({ method: 'POST', url: '/', payload: envelope('open', {}), headers: { 'x-hub-signature': 'sha1=xyz' } })
  t.strictSame(forged.json(), { status: true, response: ['open'] }, 'not even a malformed header is looked at')
  t.strictSame(calls, ['undefined', 'sha1=xyz'], 'the handler ran for both')
})

for (const version of ['3.0.3', '3.1.0']) {
  t.test(`OpenAPI ${version}: the dispatch route is documented and valid`, async t => {
    const { productPrice, orderStatus } = steps()
    const app = Fastify()
    t.teardown(() => app.close())
    await app.register(swagger, { openapi: { openapi: version, info: { title: 'dispatch', version: '1.0.0' } } })
    await app.register(fastifyHaptik, { prefix: '/haptik', secret: SECRET, dispatch: true, steps: [productPrice, orderStatus] })
    await app.ready()
    type Post = { summary: string, security: unknown, requestBody: { content: { 'application/json': { schema: { anyOf: unknown[] } } } }, responses: Record<string, { description: string, content: unknown }> }
    const doc = app.swagger() as unknown as { paths: Record<string, { post: Post }> }
    const result = await new Validator().validate(JSON.parse(JSON.stringify(doc)))
    t.same(result.errors ?? [], [])
    t.strictSame(Object.keys(doc.paths), ['/haptik/product_price', '/haptik/order_status', '/haptik/'])
    const post = doc.paths['/haptik/'].post
    const bodyOf = (path: string) => doc.paths[path].post.requestBody.content['application/json'].schema
    t.equal(post.summary, 'Haptik steps, by name')
    t.strictSame(post.requestBody.content['application/json'].schema.anyOf, [bodyOf('/haptik/product_price'), bodyOf('/haptik/order_status')],
      "one body per step, each the step route's own")
    t.strictSame(post.security, [{ haptikSignature: [] }])
    t.strictSame(Object.keys(post.responses), ['200', '400', '401', '408', '413', '415', '500'])
    t.equal(post.responses['400'].description,
      'Malformed request: FST_HAPTIK_INVALID_JSON, FST_HAPTIK_INVALID_ENVELOPE, FST_HAPTIK_UNKNOWN_STEP, FST_HAPTIK_INVALID_CONTENT_LENGTH')
  })
}

t.test('an unsigned dispatch route is documented without a security requirement', async t => {
  const open = defineStep({ name: 'open', handler: () => 'open' })
  const app = Fastify()
  t.teardown(() => app.close())
  await app.register(swagger, { openapi: { info: { title: 'open', version: '1.0.0' } } })
  await app.register(fastifyHaptik, { allowUnsigned: true, dispatch: true, steps: [open] })
  await app.ready()
  const post = (app.swagger() as unknown as { paths: Record<string, { post: { security?: unknown, responses: Record<string, unknown> } }> }).paths['/'].post
  t.notOk(post.security)
  t.notOk(post.responses['401'])
})

t.test('Swagger 2.0 gets the dispatch route\'s own schema', async t => {
  const { productPrice } = steps()
  const app = Fastify()
  t.teardown(() => app.close())
  await app.register(swagger, { swagger: { info: { title: 'v2', version: '1.0.0' } } })
  await app.register(fastifyHaptik, { secret: SECRET, dispatch: true, steps: [productPrice] })
  await app.ready()
  const { paths } = app.swagger() as unknown as { paths: Record<string, { post: { responses: Record<string, unknown> } }> }
  t.strictSame(Object.keys(paths), ['/product_price', '/'])
  // No OpenAPI 3 rewriting (no summary, body, security or error responses): the reply schema the route declares, as @fastify/swagger writes it.
  const details = { type: 'object', additionalProperties: { type: 'string' } }
  t.strictSame(paths['/'], {
    post: {
      responses: {
        200: {
          description: 'Default Response',
          schema: {
            title: 'HaptikReply',
            type: 'object',
            required: ['status', 'response'],
            properties: {
              status: { description: 'true: success path; false: failure path', type: 'boolean' },
              response: { description: 'Messages shown to the user, in order; rich (HSL) messages as JSON strings', type: 'array', items: { type: 'string' } },
              conversation_details: details,
              user_details: details
            }
          }
        }
      }
    }
  })
  t.strictSame(paths['/'].post.responses, paths['/product_price'].post.responses, "the step route's reply schema")
})

t.test('Entities.Digits sent as a JSON number is refused on the dispatch route too, before validation turns it into text', async t => {
  const seen: unknown[] = []
  const otp = defineStep({ name: 'otp', entities: Type.Object({ code: Entities.Digits }), handler: ({ entities }) => { seen.push(entities.code); return 'ok' } })
  const app = await haptikApp(t, { steps: [otp], dispatch: true, invalidEntities: 'reject' })
  const refused = await signedPost(app, '/', envelope('otp', { code: [detection(4521)] }))
  t.same(refused.json(), {
    statusCode: 400,
    code: 'FST_HAPTIK_INVALID_ENTITY',
    error: 'Bad Request',
    message: 'Step "otp": entity "code" (detection 0) must be digits as text ("004521"), got a number: a JSON number has lost any leading zeros (declare Entities.Number for numbers)'
  })
  t.same((await signedPost(app, '/', envelope('otp', { code: [detection('004521')] }))).json(), { status: true, response: ['ok'] })
  t.same((await signedPost(app, '/otp', envelope('another_step', { code: [detection(4521)] }))).json().code, 'FST_HAPTIK_STEP_MISMATCH', 'on the step route, a call for another step is that first')
  const noEntities = { step: 'otp', event: 'API_INTEGRATION' }
  t.equal((await signedPost(app, '/otp', noEntities)).json().code, 'FST_HAPTIK_INVALID_ENVELOPE', 'no entities at all: the envelope is wrong')
  for (const entities of ['4521', null]) {
    t.equal((await signedPost(app, '/', { ...noEntities, entities })).json().code, 'FST_HAPTIK_INVALID_ENVELOPE', `entities ${JSON.stringify(entities)} on the dispatch route: the envelope is wrong`)
  }
  t.match((await signedPost(app, '/otp', envelope('otp', { code: 'not a list' as unknown as unknown[] }))).json().message, /entity "code" \(detection 0\): must be an object/, 'not a list: the validator says so')
  t.same(seen, ['004521'])
})
