// The step routes validate a body in parts (the envelope every step shares,
// the `entities` object, each entity's detections), compiled once for every
// step that declares them alike: the parts must give what the whole
// envelope's schema gives, the same first issue and the same body, under any
// Ajv options the app sets.
import t from 'tap'
import fc from 'fast-check'
import Fastify, { type FastifyInstance, type FastifyRequest, type FastifySchemaCompiler, type FastifyServerOptions } from 'fastify'
import { Type, type TObject } from '@sinclair/typebox'
import fastifyHaptik, { defineStep, Entities } from '../../lib/index.js'
import { EnvelopeSchema } from '../../lib/wire/request-schema.js'
import { bodyParts, RequestValidation, SchemaPool, SHARED_ENVELOPE, type BodyPart } from '../../lib/wire/request-validation.js'
import { SECRET, detection, envelope, haptikSignature, signedPost } from '../helpers/haptik.js'

t.setTimeout(120_000)

const STEP_ENTITIES = Type.Object({
  date: Entities.Date,
  city: Type.Optional(Entities.City),
  cabin: Type.Union([Type.Literal('economy'), Type.Literal('business')]),
  qty: Type.Optional(Type.Integer({ minimum: 1 })),
  tags: Type.Optional(Type.Array(Type.String(), { minItems: 1, maxItems: 2 })),
  'odd/na~me': Type.Optional(Type.Boolean())
})

interface Seen { issue: unknown, body: unknown }

/**
 * One app, three routes on the same validator: the whole envelope's schema
 * (as the plugin once validated a call), the step route's way (entity
 * parts in a preValidation hook, then the shared envelope) and the dispatch
 * route's (every part in order). Each answers the first issue and the body.
 */
async function comparisonApp (options: FastifyServerOptions): Promise<FastifyInstance> {
  const app = Fastify({ ...options, logger: false })
  const parts = bodyParts(STEP_ENTITIES, new SchemaPool(), () => false)
  const validation = new RequestValidation()
  const failures = new WeakMap<FastifyRequest, Error>()
  const answer = (request: FastifyRequest): Seen => {
    const failure = (failures.get(request) ?? request.validationError) as { validation?: unknown[] } | undefined
    return { issue: failure === undefined ? null : failure.validation?.[0], body: request.body }
  }
  const hook = (check: (request: FastifyRequest, parts: readonly BodyPart[]) => Error | null) =>
    async (request: FastifyRequest) => {
      const error = check(request, parts)
      if (error !== null) failures.set(request, error)
    }
  app.post('/whole', { schema: { body: EnvelopeSchema(STEP_ENTITIES) }, attachValidation: true }, async request => answer(request))
  app.post('/step', { schema: { body: SHARED_ENVELOPE }, attachValidation: true, preValidation: hook((request, parts) => validation.validateEntities(request, parts)) }, async request => answer(request))
  app.post('/dispatch', { preValidation: hook((request, parts) => validation.validate(request, parts)) }, async request => answer(request))
  app.addHook('onReady', async () => { validation.prepare(app.validatorCompiler as FastifySchemaCompiler<unknown>, [{ url: '/step', parts }]) })
  await app.ready()
  return app
}

// ---- bodies: mostly Haptik's shape, often broken somewhere ----

const anything = fc.oneof(fc.string({ maxLength: 4 }), fc.integer({ min: -2, max: 3 }), fc.boolean(), fc.constant(null), fc.constant([]), fc.constant({}))
/** Mostly a valid value (often one the validator coerces), else anything. */
const mostly = (valid: fc.Arbitrary<unknown>, broken: fc.Arbitrary<unknown> = anything) => fc.oneof({ weight: 30, arbitrary: valid }, { weight: 1, arbitrary: broken })

