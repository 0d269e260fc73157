import { readFileSync } from 'node:fs'
import { Readable } from 'node:stream'
import t, { type Test } from 'tap'
import Fastify from 'fastify'
import swagger from '@fastify/swagger'
import { Validator } from '@seriousme/openapi-schema-validator'
import { Type } from '@sinclair/typebox'
import { STATUS_CODES } from 'node:http'
import { runInNewContext } from 'node:vm'
import fastifyHaptik, { exampleRequest, DEFAULT_FALLBACK_MESSAGE, defineStep, handoff, haptikSwaggerUiConfig, sign, type AnyStep, type FastifyHaptikOptions } from '../lib/index.js'
import { hsl } from '../lib/hsl/index.js'
import { flightSearch, nearestStore, productPrice } from '../example/steps.js'
import { DEFAULT_TIMEOUT } from '../lib/options.js'
import { type SwaggerUiRequest } from '../lib/openapi/swagger-ui.js'
import { SECURITY_SCHEME } from '../lib/openapi/components.js'
import { captureLogs } from './helpers/logs.js'

interface NamedExamples { [name: string]: { summary: string, value: Record<string, any> } }
interface Operation {
  description?: string
  security?: Array<Record<string, string[]>>
  requestBody: { content: { 'application/json': { schema: { allOf: Array<Record<string, unknown>> }, examples: NamedExamples } } }
  responses: Record<string, { description: string, content: { 'application/json': { schema: Record<string, unknown>, examples: NamedExamples } } }>
}
interface Document {
  openapi: string
  components: { schemas: Record<string, unknown>, securitySchemes?: Record<string, unknown> }
  paths: Record<string, { post: Operation }>
  webhooks?: Record<string, { post: Operation }>
}

const order = defineStep({
  name: 'order_status',
  summary: 'Order status',
  entities: Type.Object({
    order_id: Type.String({ pattern: '^[A-Z]{2}\\d{4}$', examples: ['AB1234'] }),
    colors: Type.Optional(Type.Array(Type.String())),
    travel_date: Type.Object({ dd: Type.Integer(), mm: Type.Integer(), yy: Type.Integer() })
  }),
  conversationDetails: Type.Object({ last_order: Type.String() }),
  userDetails: Type.Record(Type.String(), Type.String()),
  handler: () => 'ok'
})

const labels = defineStep({ name: 'labels', entities: Type.Object({ labels: Type.Array(Type.String(), { maxItems: 5 }) }), handler: () => 'ok' })
// Keyword-like property names, nullable values and catalog types must survive the 3.0 conversion.
const tricky = defineStep({
  name: 'tricky',
  entities: Type.Object({ thing: Type.Object({ const: Type.String(), examples: Type.Optional(Type.Number()), maybe: Type.Union([Type.Null(), Type.String()]), sizes: Type.Optional(Type.Array(Type.Union([Type.Literal('S'), Type.Literal('M')]))) }) }),
  conversationDetails: Type.Object({ note: Type.Union([Type.Null(), Type.String(), Type.Number()]) }),
  handler: () => 'ok'
})
const hello = defineStep({ name: 'hello', handler: () => 'hi' })

async function documentOf (t: Test, version: string, options: Partial<FastifyHaptikOptions> = {}, steps: AnyStep[] = [productPrice, nearestStore, order, labels, hello, flightSearch, tricky]) {
  const app = Fastify()
  t.teardown(() => app.close())
  await app.register(swagger, { openapi: { openapi: version, info: { title: 'docs test', version: '1.0.0' } } })
  await app.register(fastifyHaptik, { prefix: '/haptik', secret: 'docs', steps, ...options })
  app.get('/other', { schema: { response: { 200: { type: 'object', properties: { ok: { type: 'boolean' } } } } } }, async () => ({ ok: true }))
  await app.ready()
  return app.swagger() as unknown as Document
}

async function validate (t: Test, document: unknown) {
  const result = await new Validator().validate(JSON.parse(JSON.stringify(document)))
  t.same(result.errors ?? [], [], 'no validation errors')
  t.ok(result.valid, 'the document validates')
}

/** Each code the description lists has an example with that code, the response's status and its message. */
function checkErrorExamples (t: Test, status: string, response: Operation['responses'][string]) {
  const codes = response.description.split(': ')[1].split(', ')
  t.match(codes, [/^FST_HAPTIK_/], `${status} lists its codes`)
  const { examples } = response.content['application/json']
  t.same(Object.keys(examples), codes, `${status} has an example per code`)
  for (const code of codes) {
    t.match(examples[code], { summary: code, value: { statusCode: Number(status), code, error: STATUS_CODES[Number(status)], message: /\S/ } }, `${status} ${code}`)
  }
}

