import t, { type Test } from 'tap'
import Fastify from 'fastify'
import { Type } from '@sinclair/typebox'
import fastifyHaptik, { DEFAULT_FALLBACK_MESSAGE, defineStep, type FastifyHaptikOptions, type StepResult } from '../lib/index.js'
import { SECRET, envelope, signedPost } from './helpers/haptik.js'
import { DEFAULT_DETAILS_LIMIT } from '../lib/reply/details.js'
import { captureLogs } from './helpers/logs.js'

async function replyWith (t: Test, value: StepResult, options: Partial<FastifyHaptikOptions> = {}, userDetails = Type.Record(Type.String(), Type.Unknown())) {
  const { logger, lines } = captureLogs<{ level: number, msg: string, step?: string, err?: { code: string, message: string } }>('info')
  const app = Fastify({ logger })
  t.teardown(() => app.close())
  // A schema allowing any value, on purpose: the plugin still refuses non-strings at run time.
  const step = defineStep({ name: 'details', userDetails: userDetails as never, handler: () => value as never })
  await app.register(fastifyHaptik, { secret: SECRET, steps: [step], ...options })
  const res = await signedPost(app, '/details', envelope('details', {}))
  return { res, error: lines.find(line => line.level === 50) }
}

const chars = (n: number) => 'x'.repeat(n)
const FAILED = { status: false, response: [DEFAULT_FALLBACK_MESSAGE] }

/** Details of exactly `size` characters of JSON text: `{"k":"xxx…"}`. */
const sized = (size: number) => ({ k: chars(size - 8) })

t.test('the default limits are Haptik\'s strictest: all three hold, each up to its exact number of characters', async t => {
  // The exported constant says which numbers...
  t.same(DEFAULT_DETAILS_LIMIT, { conversationDetails: 2500, userDetails: 200, combined: 500 })
  t.ok(Object.isFrozen(DEFAULT_DETAILS_LIMIT), 'the constant cannot be changed by a user')
  // ...and a plugin with no detailsLimit enforces those numbers, to the character.
  type Details = { response: 'ok', conversation_details?: Record<string, string>, user_details?: Record<string, string> }
  const sent = async (value: Details, options: Partial<FastifyHaptikOptions> = {}) => {
    const { res, error } = await replyWith(t, value, options)
    t.equal(error, undefined, 'nothing logged as an error')
    t.strictSame(res.json(), { status: true, ...value, response: ['ok'] }, 'sent whole')
  }
  const refused = async (value: Details, logged: string, options: Partial<FastifyHaptikOptions> = {}) => {
    const { res, error } = await replyWith(t, value, options)
    t.strictSame(res.json(), FAILED, 'the failure path, nothing truncated')
    t.equal(error?.err?.code, 'FST_HAPTIK_DETAILS_TOO_LARGE')
    t.equal(error?.err?.message, `Step "details" returned details over Haptik's limit: ${logged}`, 'the exact log message')
  }
  await sent({ response: 'ok', user_details: sized(200) })
  await refused({ response: 'ok', user_details: sized(201) }, 'user_details is 201 characters, 1 over the limit of 200')
  await sent({ response: 'ok', conversation_details: sized(300), user_details: sized(200) })
  await refused({ response: 'ok', conversation_details: sized(301), user_details: sized(200) },
    'conversation_details (301) and user_details (200) together is 501 characters, 1 over the limit of 500')
  await sent({ response: 'ok', conversation_details: sized(500) })
  await refused({ response: 'ok', conversation_details: sized(501) },
    'conversation_details (501) and user_details (0) together is 501 characters, 1 over the limit of 500')
  // The 2500 of conversation_details shows once the combined limit is raised: it is still the default.
  const roomy = { detailsLimit: { combined: 10_000 } }
  await sent({ response: 'ok', conversation_details: sized(2500) }, roomy)
  await refused({ response: 'ok', conversation_details: sized(2501) }, 'conversation_details is 2501 characters, 1 over the limit of 2500', roomy)
  await refused({ response: 'ok', user_details: sized(201) }, 'user_details is 201 characters, 1 over the limit of 200', roomy)
})

t.test('details within the limits are sent', async t => {
  const { res, error } = await replyWith(t, { response: 'ok', conversation_details: { a: chars(280) }, user_details: { b: chars(150) } })
  t.equal(res.statusCode, 200)
  t.strictSame(res.json(), { status: true, response: ['ok'], conversation_details: { a: chars(280) }, user_details: { b: chars(150) } }, 'exactly as returned, nothing cut')
  t.equal(error, undefined, 'nothing logged as an error')
})