const date = mostly(
  fc.oneof(
    fc.record({ value: fc.record({ dd: fc.integer({ min: 1, max: 31 }), mm: fc.oneof({ weight: 5, arbitrary: fc.integer({ min: 1, max: 12 }) }, fc.constant('7')), yy: fc.constant(2026), type: fc.constantFrom('date', 'tomorrow') }), normal: fc.oneof({ weight: 5, arbitrary: fc.boolean() }, fc.constant('true')) }, { requiredKeys: ['value'] }),
    fc.constant({ dd: 3, mm: 4, yy: 2027, type: 'date' })
  ),
  fc.oneof(fc.record({ value: fc.string({ maxLength: 6 }) }), fc.constant({ value: { dd: 32, mm: 1, yy: 2026, type: 'date' } }), anything)
)
const city = mostly(fc.oneof(fc.constant('Pune'), fc.record({ value: fc.constantFrom('Mumbai', 'Delhi'), to: fc.oneof({ weight: 5, arbitrary: fc.boolean() }, fc.constant(1)), via: fc.boolean() }, { requiredKeys: ['value'] })))
const cabin = mostly(fc.oneof(fc.constantFrom('economy', 'business'), fc.record({ value: fc.constantFrom('economy', 'business') })), fc.oneof(fc.constantFrom('first', 7), fc.record({ value: fc.constantFrom('first', 7) }), anything))
const qty = mostly(fc.oneof({ weight: 5, arbitrary: fc.integer({ min: 1, max: 4 }) }, fc.constantFrom('2', true), fc.record({ value: fc.constantFrom(2, 2, 2, '3'), unit: fc.constant(null) })), fc.oneof(fc.constantFrom(0, '0', 'x', 1.5, -1), anything))
const tag = mostly(fc.oneof({ weight: 5, arbitrary: fc.string({ maxLength: 3 }) }, fc.integer(), fc.boolean()))

/** A list of detections, or something else where a list belongs. */
function detections (value: fc.Arbitrary<unknown>): fc.Arbitrary<unknown> {
  const one = fc.record({ detection: mostly(fc.constant('message')), original_text: fc.string({ maxLength: 4 }), entity_value: value, extra: fc.constant('kept?') }, { requiredKeys: ['entity_value'] })
  return fc.oneof({ weight: 12, arbitrary: fc.array(one, { minLength: 1, maxLength: 2 }) }, fc.constant([]), one, value)
}

const entitiesObject = mostly(fc.record({ date: detections(date), city: detections(city), cabin: detections(cabin), qty: detections(qty), tags: detections(tag), 'odd/na~me': detections(fc.boolean()), undeclared: detections(anything) }, { requiredKeys: ['date', 'cabin'] }))

const body = mostly(fc.record({
  step: mostly(fc.constant('trip')),
  event: fc.constant('API_INTEGRATION'),
  user: mostly(fc.record({ user_id: fc.oneof(fc.string({ maxLength: 3 }), fc.integer()), device_platform: mostly(fc.oneof({ weight: 5, arbitrary: fc.integer() }, fc.constant('5'))), language_code: mostly(fc.constant('hi')) }, { requiredKeys: [] })),
  conversation_no: mostly(fc.oneof({ weight: 5, arbitrary: fc.integer() }, fc.constantFrom('3', true)), fc.constantFrom('3.5', 'x')),
  conversation_details: mostly(fc.dictionary(fc.constantFrom('a', 'b'), anything)),
  env_variables: mostly(fc.dictionary(fc.constantFrom('API', 'KEY'), fc.oneof({ weight: 5, arbitrary: fc.string({ maxLength: 3 }) }, fc.integer(), fc.boolean())), fc.oneof(fc.constant({ KEY: null }), anything)),
  extra_field: fc.constant(1),
  entities: entitiesObject
}, { requiredKeys: ['entities'] }))

const OPTION_SETS: Array<[string, FastifyServerOptions]> = [
  ["Fastify's defaults", {}],
  ["removeAdditional: 'all'", { ajv: { customOptions: { removeAdditional: 'all' } } }],
  ['no defaults, no coercion', { ajv: { customOptions: { useDefaults: false, coerceTypes: false } } }],
  ['allErrors', { ajv: { customOptions: { allErrors: true } } }]
]

for (const [name, options] of OPTION_SETS) {
  t.test(`the parts give the whole envelope's first issue and body: ${name}`, async t => {
    const app = await comparisonApp(options)
    t.teardown(() => app.close())
    let valid = 0
    await fc.assert(fc.asyncProperty(body, async generated => {
      const payload = JSON.stringify(generated)
      const send = async (url: string) => (await app.inject({ method: 'POST', url, payload, headers: { 'content-type': 'application/json' } })).json() as Seen
      const [whole, step, dispatch] = [await send('/whole'), await send('/step'), await send('/dispatch')]
      if (whole.issue === null) valid++
      // Asserted quietly (one assertion per case would print every body); the first difference fails with its body.
      const differs = JSON.stringify([step.issue, dispatch.issue]) !== JSON.stringify([whole.issue, whole.issue]) ||
        (whole.issue === null && JSON.stringify([step.body, dispatch.body]) !== JSON.stringify([whole.body, whole.body]))
      if (differs) t.strictSame({ step, dispatch }, { step: whole, dispatch: whole }, payload)
      return !differs
    }), { numRuns: 600 })
    t.ok(valid > 15, `valid bodies: ${valid} of 600`)
    t.ok(valid < 570, 'invalid ones too')
  })
}

