import t, { type Test } from 'tap'
import Fastify from 'fastify'
import swagger from '@fastify/swagger'
import { Validator } from '@seriousme/openapi-schema-validator'
import { Type } from '@sinclair/typebox'
import fastifyHaptik, { SECURITY_SCHEME, defineStep, type AnyStep, type FastifyHaptikOptions } from '../lib/index.js'
import { flightSearch, nearestStore, productPrice } from '../example/steps.js'

interface Operation {
  security?: Array<Record<string, string[]>>
  requestBody: { content: { 'application/json': { schema: { allOf: Array<Record<string, unknown>> }, example: Record<string, unknown> } } }
  responses: Record<string, { description: string, content: { 'application/json': { schema: Record<string, unknown>, example?: Record<string, unknown> } } }>
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
  entities: Type.Object({ thing: Type.Object({ const: Type.String(), examples: Type.Optional(Type.Number()), maybe: Type.Union([Type.Null(), Type.String()]) }) }),
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

for (const version of ['3.0.3', '3.1.0']) {
  t.test(`OpenAPI ${version}: a valid document describing every step`, async t => {
    const doc = await documentOf(t, version)
    await validate(t, doc)
    t.same(Object.keys(doc.paths).sort(), ['/haptik/flight_search', '/haptik/hello', '/haptik/labels', '/haptik/nearest_store', '/haptik/order_status', '/haptik/product_price', '/haptik/tricky', '/other'])
    const thing = (doc.paths['/haptik/tricky'].post.requestBody.content['application/json'].schema.allOf[1].properties as { entities: { properties: { thing: { items: { allOf: Array<{ properties?: { entity_value: { properties: Record<string, unknown> } } }> } } } } }).entities.properties.thing.items.allOf[1].properties?.entity_value.properties
    t.same(Object.keys(thing ?? {}), ['const', 'examples', 'maybe'], 'property names are not read as keywords')
    if (version.startsWith('3.0')) t.match(thing?.maybe, { type: 'string', nullable: true }, 'null is nullable in 3.0')
    t.match(doc.paths['/haptik/labels'].post, { summary: 'Haptik step "labels"' }, 'a default summary')
    t.match(doc.paths['/haptik/labels'].post.requestBody.content['application/json'].example, { entities: { labels: [{ entity_value: 'labels', original_text: 'labels' }] } })
    t.same(doc.paths['/haptik/hello'].post.requestBody.content['application/json'].example.entities, {}, 'a step without entities')

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

    t.match(body.example, {
      step: 'order_status',
      event: 'API_INTEGRATION',
      entities: {
        order_id: [{ entity_value: 'AB1234' }],
        travel_date: [{ entity_value: { dd: 1, mm: 1, yy: 1 } }]
      }
    }, 'an example request built from the schema')
    t.notOk('colors' in (body.example.entities as object), 'optional entities are left out of the example')

    const ok = post.responses['200'].content['application/json']
    t.same((ok.schema.allOf as unknown[])[0], { $ref: '#/components/schemas/HaptikReply' })
    t.match(ok.example, { status: true, response: [String], conversation_details: { last_order: 'last order' } }, 'an example reply')
    for (const status of ['400', '401', '413', '415', '500']) {
      t.same(post.responses[status].content['application/json'].schema, { $ref: '#/components/schemas/HaptikError' }, `${status} is a HaptikError`)
      t.match(post.responses[status].description, /FST_HAPTIK_/, `${status} lists its codes`)
    }
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
  t.match(hook.requestBody.content['application/json'].example, { step: 'product_price', entities: { product_name: [{ entity_value: 'speaker' }] } })
  t.ok(hook.responses['200'].content['application/json'].schema)
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