for (const version of ['3.0.3', '3.1.0']) {
  t.test(`OpenAPI ${version}: a valid document describing every step`, async t => {
    const doc = await documentOf(t, version)
    await validate(t, doc)
    t.same(Object.keys(doc.paths).sort(), ['/haptik/flight_search', '/haptik/hello', '/haptik/labels', '/haptik/nearest_store', '/haptik/order_status', '/haptik/product_price', '/haptik/tricky', '/other'])
    const thing = (doc.paths['/haptik/tricky'].post.requestBody.content['application/json'].schema.allOf[1].properties as { entities: { properties: { thing: { items: { allOf: Array<{ properties?: { entity_value: { properties: Record<string, unknown> } } }> } } } } }).entities.properties.thing.items.allOf[1].properties?.entity_value.properties
    t.same(Object.keys(thing ?? {}), ['const', 'examples', 'maybe', 'sizes'], 'property names are not read as keywords')
    t.same(thing?.sizes, { type: 'array', items: { type: 'string', enum: ['S', 'M'] } }, 'a union of literals is one enum, wherever it is')
    if (version.startsWith('3.0')) t.match(thing?.maybe, { type: 'string', nullable: true }, 'null is nullable in 3.0')
    t.match(doc.paths['/haptik/labels'].post, { summary: 'Haptik step "labels"' }, 'a default summary')
    t.match(doc.paths['/haptik/labels'].post.requestBody.content['application/json'].examples.example1.value, { entities: { labels: [{ entity_value: 'labels', original_text: 'labels' }] } })
    t.same(doc.paths['/haptik/hello'].post.requestBody.content['application/json'].examples.example1.value.entities, {}, 'a step without entities')

    const text = JSON.stringify(doc)
    t.same(Object.keys(doc.components.schemas).sort(), [
      'HaptikDetection', 'HaptikError', 'HaptikReply', 'HaptikRequest', 'HaptikUser',
      'HslActionable', 'HslButton', 'HslCarousel', 'HslCarouselItem', 'HslForm', 'HslFormField', 'HslMessage', 'HslNativeAction',
      'HslOther', 'HslQuickReply', 'HslSilent', 'HslSilentAction', 'HslSystem', 'HslText'
    ], 'shared parts are named components, each HSL type and part too')
    const hslTypes = ['HslText', 'HslButton', 'HslCarousel', 'HslForm', 'HslSystem', 'HslSilent', 'HslNativeAction', 'HslOther']
    t.same(doc.components.schemas.HslMessage, {
      anyOf: hslTypes.map(name => ({ $ref: `#/components/schemas/${name}` })),
      description: 'A rich message in Haptik Standard Language (HSL), of one of these types'
    })
    t.match(doc.components.schemas.HslForm, { required: ['title', 'type', 'subtitle', 'data'], properties: { data: { properties: { fields: { items: { $ref: '#/components/schemas/HslFormField' } } } } } })
    t.match(doc.components.schemas.HslCarouselItem, { properties: { mini_actionable: { $ref: '#/components/schemas/HslActionable' } } })
    t.match(doc.components.schemas.HslFormField, { properties: { type: { anyOf: [{ type: 'string' }] } } }, 'field types are listed')
    t.equal(text.split('"actionable_text":{').length - 1, 2, 'the actionable and quick reply schemas appear once each')
    t.equal(text.split('"original_text":{').length - 1, 1, 'the detection schema appears once')
    t.equal(text.split('"auth_code":{').length - 1, 1, 'the user schema appears once')

    t.match(doc.components.securitySchemes?.[SECURITY_SCHEME], { type: 'apiKey', in: 'header', name: 'X-Hub-Signature' })
    const post = doc.paths['/haptik/order_status'].post
    t.same(post.security, [{ [SECURITY_SCHEME]: [] }], 'the signature scheme applies to step routes')
    t.notOk((doc.paths['/other'] as unknown as { get: Operation }).get.security, 'and not to other routes')

    const body = post.requestBody.content['application/json']
    t.same(body.schema.allOf[0], { $ref: '#/components/schemas/HaptikRequest' })
    const entities = (body.schema.allOf[1].properties as { entities: { required: string[], properties: Record<string, { items: { allOf: Array<{ properties?: { entity_value: unknown } }> } }> } }).entities
    t.same(entities.required, ['order_id', 'travel_date'])
    t.match(entities.properties.order_id.items.allOf[1].properties?.entity_value, { anyOf: [{ type: 'string', pattern: '^[A-Z]{2}\\d{4}$' }, { type: 'object' }] }, 'the typed entity value')
    t.match(entities.properties.travel_date.items.allOf[1].properties?.entity_value, { type: 'object', required: ['dd', 'mm', 'yy'] })
    const productEntities = doc.paths['/haptik/product_price'].post.requestBody.content['application/json'].schema.allOf[1].properties as { entities: typeof entities }
    t.match(productEntities.entities.properties.product_name.items.allOf[1].properties?.entity_value, {
      description: 'The product the user picked: alone, or as { "value": … }',
      anyOf: [{ type: 'string', enum: ['speaker', 'powerbank'] }, { type: 'object', properties: { value: { type: 'string', enum: ['speaker', 'powerbank'] } } }]
    }, 'a scalar entity says what it holds, and its literals are one list')

    t.match(body.examples.example1.value, {
      step: 'order_status',
      event: 'API_INTEGRATION',
      entities: {
        order_id: [{ entity_value: 'AB1234' }],
        travel_date: [{ entity_value: { dd: 1, mm: 1, yy: 1 } }]
      }
    }, 'an example request built from the schema')
    t.notOk('colors' in body.examples.example1.value.entities, 'optional entities are left out of the example')

    const ok = post.responses['200'].content['application/json']
    t.same((ok.schema.allOf as unknown[])[0], { $ref: '#/components/schemas/HaptikReply' })
    t.match(ok.examples.example1.value, { status: true, response: [String], conversation_details: { last_order: 'last order' } }, 'a reply built from the schemas')
    t.same(ok.examples.failure.value, { status: false, response: [DEFAULT_FALLBACK_MESSAGE] }, 'the failure path answers 200 with the fallback message')
    t.match(ok.examples.failure.summary, `${DEFAULT_TIMEOUT} ms`)
    for (const status of ['400', '401', '413', '415', '500']) {
      t.same(post.responses[status].content['application/json'].schema, { $ref: '#/components/schemas/HaptikError' }, `${status} is a HaptikError`)
      checkErrorExamples(t, status, post.responses[status])
    }
    t.notOk(post.responses['400'].content['application/json'].examples.FST_HAPTIK_INVALID_ENTITY, 'invalid entities take the failure path by default: no 400 for them')
    t.notMatch(post.responses['400'].description, 'FST_HAPTIK_INVALID_ENTITY')
    t.match(post.responses['413'].content['application/json'].examples.FST_HAPTIK_BODY_TOO_LARGE.value.message, '131072 bytes')
    t.match(post.description, /X-Hub-Signature: sha1=<hex>.*HMAC-SHA1 of the exact request body/, 'the route explains the signature')
    t.match(post.description, /Authorize.*step secret/, 'and how to try it out')
    t.match(doc.paths['/haptik/product_price'].post.description, /^Haptik's sample step: answers with the price of the product the user picked\.\n\nHaptik signs every call/, 'after the step\'s own description')
    t.match(post.responses['401'].description, 'FST_HAPTIK_INVALID_SIGNATURE')
    t.notMatch(post.responses['401'].description, 'FST_HAPTIK_SECRET_NOT_FOUND', 'no secret function: that code cannot happen')
    t.notMatch(post.responses['400'].description, 'FST_HAPTIK_UNKNOWN_STEP', 'nor this one, on a step route')
    t.notOk(doc.webhooks, 'no webhooks unless asked')
    const items = (doc.components.schemas.HaptikReply as { properties: { response: { items: { anyOf?: Array<{ contentSchema?: unknown }>, description: string } } } }).properties.response.items
    t.match(items.description, 'HslMessage', 'rich messages are described')
    if (version.startsWith('3.1')) t.same(items.anyOf?.[1].contentSchema, { $ref: '#/components/schemas/HslMessage' }, '3.1 says the string holds an HslMessage')
  })
}