t.test('steps that declare an entity alike share its part, and the entities object of the same names', async t => {
  const pool = new SchemaPool()
  const [a, b, c] = [
    Type.Object({ when: Entities.Date, name: Type.String() }),
    Type.Object({ when: Entities.Date, name: Type.String() }),
    Type.Object({ when: Type.Optional(Entities.Date), name: Type.String({ minLength: 2 }) })
  ].map(entities => bodyParts(entities, pool, () => false))
  t.same(a.map(({ schema }) => schema), b.map(({ schema }) => schema))
  t.equal(a[1].schema, b[1].schema, 'the same object: compiled once')
  t.not(a[1].schema, c[1].schema, 'an optional entity may be sent empty: another part')
  t.not(a[2].schema, c[2].schema)
  t.not(a[0].schema, c[0].schema, 'other required entities')
  t.same(bodyParts(Type.Object({ when: Entities.Date, name: Type.String() }), pool, value => value === Entities.Date).map(({ eager }) => eager), [false, true, false], 'the eager ones, by their declared value')
})

// ---- through the plugin ----

const CABIN: TObject = Type.Object({ cabin: Type.Union([Type.Literal('economy'), Type.Literal('business')]) })
const trip = (name: string, entities: TObject = CABIN) =>
  defineStep({ name, entities, invalidEntities: 'reject', handler: ({ entities }) => `booked ${JSON.stringify(entities)}` })

t.test('a body whose envelope and entities are both wrong names the envelope, as the whole schema did', async t => {
  const app = Fastify()
  t.teardown(() => app.close())
  await app.register(fastifyHaptik, { secret: SECRET, steps: [trip('trip')] })
  const res = await signedPost(app, '/trip', envelope('trip', { cabin: [detection('first')] }, { user: 5 }))
  t.equal(res.json().code, 'FST_HAPTIK_INVALID_ENVELOPE')
  t.match(res.json().message, 'field "user" must be object')
  const entityOnly = await signedPost(app, '/trip', envelope('trip', { cabin: [detection('first')] }))
  t.equal(entityOnly.json().code, 'FST_HAPTIK_INVALID_ENTITY')
})

t.test("the app's onError hooks see Fastify's own validation error", async t => {
  const app = Fastify()
  t.teardown(() => app.close())
  const seen: Array<{ code?: string, statusCode?: number, message: string, validationContext?: string }> = []
  app.addHook('onError', async (_request, _reply, error) => { seen.push(error) })
  await app.register(fastifyHaptik, { secret: SECRET, steps: [trip('trip')] })
  await signedPost(app, '/trip', envelope('trip', { cabin: [detection('first')] }))
  await signedPost(app, '/trip', { entities: [] })
  t.match(seen, [
    { code: 'FST_ERR_VALIDATION', statusCode: 400, validationContext: 'body', message: /^body\/entities\/cabin\/0\/entity_value must be equal to constant, / },
    { code: 'FST_ERR_VALIDATION', statusCode: 400, validationContext: 'body', message: 'body/entities must be object' }
  ])
})

/** A compiler that answers the way some custom compilers do: `{ value }` or `{ error }`, never a boolean. */
function resultCompiler (decide: (schema: Record<string, unknown>, data: unknown) => unknown): FastifySchemaCompiler<unknown> {
  return ({ schema }) => ((data: unknown) => decide(schema as Record<string, unknown>, data)) as ReturnType<FastifySchemaCompiler<unknown>>
}

