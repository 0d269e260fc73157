import Fastify, { type LightMyRequestResponse } from 'fastify'
import { Type } from '@sinclair/typebox'
import { expectAssignable, expectError, expectType } from 'tsd'
import { defineStep, Entities, sign, type HaptikEnvelope, type HaptikReply } from 'fastify-haptik'
import { isHslType, type HslForm, type Message } from 'fastify-haptik/hsl'
import {
  callStep, detection, haptikRequest, parseMessage, parseMessages, signedRequest, DEFAULT_USER,
  type CallStepOptions, type Detection, type EntityValues, type HaptikErrorBody, type StepCall
} from 'fastify-haptik/testing'

const productPrice = defineStep({
  name: 'product_price',
  entities: Type.Object({
    product_name: Type.Union([Type.Literal('speaker'), Type.Literal('powerbank')]),
    quantity: Type.Optional(Type.Integer()),
    colors: Type.Array(Type.String()),
    city: Type.Object({ value: Type.String(), to: Type.Boolean() })
  }),
  handler: ({ entities }) => entities.product_name
})
const greeting = defineStep({ name: 'greeting', handler: () => 'Hello!' })

// The builder knows the step's entity types.
expectAssignable<EntityValues<typeof productPrice>>({ product_name: 'speaker', colors: [], city: { value: 'Pune', to: true } })
// An optional entity may also be given as undefined (and is then left out of the request).
expectType<EntityValues<typeof productPrice>>({} as { product_name: 'speaker' | 'powerbank', quantity?: number | undefined, colors: string[], city: { value: string, to: boolean } })
expectType<HaptikEnvelope>(haptikRequest(productPrice, { product_name: 'speaker', colors: ['red'], city: { value: 'Pune', to: true } }))
haptikRequest(productPrice, { product_name: 'powerbank', quantity: 2, colors: [], city: { value: 'Pune', to: false } })
haptikRequest(greeting, {})
// A value the schema does not allow, a missing entity, an undeclared one, a wrong type: none compiles.
expectError(haptikRequest(productPrice, { product_name: 'phone', colors: [], city: { value: 'Pune', to: true } }))
expectError(haptikRequest(productPrice, { colors: [], city: { value: 'Pune', to: true } }))
expectError(haptikRequest(productPrice, { product_name: 'speaker', colors: [], city: { value: 'Pune', to: true }, colour: 'red' }))
expectError(haptikRequest(productPrice, { product_name: 'speaker', colors: 'red', city: { value: 'Pune', to: true } }))
expectError(haptikRequest(productPrice, { product_name: 'speaker', colors: [], quantity: '2', city: { value: 'Pune', to: true } }))
expectError(haptikRequest(productPrice, { product_name: 'speaker', colors: [], city: 'Pune' }))

// By name, any values.
expectType<HaptikEnvelope>(haptikRequest('product_price', { product_name: 'anything', n: 1 }))
expectType<HaptikEnvelope>(haptikRequest('greeting'))

// Overrides: typed known fields, open to extra ones.
haptikRequest('x', {}, {
  user: { language_code: 'hi', user_id: 42, extra: true },
  conversation_no: 3,
  user_details: { city: 'Pune' },
  env_variables: { API: 'https://x.test' },
  entities: { city: [detection({ value: 'Pune' }, { detection: 'user_profile' })], gone: undefined },
  node: 'x',
  step: undefined,
  bot_id: 'b-1'
})
expectError(haptikRequest('x', {}, { conversation_no: '3' }))
expectError(haptikRequest('x', {}, { env_variables: { API: 1 } }))
expectError(haptikRequest('x', {}, { user: { device_platform: 'web' } }))
expectError(haptikRequest('x', {}, { entities: { city: 'Pune' } }))

expectType<Detection>(detection('speaker'))
expectError(detection('speaker', { detection: 1 }))
expectType<string | number | undefined>(DEFAULT_USER.user_id)

// Signing.
expectType<string>(sign('{}', 'secret'))
expectType<string>(sign(Buffer.from('{}'), Buffer.from('secret')))
expectError(sign({}, 'secret'))
expectType<{ payload: string | Buffer, headers: Record<string, string> }>(signedRequest({ a: 1 }, 'secret'))

// The inject helper: typed entities, the reply and its status.
const app = Fastify()
async function calls () {
  const call = await callStep(app, productPrice, { product_name: 'speaker', colors: [], city: { value: 'Pune', to: true } }, { secret: 'test', prefix: '/haptik' })
  expectType<StepCall>(call)
  expectType<number>(call.statusCode)
  expectType<HaptikReply | undefined>(call.reply)
  expectType<HaptikErrorBody | undefined>(call.error)
  expectType<LightMyRequestResponse>(call.response)
  expectType<string[] | undefined>(call.reply?.response)
  expectType<string | undefined>(call.error?.code)
  expectType<Message[] | undefined>(call.messages)
  expectType<boolean>(call.handsOver)
  const form = call.messages?.find(message => isHslType(message, 'FORM'))
  if (form !== undefined && isHslType(form, 'FORM')) expectType<HslForm>(form)
  await callStep(app, 'greeting', {}, { unsigned: true, url: '/greeting', headers: { 'x-tenant': 'a' }, body: '{}' })
  await callStep(app, greeting, {}, { secret: Buffer.from('test'), overrides: { conversation_no: 2 } })
  expectError(callStep(app, productPrice, { product_name: 'phone', colors: [], city: { value: 'Pune', to: true } }, { secret: 'test' }))
  expectError(callStep(app, productPrice, { product_name: 'speaker', colors: [], city: { value: 'Pune', to: true } }))
  expectError(callStep(app, greeting, {}, { secret: 42 }))
  expectError(callStep(app, greeting, {}, { secret: 'test', prefix: 1 }))
}
expectType<() => Promise<void>>(calls)
expectAssignable<CallStepOptions>({ secret: 'test' })

// Reading a reply's messages.
expectType<Message>(parseMessage('{"type":"TEXT","text":"hi","data":{"quick_replies":[]}}'))
expectType<Message[]>(parseMessages(['a', 'b']))
expectError(parseMessage({ type: 'TEXT' }))

// A catalog entity takes any shape Haptik sends, not only the handler's.
const store = defineStep({ name: 'store', entities: Type.Object({ city: Entities.City, when: Entities.Date }), handler: () => 'ok' })
haptikRequest(store, { city: 'Pune', when: { value: { dd: 1, mm: 12, yy: 2026, type: 'date' } } })
haptikRequest(store, { city: { value: 'Pune', to: true }, when: { dd: 1, mm: 12, yy: 2026, type: 'date' } })
expectError(haptikRequest(store, { city: 42, when: { value: { dd: 1, mm: 12, yy: 2026, type: 'date' } } }))

// The entity values are a plain object type, which editors and compiler
// messages spell out (test/package/consumers.test.ts checks the messages themselves):
// what Haptik may send for each catalog entity, optional ones also as undefined.
const trip = defineStep({ name: 'trip', entities: Type.Object({ destination: Entities.City, seats: Type.Optional(Type.Integer()) }), handler: () => 'ok' })
expectType<EntityValues<typeof trip>>({} as {
  destination: string | { normal?: boolean, from?: boolean, to?: boolean, via?: boolean, value: string }
  seats?: number | undefined
})
expectError(callStep(app, trip, { destnation: 'Goa' }, { secret: 'test' }))
expectError(callStep(app, trip, { destination: 'Goa', sets: 2 }, { secret: 'test' }))