t.test('OpenAPI 3.1 webhooks describe what Haptik sends, per step', async t => {
  const doc = await documentOf(t, '3.1.0', { openapi: { webhooks: true } })
  await validate(t, doc)
  t.same(Object.keys(doc.webhooks ?? {}).sort(), ['flight_search', 'hello', 'labels', 'nearest_store', 'order_status', 'product_price', 'tricky'])
  t.match(doc.webhooks?.hello.post, { description: 'What Haptik sends when the bot reaches step "hello".' })
  const hook = doc.webhooks?.product_price.post as Operation
  t.same(hook.security, [{ [SECURITY_SCHEME]: [] }])
  t.match(hook.requestBody.content['application/json'].examples.example1.value, { step: 'product_price', entities: { product_name: [{ entity_value: 'speaker' }] } })
  t.match(hook.description, 'HMAC-SHA1', 'the webhook explains the signature')
  t.notMatch(hook.description, 'Authorize', 'but not the docs page\'s Try it out')
  const [ok, routeOk] = [hook.responses['200'], doc.paths['/haptik/product_price'].post.responses['200']]
  t.equal(ok.description, routeOk.description, "the step route's 200")
  t.same(ok.content['application/json'].examples, routeOk.content['application/json'].examples, "with the step route's examples")
  // The reply schema, with the step's details (as TypeBox writes a Record: @fastify/swagger converts only the routes' own).
  t.same(JSON.parse(JSON.stringify(ok.content['application/json'].schema)), {
    allOf: [{ $ref: '#/components/schemas/HaptikReply' }, {
      type: 'object',
      properties: {
        conversation_details: { type: 'object', patternProperties: { '^(.*)$': {} } },
        user_details: { type: 'object', patternProperties: { '^(.*)$': { type: 'string' } } }
      }
    }]
  })
  t.same(hook.responses['200'].content['application/json'].examples.example1.value, { status: true, response: ['The Wireless Radio Alarm Clock Speaker can be yours only for Rs.1599'] })
})

