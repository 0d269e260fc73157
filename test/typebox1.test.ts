// A step whose schemas come from `typebox` 1.x (what @fastify/type-provider-typebox
// 6 uses) works exactly as the same step written with @sinclair/typebox 0.34:
// the same entity values, the same errors, the same documentation.
import t, { type Test } from 'tap'
import Fastify from 'fastify'
import swagger from '@fastify/swagger'
import { Type as Type034 } from '@sinclair/typebox'
import { Type as Type1 } from 'typebox'
import fastifyHaptik, { defineStep, Entities, type AnyStep, type StepContext } from '../lib/index.js'
import { detection, envelope, haptikApp, signedPost } from './helpers/haptik.js'

const with034 = Type034.Object({
  order_id: Type034.String({ pattern: '^[A-Z]{2}\\d{4}$' }),
  kind: Type034.Union([Type034.Literal('retail'), Type034.Literal('bulk')]),
  quantity: Type034.Optional(Type034.Integer({ minimum: 1 })),
  colors: Type034.Optional(Type034.Array(Type034.String(), { maxItems: 3 })),
  express: Type034.Optional(Type034.Boolean()),
  city: Type034.Optional(Entities.City),
  dates: Type034.Optional(Type034.Array(Entities.Date))
})

const with1 = Type1.Object({
  order_id: Type1.String({ pattern: '^[A-Z]{2}\\d{4}$' }),
  kind: Type1.Union([Type1.Literal('retail'), Type1.Literal('bulk')]),
  quantity: Type1.Optional(Type1.Integer({ minimum: 1 })),
  colors: Type1.Optional(Type1.Array(Type1.String(), { maxItems: 3 })),
  express: Type1.Optional(Type1.Boolean()),
  city: Type1.Optional(Entities.City),
  dates: Type1.Optional(Type1.Array(Entities.Date))
})

const conversation1 = Type1.Object({ last_order: Type1.String() })

function steps () {
  const seen: Array<StepContext['entities']> = []
  const handler = (context: StepContext) => {
    seen.push(context.entities)
    return { response: 'ok', conversation_details: { last_order: 'AB1234' } }
  }
  return {
    seen,
    old: defineStep({ name: 'order_status', entities: with034, conversationDetails: Type034.Object({ last_order: Type034.String() }), handler }),
    new: defineStep({ name: 'order_status', entities: with1, conversationDetails: conversation1, handler })
  }
}

const DATE = { value: { dd: 23, mm: 12, yy: 2026, type: 'date' }, normal: true, from: false, to: false, start_range: false, end_range: false }
const calls: Array<[string, Record<string, unknown[]>]> = [
  ['every kind of entity', {
    order_id: [detection({ value: 'AB1234' }, 'ab1234')],
    kind: [detection('bulk'), detection('retail')],
    quantity: [detection({ value: '3', unit: null }, 'three')],
    colors: [detection('red'), detection({ value: 'blue' })],
    express: [detection(true)],
    city: [detection({ value: 'Mumbai', from: false, to: true, via: false, normal: false })],
    dates: [detection(DATE, 'on 23 december')]
  }],
  ['only the required ones', { order_id: [detection('AB1234')], kind: [detection('retail')], colors: [] }],
  ['a missing entity', { kind: [detection('retail')] }],
  ['a wrong pattern', { order_id: [detection('nope')], kind: [detection('retail')] }],
  ['a wrong literal', { order_id: [detection('AB1234')], kind: [detection('wholesale')] }],
  ['too many detections', { order_id: [detection('AB1234')], kind: [detection('retail')], colors: ['a', 'b', 'c', 'd'].map(value => detection(value)) }],
  ['a date the NER could not read', { order_id: [detection('AB1234')], kind: [detection('retail')], dates: [detection({ value: 'next full moon' })] }]
]

async function answers (t: Test, step: AnyStep, seen: unknown[]) {
  // 'reject': the refusals carry the messages that say what did not match.
  const app = await haptikApp(t, { steps: [step], invalidEntities: 'reject' })
  const results = []
  for (const [name, entities] of calls) {
    seen.length = 0
    const res = await signedPost(app, '/order_status', envelope('order_status', entities))
    results.push({ name, statusCode: res.statusCode, body: res.json(), entities: structuredClone(seen[0]) })
  }
  return results
}