t.test('a custom compiler that answers { value } or { error } is followed, as Fastify follows it', async t => {
  const isList = (schema: Record<string, unknown>) => schema.type === 'array'
  const cases: Array<[string, FastifySchemaCompiler<unknown>, (res: { statusCode: number, json: () => Record<string, unknown> }) => void]> = [
    ['{ value } replaces the part', resultCompiler((schema, data) => ({ value: isList(schema) ? [detection('business')] : data })), res => {
      t.equal(res.statusCode, 200)
      t.same(res.json().response, ['booked {"cabin":"business"}'])
    }],
    ['{ error: [issues] } refuses it', resultCompiler((schema, data) => isList(schema) ? { error: [{ instancePath: '/0/entity_value', message: 'is not a cabin' }] } : { value: data }), res => {
      t.equal(res.statusCode, 400)
      t.equal(res.json().code, 'FST_HAPTIK_INVALID_ENTITY')
      t.match(res.json().message, 'entity "cabin" (detection 0) must be')
    }],
    ['an issue without a path is the part\'s own', resultCompiler((schema, data) => isList(schema) ? { error: [{ message: 'is not a list of cabins' }] } : { value: data }), res => {
      t.equal(res.json().code, 'FST_HAPTIK_INVALID_ENTITY')
      t.match(res.json().message, 'entity "cabin" must be a list of detections')
    }],
    ['{ error: Error } refuses it with that error', resultCompiler((schema, data) => isList(schema) ? { error: Object.assign(new Error('no cabin'), { statusCode: 422 }) } : true), res => {
      t.equal(res.statusCode, 422)
      t.equal(res.json().message, 'no cabin')
    }],
    ['null is a pass, as Fastify reads it', resultCompiler((schema, data) => isList(schema) ? null : { value: data }), res => {
      t.equal(res.statusCode, 200)
      t.same(res.json().response, ['booked {"cabin":"first"}'])
    }],
    ['false without errors is a pass, as Fastify reads it', resultCompiler((schema, data) => isList(schema) ? false : { value: data }), res => {
      t.equal(res.statusCode, 200)
      t.same(res.json().response, ['booked {"cabin":"first"}'])
    }],
    ['a promise is not a pass: the entities are checked before the handler, at once', resultCompiler((schema, data) => isList(schema) ? Promise.resolve(true) : { value: data }), res => {
      t.equal(res.statusCode, 500)
      t.equal(res.json().code, 'FST_HAPTIK_INTERNAL')
    }],
    ['an error without a status is a 400', resultCompiler((schema, data) => isList(schema) ? { error: new Error('no cabin') } : { value: data }), res => {
      t.equal(res.statusCode, 400)
      t.equal(res.json().code, 'FST_ERR_VALIDATION')
    }]
  ]
  // An envelope issue without a path is what it is on either route (Fastify validates the step route's envelope itself).
  const envelopeless = resultCompiler(schema => schema.title === 'HaptikRequest' ? { error: [{ message: 'is not an envelope' }] } : true)
  const statuses = []
  for (const url of ['/trip', '/']) {
    const app = Fastify({ logger: false })
    t.teardown(() => app.close())
    app.setValidatorCompiler(envelopeless)
    await app.register(fastifyHaptik, { secret: SECRET, dispatch: true, steps: [trip('trip')] })
    statuses.push((await signedPost(app, url, envelope('trip', { cabin: [detection('first')] }))).statusCode)
  }
  t.equal(statuses[0], statuses[1], 'an envelope issue without a path: the same answer on both routes')
  for (const [name, compiler, check] of cases) {
    for (const url of ['/trip', '/']) {
      const app = Fastify()
      t.teardown(() => app.close())
      app.setValidatorCompiler(compiler)
      await app.register(fastifyHaptik, { secret: SECRET, dispatch: true, steps: [trip('trip')] })
      t.test(`${name} (${url})`, async () => check(await signedPost(app, url, envelope('trip', { cabin: [detection('first')] }))))
    }
  }
})