t.test('webhooks are left out of OpenAPI 3.0, which has no such section', async t => {
  const doc = await documentOf(t, '3.0.3', { openapi: { webhooks: true } })
  await validate(t, doc)
  t.notOk(doc.webhooks)
})

t.test('an unsigned step has no security requirement and no 401', async t => {
  const doc = await documentOf(t, '3.0.3', { secret: undefined, allowUnsigned: true }, [productPrice])
  await validate(t, doc)
  const post = doc.paths['/haptik/product_price'].post
  t.notOk(post.security)
  t.notOk(post.responses['401'])
  t.notOk(doc.components.securitySchemes?.[SECURITY_SCHEME])
})

t.test('Swagger 2.0 documents get the inline schemas (2.0 has no anyOf: not validated)', async t => {
  const app = Fastify()
  t.teardown(() => app.close())
  await app.register(swagger, { swagger: { info: { title: 'v2', version: '1.0.0' } } })
  await app.register(fastifyHaptik, { secret: 'docs', steps: [productPrice] })
  await app.ready()
  const doc = app.swagger() as unknown as { paths: Record<string, { post: { parameters: Array<{ in: string, schema: { title?: string } }> } }> }
  t.equal(doc.paths['/product_price'].post.parameters[0].schema.title, 'HaptikRequest')
})

t.test('YAML output works too', async t => {
  const app = Fastify()
  t.teardown(() => app.close())
  await app.register(swagger, { openapi: { info: { title: 'yaml', version: '1.0.0' } } })
  await app.register(fastifyHaptik, { secret: 'docs', steps: [order] })
  await app.ready()
  const yaml = app.swagger({ yaml: true })
  t.match(yaml, /HaptikDetection:/)
  t.match(yaml, /\/order_status:/)
})

t.test('a bad openapi option fails registration', async t => {
  const app = Fastify()
  t.teardown(() => app.close())
  await t.rejects(async () => {
    await app.register(fastifyHaptik, { secret: 'x', steps: [productPrice], openapi: { webhooks: 'yes' as unknown as boolean } })
  }, /openapi must be an object like \{ webhooks: true \}/)
  const again = Fastify()
  t.teardown(() => again.close())
  await t.rejects(async () => {
    await again.register(fastifyHaptik, { secret: 'x', steps: [productPrice], openapi: null as unknown as object })
  }, /openapi must be an object/)
})

t.test('a step\'s examples become its request and reply examples, next to the failure path', async t => {
  const doc = await documentOf(t, '3.0.3', { fallbackMessage: 'Our shop is busy, try again.', invalidEntityMessage: { default: 'Which product?', hi: 'कौन सा उत्पाद?' }, timeout: 3000 }, [productPrice, nearestStore])
  await validate(t, doc)
  const price = doc.paths['/haptik/product_price'].post
  const requests = price.requestBody.content['application/json'].examples
  t.same(Object.keys(requests), ['example1', 'example2'])
  t.equal(requests.example2.summary, 'The powerbank')
  t.same(requests.example2.value.entities, { product_name: [{ detection: 'message', original_text: 'powerbank', entity_value: 'powerbank' }] })
  t.same(price.responses['200'].content['application/json'].examples, {
    example1: { summary: 'The speaker', value: { status: true, response: ['The Wireless Radio Alarm Clock Speaker can be yours only for Rs.1599'] } },
    example2: { summary: 'The powerbank', value: { status: true, response: ['The Ambrane Powerbank can be yours only for Rs.1799'] } },
    failure: {
      summary: 'Failure path: the handler threw or took over 3000 ms (status false, the fallback message)',
      value: { status: false, response: ['Our shop is busy, try again.'] }
    },
    invalidEntity: {
      summary: "Failure path: the user's entities do not match the step's schema (status false, the invalid-entity message)",
      value: { status: false, response: ['Which product?'] }
    }
  })
  const store = doc.paths['/haptik/nearest_store'].post
  t.match(store.requestBody.content['application/json'].examples.example1.value.entities, { city: [{ original_text: 'Mumbai', entity_value: { value: 'Mumbai', to: true } }] }, 'an object value is named by its value')
  t.same(store.responses['200'].content['application/json'].examples.example1.value, {
    status: true,
    response: ['Our Mumbai store is at 12 Linking Road, Bandra West. Call +91 22 5555 0101.'],
    user_details: { preferred_city: 'Mumbai' }
  }, 'a reply object is shown as it goes out')
  t.same(store.responses['200'].content['application/json'].examples.example2.value, { status: false, response: ['We have no store in Leh yet. We deliver there, though!'] })
})