t.test('the same step in typebox 1.x and @sinclair/typebox 0.34 answers every call alike', async t => {
  const { seen, old, new: current } = steps()
  const before = await answers(t, old, seen)
  const after = await answers(t, current, seen)
  t.same(after, before)
  // Not vacuous: the calls cover success, flattening and each kind of refusal.
  t.same(before[0].entities, {
    order_id: 'AB1234',
    kind: 'bulk',
    quantity: 3,
    colors: ['red', 'blue'],
    express: true,
    city: { value: 'Mumbai', from: false, to: true, via: false, normal: false },
    dates: [DATE]
  })
  t.same(before[1].entities, { order_id: 'AB1234', kind: 'retail' })
  t.same(before.slice(2).map(({ statusCode }) => statusCode), [400, 400, 400, 400, 400])
  t.match(before[4].body.message, /entity "kind" \(detection 0\) must be "retail" \| "bulk", got a string/)
})

/** An entity as its step documents it: a list of Haptik's detections, each with its value alone or as { value }. */
const documentedEntity = (value: Record<string, unknown>, minItems = 1) => ({
  type: 'array',
  minItems,
  items: {
    allOf: [
      { $ref: '#/components/schemas/HaptikDetection' },
      {
        type: 'object',
        properties: {
          entity_value: {
            description: 'The value: alone, or as { "value": … }',
            anyOf: [value, { type: 'object', required: ['value'], properties: { value } }]
          }
        }
      }
    ]
  }
})

t.test('its documentation is the expected one, and the same as with @sinclair/typebox 0.34', async t => {
  const documentOf = async (step: AnyStep) => {
    const app = Fastify()
    t.teardown(() => app.close())
    await app.register(swagger, { openapi: { openapi: '3.1.0', info: { title: 'typebox 1.x', version: '1.0.0' } } })
    await app.register(fastifyHaptik, { prefix: '/haptik', secret: 'docs', steps: [step] })
    await app.ready()
    return app.swagger() as unknown as { paths: Record<string, { post: Operation }> }
  }
  interface Operation {
    requestBody: { content: { 'application/json': { schema: { allOf: [unknown, { properties: { entities: { required: string[], properties: Record<string, unknown> } } }] } } } }
    responses: Record<string, { content: { 'application/json': { schema: { allOf: [unknown, { properties: Record<string, unknown> }] } } } }>
  }
  const { old, new: current } = steps()
  const document = await documentOf(current)
  t.same(Object.keys(document.paths), ['/haptik/order_status'])
  const { requestBody, responses } = document.paths['/haptik/order_status'].post
  const [envelope, { properties: { entities } }] = requestBody.content['application/json'].schema.allOf
  t.same(envelope, { $ref: '#/components/schemas/HaptikRequest' }, 'the envelope every step shares')
  t.same(entities.required, ['order_id', 'kind'])
  t.same(Object.keys(entities.properties), ['order_id', 'kind', 'quantity', 'colors', 'express', 'city', 'dates'])
  t.same(entities.properties.order_id, documentedEntity({ type: 'string', pattern: '^[A-Z]{2}\\d{4}$' }))
  t.same(entities.properties.kind, documentedEntity({ type: 'string', enum: ['retail', 'bulk'] }), "typebox 1.x's union of literals, as an enum")
  t.same(entities.properties.quantity, documentedEntity({ type: 'integer', minimum: 1 }, 0), 'optional: no detection needed')
  const [reply, { properties: details }] = responses[200].content['application/json'].schema.allOf
  t.same(reply, { $ref: '#/components/schemas/HaptikReply' })
  t.same(details.conversation_details, { type: 'object', required: ['last_order'], properties: { last_order: { type: 'string' } } }, 'the conversation details the step returns')
  t.same(document, await documentOf(old))
})

t.test('a typebox 1.x step answers on the dispatch route too', async t => {
  const { seen, new: current } = steps()
  const app = await haptikApp(t, { steps: [current], dispatch: true })
  const res = await signedPost(app, '/', envelope('order_status', { order_id: [detection('AB1234')], kind: [detection('bulk')] }))
  t.equal(res.statusCode, 200)
  t.same(seen, [{ order_id: 'AB1234', kind: 'bulk' }])
})