t.test('details over a limit are a business failure, logged with the field and the excess, never truncated', async t => {
  const cases: Array<[string, StepResult, RegExp]> = [
    ['user_details', { response: 'ok', user_details: { note: chars(200) } }, /user_details is 211 characters, 11 over the limit of 200/],
    ['conversation_details', { response: 'ok', conversation_details: { note: chars(2500) } }, /conversation_details is 2511 characters, 11 over the limit of 2500/],
    ['combined', { response: 'ok', conversation_details: { a: chars(300) }, user_details: { b: chars(190) } },
      /conversation_details \(308\) and user_details \(198\) together is 506 characters, 6 over the limit of 500/]
  ]
  for (const [name, value, logged] of cases) {
    const { res, error } = await replyWith(t, value)
    t.equal(res.statusCode, 200, `${name}: 200`)
    t.same(res.json(), FAILED, `${name}: the failure path, nothing truncated`)
    t.equal(error?.err?.code, 'FST_HAPTIK_DETAILS_TOO_LARGE', `${name}: code`)
    t.match(error?.err?.message, logged, `${name}: the log says by how much`)
    t.equal(error?.step, 'details')
  }
})

t.test('the limits are configurable, or off', async t => {
  const big = { response: 'ok', user_details: { note: chars(1000) } }
  const sent = { status: true, response: ['ok'], user_details: { note: chars(1000) } }
  t.strictSame((await replyWith(t, big, { detailsLimit: { userDetails: 2000, combined: 3000 } })).res.json(), sent, 'raised: sent whole')
  t.strictSame((await replyWith(t, big, { detailsLimit: false })).res.json(), sent, 'off: sent whole')
  t.same((await replyWith(t, big, { detailsLimit: { combined: 3000 } })).res.json(), FAILED, 'unset keys keep their default')
})

t.test('user_details values must be strings, whatever the step declared', async t => {
  const { res, error } = await replyWith(t, { response: 'ok', user_details: { phone: 8826755986 } } as unknown as StepResult)
  t.same(res.json(), FAILED)
  t.match(error?.err?.message, 'user_details.phone must be a string (Haptik keeps user details as strings), got a number')
})

t.test('no detail value is ever converted or dropped: the reply takes the failure path and the log says which and why', async t => {
  // With the default user_details schema (string values), Fastify's validator would turn
  // true into "true" and ["x"] into "x"; its serializer would drop what the schema does not name.
  const cases: Array<[string, StepResult, string]> = [
    ['a boolean', { response: 'ok', user_details: { vip: true } } as unknown as StepResult, 'user_details.vip is a boolean, and the schema asks for a string'],
    ['a list', { response: 'ok', user_details: { tags: ['x'] } } as unknown as StepResult, 'user_details.tags is a list, and the schema asks for a string'],
    ['a number', { response: 'ok', user_details: { visits: 3 } } as unknown as StepResult, 'user_details.visits is a number, and the schema asks for a string']
  ]
  for (const [name, value, logged] of cases) {
    const { logger, lines } = captureLogs<{ level: number, err?: { code: string, message: string } }>('info')
    const app = Fastify({ logger })
    t.teardown(() => app.close())
    await app.register(fastifyHaptik, { secret: SECRET, steps: [defineStep({ name: 'details', handler: () => value as never })] })
    const res = await signedPost(app, '/details', envelope('details', {}))
    t.same(res.json(), FAILED, `${name}: the failure path, nothing converted`)
    const error = lines.find(line => line.level === 50)
    t.equal(error?.err?.code, 'FST_HAPTIK_INVALID_REPLY', `${name}: code`)
    t.match(error?.err?.message, `${logged}; details are sent as the handler returns them, never converted`, `${name}: message`)
  }

  const strict = defineStep({
    name: 'strict',
    conversationDetails: Type.Object({ step: Type.Integer() }, { additionalProperties: false }),
    handler: () => ({ response: 'ok', conversation_details: { step: 2, note: 'kept?' } }) as never
  })
  const { logger, lines } = captureLogs<{ level: number, err?: { message: string } }>('info')
  const app = Fastify({ ajv: { customOptions: { removeAdditional: 'all' } }, logger })
  t.teardown(() => app.close())
  await app.register(fastifyHaptik, { secret: SECRET, steps: [strict] })
  const dropped = await signedPost(app, '/strict', envelope('strict', {}))
  t.same(dropped.json(), FAILED, 'a validator that removes fields does not remove them silently')
  t.match(lines.find(line => line.level === 50)?.err?.message, 'conversation_details.note is not in the schema, which would drop it')
})