t.test('example replies go out as Haptik gets them; examples without entities or summary get built ones', async t => {
  const menu = defineStep({
    name: 'menu',
    entities: Type.Object({ tags: Type.Array(Type.String()), size: Type.Optional(Type.Number()) }),
    conversationDetails: Type.Object({ step: Type.String() }),
    examples: [
      { reply: [hsl.text('Pick one', { quickReplies: [hsl.quickReply('Tea')] })] },
      { summary: 'Two tags', entities: { tags: ['hot', 'sweet'], size: 2 }, reply: { response: ['Here you go'], conversation_details: { step: 'menu' } } }
    ],
    handler: () => 'ok'
  })
  const member = defineStep({ name: 'member', userDetails: Type.Object({ tier: Type.String() }), handler: () => ({ response: 'ok', user_details: { tier: 'gold' } }) })
  const doc = await documentOf(t, '3.1.0', { bodyLimit: 4096 }, [menu, member])
  await validate(t, doc)
  t.same(doc.paths['/haptik/member'].post.responses['200'].content['application/json'].examples.example1, {
    summary: 'Generated from the schemas: the shape of a reply, not one the step gives (give the step examples to show real ones)',
    value: { status: true, response: ['(generated: a message of step member)'], user_details: { tier: 'tier' } }
  }, 'no examples: the shape, with the declared details, marked as generated')
  const post = doc.paths['/haptik/menu'].post
  const requests = post.requestBody.content['application/json'].examples
  t.equal(requests.example1.summary, 'A call of step "menu"')
  t.same(requests.example1.value.entities, { tags: [{ detection: 'message', original_text: 'tags', entity_value: 'tags' }] }, 'no entities given: built from the schemas')
  t.same(requests.example2.value.entities, {
    tags: [{ detection: 'message', original_text: 'hot', entity_value: 'hot' }, { detection: 'message', original_text: 'sweet', entity_value: 'sweet' }],
    size: [{ detection: 'message', original_text: '2', entity_value: 2 }]
  }, 'an array entity: one detection per value')
  const replies = post.responses['200'].content['application/json'].examples
  t.same(replies.example1.value, { status: true, response: [JSON.stringify(hsl.text('Pick one', { quickReplies: [hsl.quickReply('Tea')] }))] }, 'HSL as a JSON string')
  t.same(replies.example2.value, { status: true, response: ['Here you go'], conversation_details: { step: 'menu' } })
  t.match(post.responses['413'].content['application/json'].examples.FST_HAPTIK_BODY_TOO_LARGE.value.message, 'Request body is larger than 4096 bytes')
})

t.test('bad examples fail when the step is defined', async t => {
  const define = (examples: unknown) => () => defineStep({ name: 'bad', examples: examples as [], handler: () => 'ok' })
  t.throws(define('speaker'), { code: 'FST_HAPTIK_INVALID_OPTION', message: 'fastify-haptik: step "bad": examples must be a list of { summary?, entities?, reply }' })
  t.throws(define([null]), { message: 'fastify-haptik: step "bad": examples[0] must be an object with a reply' })
  t.throws(define([{ entities: {} }]), { message: 'fastify-haptik: step "bad": examples[0] must be an object with a reply' })
  t.throws(define([{ reply: 'ok', summary: 7 }]), { message: 'fastify-haptik: step "bad": examples[0].summary must be a string' })
  t.throws(define([{ reply: 'ok' }, { reply: 'ok', entities: ['speaker'] }]), { message: 'fastify-haptik: step "bad": examples[1].entities must be an object of entity values' })
  t.throws(define([{ reply: 42 }]), { message: /^fastify-haptik: step "bad": examples\[0\]\.reply is not a reply: .*expected a string, a list of messages or \{ response \}, got number$/ })
})

for (const version of ['3.0.3', '3.1.0']) {
  t.test(`OpenAPI ${version}: the dispatch route shows each step's examples and its own errors`, async t => {
    const tenantSecret = async () => 'docs'
    const doc = await documentOf(t, version, { dispatch: true, secret: tenantSecret }, [productPrice, hello])
    await validate(t, doc)
    const post = doc.paths['/haptik/'].post
    const requests = post.requestBody.content['application/json'].examples
    t.same(Object.keys(requests), ['product_price', 'hello'], 'a request per step')
    t.match(requests.product_price, { summary: 'Step "product_price": The speaker', value: { step: 'product_price' } })
    const replies = post.responses['200'].content['application/json'].examples
    t.same(Object.keys(replies), ['product_price', 'product_price_failure', 'hello', 'hello_failure'])
    t.same(replies.product_price.value, { status: true, response: ['The Wireless Radio Alarm Clock Speaker can be yours only for Rs.1599'] })
    t.same(replies.hello_failure.value, { status: false, response: [DEFAULT_FALLBACK_MESSAGE] })
    t.match(replies.hello_failure.summary, /^Step "hello": Failure path/)
    for (const status of ['400', '401', '413', '415', '500']) checkErrorExamples(t, status, post.responses[status])
    const bad = post.responses['400'].content['application/json'].examples
    t.equal(bad.FST_HAPTIK_UNKNOWN_STEP.value.message, 'Dispatch route: no step "another_step" is served here; known steps: "product_price", "hello"')
    t.notOk(bad.FST_HAPTIK_INVALID_ENTITY, 'the failure path, by default')
    t.notOk(bad.FST_HAPTIK_STEP_MISMATCH, 'the dispatch route never answers STEP_MISMATCH')
    t.equal(post.responses['401'].content['application/json'].examples.FST_HAPTIK_SECRET_NOT_FOUND.value.message, 'Dispatch route: no secret is configured for this request')
    t.match(post.description, 'Try it out')
    const step = doc.paths['/haptik/hello'].post.responses['400'].content['application/json'].examples
    t.equal(step.FST_HAPTIK_STEP_MISMATCH.value.message, 'This URL serves step "hello" but the request is for step "another_step": check the step\'s integration URL in the bot builder')
  })
}