t.test("a pattern or format the validator refuses fails the server's start, whether steps share the part or one step declares it", async t => {
  for (const [entity, reason] of [
    [Type.String({ format: 'no-such-format' }), /unknown format "no-such-format"/],
    [Type.String({ pattern: '(' }), /Invalid regular expression: \/\(\/u/],
    [Type.Record(Type.String({ pattern: '[' }), Type.String()), /Invalid regular expression: \/\[\/u/],
    [Type.Array(Type.Object({ id: Type.String({ pattern: '^a(' }) })), /Invalid regular expression/]
  ] as const) {
    const broken = Type.Object({ code: entity })
    for (const steps of [[trip('one', broken), trip('two', broken)], [trip('one', broken), trip('two')]]) {
      const app = Fastify()
      t.teardown(() => app.close())
      await app.register(fastifyHaptik, { secret: SECRET, steps })
      await t.rejects(async () => { await app.ready() }, { code: 'FST_ERR_SCH_VALIDATION_BUILD', message: reason }, `${steps.length} steps: refused at ready(), not with a 500 on every call`)
    }
  }
  // Data is not a schema: a "pattern" key in a default or an example is no regular expression.
  const app = Fastify()
  t.teardown(() => app.close())
  await app.register(fastifyHaptik, { secret: SECRET, steps: [trip('one', Type.Object({ code: Type.Object({ pattern: Type.String() }, { default: { pattern: '(' }, examples: [{ pattern: '[' }] }) }))] })
  await app.ready()
})

t.test("a part an app's own compiler refuses for what no probe looks at answers the step's call with a 500, compiled once", async t => {
  const broken = Type.Object({ code: Type.String({ 'x-refused': true }) })
  const payload = JSON.stringify(envelope('one', { code: [detection('x')] }))
  let attempts = 0
  const counted = Fastify({ logger: false })
  t.teardown(() => counted.close())
  counted.setValidatorCompiler(({ schema }) => {
    if (JSON.stringify(schema).includes('x-refused')) {
      attempts++
      throw new Error('unknown keyword "x-refused"')
    }
    return () => true
  })
  await counted.register(fastifyHaptik, { secret: SECRET, steps: [trip('one', broken), trip('two')] })
  await counted.ready()
  for (let call = 0; call < 3; call++) {
    const refused = await counted.inject({ method: 'POST', url: '/one', payload, headers: { 'content-type': 'application/json', 'x-hub-signature': haptikSignature(payload) } })
    t.equal(refused.json().code, 'FST_HAPTIK_INTERNAL')
  }
  t.equal(attempts, 1, 'the compiler is asked once: a refused part is not compiled again on every call')
  t.equal((await signedPost(counted, '/two', envelope('two', { cabin: [detection('economy')] }))).statusCode, 200, 'the other steps are served')
})

t.test("an app's onRoute hook that replaces the step route's preValidation hooks lets no unchecked entity through", async t => {
  const answers = []
  for (const replaced of [false, true]) {
    const app = Fastify({ logger: false })
    t.teardown(() => app.close())
    if (replaced) app.addHook('onRoute', routeOptions => { if (routeOptions.method === 'POST') routeOptions.preValidation = [] })
    await app.register(fastifyHaptik, { secret: SECRET, steps: [trip('trip'), defineStep({ name: 'otp', entities: Type.Object({ code: Entities.Digits }), handler: ({ entities }) => entities.code })] })
    const cabin = await signedPost(app, '/trip', envelope('trip', { cabin: [detection('on the roof')] }))
    const digits = await signedPost(app, '/otp', envelope('otp', { code: [detection(4521)] }))
    const valid = await signedPost(app, '/trip', envelope('trip', { cabin: [detection('business')] }))
    answers.push([cabin, digits, valid].map(res => [res.statusCode, res.json()]))
  }
  t.same(answers[1], answers[0], 'the same answers, hook or no hook')
  t.equal(answers[0][0][1].code, 'FST_HAPTIK_INVALID_ENTITY')
  t.same(answers[0][1], [200, { status: false, response: ["Sorry, I didn't quite get that. Could you say it another way?"] }], 'a number for Entities.Digits: asked again')
  t.equal(answers[0][2][0], 200)
})

t.test('a call naming another step is refused as that, before its entities are looked at, whatever the step declares', async t => {
  const app = Fastify({ logger: false })
  t.teardown(() => app.close())
  await app.register(fastifyHaptik, { secret: SECRET, steps: [trip('trip')] })
  const response = await signedPost(app, '/trip', envelope('another_step', { cabin: [detection('on the roof')] }))
  t.equal(response.statusCode, 400)
  t.equal(response.json().code, 'FST_HAPTIK_STEP_MISMATCH')
})

t.test("an app's onRoute hook that removes a step route's hooks lets nothing through: the signature check fails closed", async t => {
  let runs = 0
  const app = Fastify({ logger: false })
  t.teardown(() => app.close())
  app.addHook('onRoute', routeOptions => {
    if (routeOptions.method !== 'POST') return
    routeOptions.onRequest = []
    routeOptions.preParsing = []
    routeOptions.preValidation = []
    routeOptions.preHandler = []
  })
  await app.register(fastifyHaptik, { secret: SECRET, steps: [defineStep({ name: 'trip', handler: () => { runs++; return 'ok' } })] })
  const signed = await signedPost(app, '/trip', envelope('trip', {}))
  const unsigned = await app.inject({ method: 'POST', url: '/trip', payload: envelope('trip', {}) })
  t.same([signed.statusCode, unsigned.statusCode], [401, 401])
  t.equal(runs, 0)
})