t.test('defaults the details schema declares are filled in, and a value that is not JSON data is refused', async t => {
  const withDefault = defineStep({
    name: 'defaults',
    conversationDetails: Type.Object({ step: Type.Integer(), lang: Type.String({ default: 'en' }) }),
    handler: () => ({ response: 'ok', conversation_details: { step: 1 } }) as never
  })
  const withFunction = defineStep({ name: 'fn', handler: () => ({ response: 'ok', conversation_details: { later: () => 1 } }) })
  const app = Fastify()
  t.teardown(() => app.close())
  await app.register(fastifyHaptik, { secret: SECRET, steps: [withDefault, withFunction] })
  t.strictSame((await signedPost(app, '/defaults', envelope('defaults', {}))).json(), { status: true, response: ['ok'], conversation_details: { step: 1, lang: 'en' } }, "the schema's own default: the developer's choice")
  t.same((await signedPost(app, '/fn', envelope('fn', {}))).json(), FAILED)
})

t.test('details that JSON would change or lose are refused, naming the value: Map, Set, class, bigint, NaN, a cycle', async t => {
  class Order { id = 7 }
  const cycle: Record<string, unknown> = { a: 1 }
  cycle.self = cycle
  const cases: Array<[unknown, string]> = [
    [{ seen: new Map() }, 'conversation_details.seen is a Map'],
    [{ tags: new Set(['a']) }, 'conversation_details.tags is a Set'],
    [{ order: new Order() }, 'conversation_details.order is an Order'],
    [{ count: 10n }, 'conversation_details.count is a bigint'],
    [{ ratio: Number.NaN }, 'conversation_details.ratio is NaN'],
    [{ list: [1, Infinity] }, 'conversation_details.list[1] is Infinity'],
    [{ list: [1, undefined] }, 'conversation_details.list[1] is undefined, which JSON would send as null'],
    [cycle, 'conversation_details.self is a reference to itself (a cycle)'],
    [{ at: Symbol('x') }, 'conversation_details.at is a symbol'],
    [{ odd: Object.create(Object.create(null)) }, 'conversation_details.odd is an object with a prototype']
  ]
  for (const [details, message] of cases) {
    const { res, error } = await replyWith(t, { response: 'ok', conversation_details: details } as StepResult)
    t.same(res.json(), FAILED, message)
    t.match(error?.err?.message, message)
  }
  const { res } = await replyWith(t, { response: 'ok', conversation_details: { order: 7, coupon: undefined, nested: Object.assign(Object.create(null), { a: [true, null, 'x'] }) } } as StepResult)
  t.same(res.json().conversation_details, { order: 7, nested: { a: [true, null, 'x'] } }, 'a property set to undefined is absent, as in JSON; an object without a prototype is plain')
  const dated = await replyWith(t, { response: 'ok', conversation_details: { when: new Date(0), list: [new Date(1000)] } } as StepResult)
  t.same(dated.res.json().conversation_details, { when: '1970-01-01T00:00:00.000Z', list: ['1970-01-01T00:00:01.000Z'] }, 'a Date is its toJSON(), as JSON.stringify sends it')
})

t.test('-0 in details is sent as 0, as JSON sends it, not refused as a conversion, also beside a default the schema fills in', async t => {
  const { res, error } = await replyWith(t, { response: 'ok', conversation_details: { balance: -0, rounded: Math.round(-0.2) } })
  t.equal(error, undefined)
  t.strictSame(res.json(), { status: true, response: ['ok'], conversation_details: { balance: 0, rounded: 0 } })
  // A default changes the details' text, so what the validator returns is compared with what the handler did: 0 against -0.
  const app = Fastify({ logger: false })
  t.teardown(() => app.close())
  const step = defineStep({
    name: 'balance',
    conversationDetails: Type.Object({ balance: Type.Number(), currency: Type.String({ default: 'INR' }) }),
    handler: () => ({ response: 'ok', conversation_details: { balance: -0 } as { balance: number, currency: string } })
  })
  await app.register(fastifyHaptik, { secret: SECRET, steps: [step] })
  t.strictSame((await signedPost(app, '/balance', envelope('balance', {}))).json(), { status: true, response: ['ok'], conversation_details: { balance: 0, currency: 'INR' } })
})