t.test('every documented error example is what the route really answers', async t => {
  const app = Fastify()
  t.teardown(() => app.close())
  await app.register(swagger, { openapi: { openapi: '3.1.0', info: { title: 'docs test', version: '1.0.0' } } })
  const secret = async (request: { headers: Record<string, unknown> }) => request.headers['x-tenant'] === 'gone'
    ? undefined
    : request.headers['x-tenant'] === 'slow' ? await new Promise<string>(resolve => setTimeout(resolve, 1000, 'docs')) : 'docs'
  await app.register(fastifyHaptik, {
    prefix: '/haptik', secret, steps: [order, productPrice], invalidEntities: 'reject', dispatch: true, bodyLimit: 2048, bodyTimeout: 200, secretTimeout: 200, secretConcurrency: 1
  })
  await app.ready()
  const doc = app.swagger() as unknown as Document
  const entities = { order_id: [{ entity_value: 'AB1234' }], travel_date: [{ entity_value: { dd: 1, mm: 12, yy: 2026 } }], product_name: [{ entity_value: 'speaker' }] }
  const valid = (step: string) => JSON.stringify({ step, entities })
  const signed = (body: string, headers: Record<string, string> = {}) => ({ headers: { 'content-type': 'application/json', 'x-hub-signature': sign(body, 'docs'), ...headers }, payload: body })
  // For each code, a request that gets it from the route: [path, step] → inject options.
  /** A body that arrives in two halves, 500 ms apart. */
  const slowly = (body: string) => Readable.from((async function * () {
    yield body.slice(0, 10)
    await new Promise(resolve => setTimeout(resolve, 500))
    yield body.slice(10)
  })())
  const requests: Record<string, (step: string) => { headers: Record<string, string>, payload: string | Readable }> = {
    FST_HAPTIK_INVALID_JSON: () => signed('{"step": '),
    FST_HAPTIK_INVALID_ENVELOPE: step => signed(step === 'dispatch' ? '[]' : JSON.stringify({ step })),
    FST_HAPTIK_INVALID_ENTITY: step => signed(JSON.stringify({ step, entities: { ...entities, order_id: [{ entity_value: { nope: true } }] } })),
    FST_HAPTIK_STEP_MISMATCH: () => signed(valid('another_step')),
    FST_HAPTIK_UNKNOWN_STEP: () => signed(valid('another_step')),
    FST_HAPTIK_MISSING_SIGNATURE: step => ({ headers: { 'content-type': 'application/json' }, payload: valid(step) }),
    FST_HAPTIK_MALFORMED_SIGNATURE: step => ({ headers: { 'content-type': 'application/json', 'x-hub-signature': 'sha1=abc' }, payload: valid(step) }),
    FST_HAPTIK_INVALID_SIGNATURE: step => ({ headers: { 'content-type': 'application/json', 'x-hub-signature': sign(valid(step), 'not-docs') }, payload: valid(step) }),
    FST_HAPTIK_SECRET_NOT_FOUND: step => signed(valid(step), { 'x-tenant': 'gone' }),
    FST_HAPTIK_BODY_TOO_LARGE: step => signed(JSON.stringify({ step, entities: {}, padding: 'x'.repeat(4096) })),
    FST_HAPTIK_UNSUPPORTED_MEDIA_TYPE: step => ({ ...signed(valid(step)), headers: { ...signed(valid(step)).headers, 'content-type': 'text/plain' } }),
    FST_HAPTIK_BODY_TIMEOUT: step => ({ ...signed(valid(step), { 'transfer-encoding': 'chunked' }), payload: slowly(valid(step)) }),
    FST_HAPTIK_SECRET_TIMEOUT: step => signed(valid(step), { 'x-tenant': 'slow' }),
    // While the one lookup allowed is taken by a slow call (see below).
    FST_HAPTIK_SECRET_BUSY: step => signed(valid(step))
  }
  // Not made by a request here: a lying Content-Length needs a raw socket (test/robustness/bad-input.test.ts), and INTERNAL a broken server.
  const elsewhere = new Set(['FST_HAPTIK_INVALID_CONTENT_LENGTH', 'FST_HAPTIK_INTERNAL'])
  const checked = new Set<string>()
  for (const path of ['/haptik/order_status', '/haptik/']) {
    for (const response of Object.values(doc.paths[path].post.responses)) {
      for (const [code, example] of Object.entries(response.content['application/json'].examples)) {
        if (!code.startsWith('FST_HAPTIK_') || elsewhere.has(code)) continue
        const request = requests[code](path === '/haptik/' && code === 'FST_HAPTIK_INVALID_ENVELOPE' ? 'dispatch' : 'order_status')
        // secretConcurrency is 1: a slow call holds the lookup (until its own deadline) while this one is made.
        const holding = code === 'FST_HAPTIK_SECRET_BUSY' ? app.inject({ method: 'POST', url: path, ...requests.FST_HAPTIK_SECRET_TIMEOUT('order_status') }) : undefined
        if (holding !== undefined) await new Promise(resolve => setTimeout(resolve, 50))
        const res = await app.inject({ method: 'POST', url: path, ...request })
        await holding
        t.same(res.json(), example.value, `${path} ${code}`)
        checked.add(code)
      }
    }
  }
  t.same([...checked].sort(), Object.keys(requests).sort(), 'every code was documented on one of the routes, and checked')
})

t.test('an unsigned route says nothing of signatures', async t => {
  const doc = await documentOf(t, '3.1.0', { secret: undefined, allowUnsigned: true, dispatch: true, openapi: { webhooks: true } }, [hello])
  await validate(t, doc)
  t.notOk(doc.paths['/haptik/hello'].post.description, 'no description at all')
  t.notMatch(doc.paths['/haptik/'].post.description, 'HMAC')
  t.equal(doc.webhooks?.hello.post.description, 'What Haptik sends when the bot reaches step "hello".')
})

t.test('haptikSwaggerUiConfig: the interceptor signs the exact body with the secret entered under Authorize', async t => {
  const config = haptikSwaggerUiConfig()
  t.match(config, { showMutatedRequest: true, defaultModelExpandDepth: 8 })
  // The page gets the interceptor as source text: run that text where only the browser's globals are.
  const pageCopy = (globals: object) => runInNewContext(`(${String(config.requestInterceptor)})`, globals) as typeof config.requestInterceptor
  const intercept = pageCopy({ crypto: globalThis.crypto, TextEncoder })
  const body = JSON.stringify({ step: 'product_price', note: 'Zoë wants the speaker' })
  const signed = await intercept({ url: '/haptik/product_price', method: 'POST', headers: { 'content-type': 'application/json', 'x-hub-signature': 'tést-secret' }, body })
  t.same(signed.headers, { 'content-type': 'application/json', 'X-Hub-Signature': sign(body, 'tést-secret') }, 'HMAC-SHA1 of the UTF-8 bytes, under the UTF-8 secret')
  t.notMatch(JSON.stringify(signed), 'tést-secret', 'the secret is not in the request that goes out')
  t.equal(signed.body, body, 'the body is sent as it was signed')

  const app = Fastify()
  t.teardown(() => app.close())
  await app.register(fastifyHaptik, { prefix: '/haptik', secret: 'test', steps: [productPrice] })
  const call = { url: '/haptik/product_price', method: 'POST', headers: { 'Content-Type': 'application/json', 'X-Hub-Signature': 'test' }, body: JSON.stringify(exampleRequest(productPrice)) }
  const sent = await config.requestInterceptor(call)
  const response = await app.inject({ method: 'POST', url: '/haptik/product_price', headers: sent.headers ?? {}, payload: sent.body as string })
  t.equal(response.statusCode, 200, 'the plugin accepts what the page signs')

  const specFetch: SwaggerUiRequest = { url: '/documentation/json', headers: { Accept: 'application/json' } }
  t.equal(await intercept(specFetch), specFetch, 'a request without the header goes out untouched')
  t.same((await intercept({ headers: { 'X-Hub-Signature': 'test' } })).headers, { 'X-Hub-Signature': sign('', 'test') }, 'no body: the empty body is signed')
  await t.rejects(intercept({ headers: { 'X-Hub-Signature': '' }, body }), { message: 'Enter the step secret under Authorize' })
  await t.rejects(intercept({ headers: { 'X-Hub-Signature': 'test' }, body: { step: 'x' } }), { message: 'Only a JSON text body can be signed' })
  await t.rejects(pageCopy({ TextEncoder })({ headers: { 'X-Hub-Signature': 'test' }, body }), { message: /secure pages: open the docs over https or on localhost/ }, 'no WebCrypto off secure pages')
})

t.test('@fastify/swagger registered after the plugin documents no step: a warning at start says to register it first', async t => {
  const start = async (swaggerFirst: boolean | undefined) => {
    const { logger, lines } = captureLogs<{ level: number, msg: string }>('warn')
    const app = Fastify({ requestTimeout: 30_000, logger })
    t.teardown(() => app.close())
    const docs = async () => { await app.register(swagger, { openapi: { openapi: '3.1.0', info: { title: 'order test', version: '1.0.0' } } }) }
    if (swaggerFirst === true) await docs()
    await app.register(fastifyHaptik, { prefix: '/haptik', secret: 'docs', steps: [hello] })
    if (swaggerFirst === false) await docs()
    await app.ready()
    const paths = swaggerFirst === undefined ? undefined : Object.keys((app.swagger() as unknown as Document).paths ?? {})
    return { warnings: lines.filter(line => /register @fastify\/swagger first/.test(line.msg)), paths }
  }
  const late = await start(false)
  t.same(late.paths, [], 'the document has no step')
  t.same(late.warnings.map(line => [line.level, line.msg]), [[40, 'fastify-haptik: @fastify/swagger was registered after fastify-haptik, so its document has none of the step routes; register @fastify/swagger first (docs/openapi.md)']])
  const first = await start(true)
  t.same(first.paths, ['/haptik/hello'])
  t.same(first.warnings, [], 'no warning in the right order')
  t.same((await start(undefined)).warnings, [], 'nor without @fastify/swagger')
})

t.test('a step that hands over documents the hand-over, not a generated answer; onFailure handoff documents its failure path so', async t => {
  const agent = defineStep({ name: 'talk_to_agent', handsOver: true, handler: () => handoff({ reason: 'asked for a human' }) })
  const risky = defineStep({ name: 'risky', onFailure: 'handoff', handler: () => 'ok' })
  const doc = await documentOf(t, '3.1.0', {}, [agent, risky])
  await validate(t, doc)
  const examples = (path: string) => doc.paths[path].post.responses['200'].content['application/json'].examples
  t.same(examples('/haptik/talk_to_agent').example1, {
    summary: 'A hand-over to an agent (generated: the step declares handsOver; status false, no messages)',
    value: { status: false, response: [] }
  })
  t.same(examples('/haptik/risky').failure, {
    summary: "Failure path: the handler threw or took over 10000 ms, and the chat is handed over to an agent (onFailure: 'handoff')",
    value: { status: false, response: [] }
  })
  t.throws(() => defineStep({ name: 'x', handsOver: 'yes' as unknown as boolean, handler: () => 'x' }), { code: 'FST_HAPTIK_INVALID_OPTION', message: 'fastify-haptik: step "x": handsOver must be a boolean' })
})

/** A value filled in for each of the docs' `<PLACEHOLDER>`s, every other value as the docs give it, no key more or less. */
function sameBesidePlaceholders (t: Test, value: unknown, docs: unknown, path: string): void {
  if (typeof docs === 'string' && /^<[A-Z_]+>$/.test(docs)) {
    t.ok(value !== undefined && !/^<[A-Z_]+>$/.test(String(value)), `${path}: filled in`)
  } else if (typeof docs === 'object' && docs !== null) {
    t.same(Object.keys(value as object), Object.keys(docs), `${path}: the docs' keys`)
    for (const key of Object.keys(docs)) sameBesidePlaceholders(t, (value as Record<string, unknown>)[key], (docs as Record<string, unknown>)[key], `${path}.${key}`)
  } else {
    t.equal(value, docs, path)
  }
}

t.test("the webhook route's request example is the docs' message event, which the route handles as it is", async t => {
  const docsEvent = JSON.parse(readFileSync(new URL('./fixtures/webhooks/message.json', import.meta.url), 'utf8'))
  for (const version of ['3.0.3', '3.1.0']) {
    const handled: unknown[] = []
    const app = Fastify({ requestTimeout: 15_000 })
    t.teardown(() => app.close())
    await app.register(swagger, { openapi: { openapi: version, info: { title: 'docs test', version: '1.0.0' } } })
    await app.register(fastifyHaptik, { prefix: '/haptik', secret: 'docs', steps: [], webhooks: { on: { message: event => { handled.push(event) } } } })
    await app.ready()
    const document = app.swagger() as unknown as Document
    await validate(t, document)
    const { examples } = document.paths['/haptik/webhook'].post.requestBody.content['application/json']
    t.same(Object.keys(examples), ['message'], `${version}: one example`)
    sameBesidePlaceholders(t, examples.message.value, docsEvent, 'example')
    // "Try it out": the example, signed, as it is.
    const payload = JSON.stringify(examples.message.value)
    const response = await app.inject({ method: 'POST', url: '/haptik/webhook', payload, headers: { 'content-type': 'application/json', 'x-hub-signature': sign(payload, 'docs') } })
    t.same(response.json(), { status: 'handled' }, `${version}: handled`)
    t.same(handled, [examples.message.value])
  }
})
