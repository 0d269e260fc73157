import t, { type Test } from 'tap'
import { Type } from '@sinclair/typebox'
import { defineStep, type FastifyHaptikOptions, type StepContext } from '../lib/index.js'
import { detection, envelope, haptikApp, signedPost } from './helpers/haptik.js'

const Order = Type.Object({
  order_id: Type.String({ pattern: '^[A-Z]{2}\\d{4}$' }),
  quantity: Type.Optional(Type.Integer({ minimum: 1 })),
  colors: Type.Optional(Type.Array(Type.String())),
  city: Type.Optional(Type.Object({ value: Type.String(), from: Type.Boolean(), to: Type.Boolean() })),
  express: Type.Optional(Type.Boolean()),
  kind: Type.Optional(Type.Union([Type.Literal('retail'), Type.Literal('bulk')]))
})

async function setup (t: Test, options: Partial<FastifyHaptikOptions> = {}) {
  const seen: Array<StepContext<typeof Order>> = []
  const step = defineStep({
    name: 'order_status',
    entities: Order,
    handler: context => { seen.push(context); return 'ok' }
  })
  const app = await haptikApp(t, { steps: [step], dispatch: true, ...options })
  return { app, seen }
}

t.test('entities are flattened to typed values', async t => {
  const { app, seen } = await setup(t)
  const res = await signedPost(app, '/order_status', envelope('order_status', {
    order_id: [detection({ value: 'AB1234', datastore_verified: true }, 'ab1234')],
    quantity: [detection({ value: '3', unit: null }, 'three')],
    colors: [detection('red'), detection({ value: 'blue' })],
    city: [detection({ value: 'Mumbai', from: false, to: true, via: false, normal: false }, 'to mumbai')],
    express: [detection(true)],
    kind: [detection('bulk'), detection('retail')]
  }))
  t.equal(res.statusCode, 200)
  t.same(seen[0].entities, {
    order_id: 'AB1234',
    quantity: 3,
    colors: ['red', 'blue'],
    city: { value: 'Mumbai', from: false, to: true, via: false, normal: false },
    express: true,
    kind: 'bulk'
  }, 'strings and {value} unwrap, numbers coerce, arrays keep every detection, objects stay whole, the first detection wins')
})

t.test('optional entities may be absent or sent with no detection', async t => {
  const { app, seen } = await setup(t)
  const res = await signedPost(app, '/order_status', envelope('order_status', {
    order_id: [detection('AB1234')],
    colors: []
  }))
  t.equal(res.statusCode, 200)
  t.same(seen[0].entities, { order_id: 'AB1234' })
  t.notOk('colors' in seen[0].entities)
})

t.test('the context carries the typed envelope', async t => {
  const { app, seen } = await setup(t)
  const body = envelope('order_status', { order_id: [detection('AB1234')] }, { surprise: 'tolerated' })
  await signedPost(app, '/order_status', body)
  const context = seen[0]
  t.equal(context.step, 'order_status')
  t.equal(context.user.user_id, '5120931')
  t.equal(context.conversationNo, 3)
  t.same(context.conversationDetails, { cart_id: 'C-7781' })
  t.same(context.userDetails, { city: 'Pune' })
  t.same(context.env, { ORDERS_API: 'https://orders.example.test/v1' })
  t.equal(context.envelope.surprise, 'tolerated', 'unknown fields are kept')
  t.equal(context.request.rawBody?.length, Buffer.byteLength(JSON.stringify(body)))
  t.equal(typeof context.reply.code, 'function')
  t.equal(context.log, context.log, 'one logger per call')
  t.equal(context.signal.aborted, false)
})

t.test('a minimal 2019-style envelope with "node" is accepted', async t => {
  const { app, seen } = await setup(t)
  const res = await signedPost(app, '/order_status', {
    node: 'order_status',
    event: 'API_INTEGRATION',
    user: { user_name: 'hk', full_name: '', device_platform: 5 },
    entities: { order_id: [{ entity_value: 'AB1234' }] }
  })
  t.equal(res.statusCode, 200)
  t.same(seen[0].user, { user_name: 'hk', full_name: '', device_platform: 5 })
  t.same(seen[0].conversationDetails, {})
  t.same(seen[0].userDetails, {})
  t.same(seen[0].env, {})
  t.equal(seen[0].conversationNo, undefined)
})

t.test('without a user the context has an empty one', async t => {
  const { app, seen } = await setup(t)
  await signedPost(app, '/order_status', { event: 'API_INTEGRATION', entities: { order_id: [{ entity_value: 'AB1234' }] } })
  t.same(seen[0].user, {})
})

for (const url of ['/order_status', '/']) {
  t.test(`with invalidEntities: 'reject', bad entities on ${url === '/' ? 'the dispatch route' : 'the step route'} are a 400 naming the step, the entity and what was expected`, async t => {
    const { app, seen } = await setup(t, { invalidEntities: 'reject' })
    const cases: Array<[string, Record<string, unknown[]>, RegExp]> = [
      ['missing', {}, /^Step "order_status": entity "order_id" is required but Haptik sent no detection for it; expected string \(matching \/\^\[A-Z\]\{2\}\\d\{4\}\$\/\)$/],
      ['missing, with a likely misspelling', { orderid: [detection('AB1234')], note: [detection('x')] }, /^Step "order_status": entity "order_id" is required but Haptik sent no detection for it; expected string \(matching .*\); the request has entities the step does not declare: "orderid", "note" \(check the entity names in the bot builder\)$/],
      ['missing, with many undeclared', { a: [], b: [], c: [], d: [] }, /; the request has entities the step does not declare: "a", "b", "c" and 1 more \(check/],
      ['empty list', { order_id: [] }, /entity "order_id" is required but its list of detections is empty; expected string/],
      ['not a list', { order_id: { entity_value: 'AB1234' } as unknown as unknown[] }, /entity "order_id" must be a list of detections/],
      ['wrong pattern', { order_id: [detection('nope')] }, /entity "order_id" \(detection 0\) must be string \(matching .*\), got a string that does not match the pattern$/],
      ['wrong type', { order_id: [detection('AB1234')], express: [detection('maybe')] }, /entity "express" \(detection 0\) must be boolean, got a string/],
      ['object without value', { order_id: [detection({ text: 'AB1234' })] }, /entity "order_id" \(detection 0\) must be string .*got an object/],
      ['not a number', { order_id: [detection('AB1234')], quantity: [detection('many')] }, /entity "quantity" \(detection 0\) must be integer \(>= 1\), got a string/],
      ['below minimum', { order_id: [detection('AB1234')], quantity: [detection(0)] }, /entity "quantity" \(detection 0\) must be integer \(>= 1\), got a number < 1$/],
      ['not an integer', { order_id: [detection('AB1234')], quantity: [detection(2.5)] }, /entity "quantity" \(detection 0\) must be integer \(>= 1\), got a number that is not an integer$/],
      ['second detection', { order_id: [detection('AB1234')], colors: [detection('red'), detection({})] }, /entity "colors" \(detection 1\) must be string, got an object/],
      ['literal', { order_id: [detection('AB1234')], kind: [detection('wholesale')] }, /entity "kind" \(detection 0\) must be "retail" \| "bulk", got a string/],
      ['literal wrapped as { value }', { order_id: [detection('AB1234')], kind: [detection({ value: 'wholesale' })] }, /entity "kind" \(detection 0\) must be "retail" \| "bulk", got \{ value: a string \}$/],
      ['structured', { order_id: [detection('AB1234')], city: [detection('Mumbai')] }, /entity "city" \(detection 0\) must be \{ value: string, from: boolean, to: boolean \}, got a string/],
      ['detection not an object', { order_id: ['AB1234'] }, /entity "order_id" \(detection 0\): must be an object/],
      ['detection field', { order_id: [{ entity_value: 'AB1234', detection: {} }] }, /entity "order_id" \(detection 0\): field "detection" must be string/]
    ]
    for (const [name, entities, message] of cases) {
      const res = await signedPost(app, url, envelope('order_status', entities))
      t.equal(res.statusCode, 400, `${name}: status`)
      t.equal(res.json().code, 'FST_HAPTIK_INVALID_ENTITY', `${name}: code`)
      t.match(res.json().message, message, `${name}: message`)
    }
    t.equal(seen.length, 0)
  })
}

t.test('a number out of range says which bound it broke, never the value', async t => {
  const step = defineStep({
    name: 'add_to_cart',
    entities: Type.Object({ quantity: Type.Integer({ minimum: 1, maximum: 20 }), code: Type.Optional(Type.String({ minLength: 2, maxLength: 4 })), pack: Type.Optional(Type.Number({ exclusiveMinimum: 0, exclusiveMaximum: 10, multipleOf: 0.5 })) }),
    handler: () => 'ok'
  })
  const app = await haptikApp(t, { steps: [step], invalidEntities: 'reject' })
  const cases: Array<[Record<string, unknown[]>, string]> = [
    [{ quantity: [detection(0)] }, 'entity "quantity" (detection 0) must be integer (>= 1, <= 20), got a number < 1'],
    [{ quantity: [detection(2.5)] }, 'entity "quantity" (detection 0) must be integer (>= 1, <= 20), got a number that is not an integer'],
    [{ quantity: [detection(100)] }, 'entity "quantity" (detection 0) must be integer (>= 1, <= 20), got a number > 20'],
    [{ quantity: [detection('100')] }, 'entity "quantity" (detection 0) must be integer (>= 1, <= 20), got a string > 20'],
    [{ quantity: [detection(1)], code: [detection('A')] }, 'entity "code" (detection 0) must be string (at least 2 characters, at most 4 characters), got a string shorter than 2 characters'],
    [{ quantity: [detection(1)], code: [detection('ABCDE')] }, 'entity "code" (detection 0) must be string (at least 2 characters, at most 4 characters), got a string longer than 4 characters'],
    [{ quantity: [detection(1)], pack: [detection(0)] }, 'entity "pack" (detection 0) must be number (> 0, < 10), got a number <= 0'],
    [{ quantity: [detection(1)], pack: [detection(10)] }, 'entity "pack" (detection 0) must be number (> 0, < 10), got a number >= 10'],
    [{ quantity: [detection(1)], pack: [detection(2.2)] }, 'entity "pack" (detection 0) must be number (> 0, < 10), got a number that is not a multiple of 0.5']
  ]
  for (const [entities, message] of cases) {
    const res = await signedPost(app, '/add_to_cart', envelope('add_to_cart', entities))
    t.equal(res.json().message, `Step "add_to_cart": ${message}`)
  }
})

t.test('a bad envelope is a 400 naming the field', async t => {
  const { app, seen } = await setup(t)
  const good = envelope('order_status', { order_id: [detection('AB1234')] })
  const cases: Array<[string, unknown, RegExp]> = [
    ['null body', null, /the body must be a Haptik step request \(a JSON object\), got null/],
    ['array body', [good], /got a list/],
    ['string body', '"hello"', /got a string/],
    ['event not a string', { ...good, event: { type: 'API_INTEGRATION' } }, /field "event" must be string, got an object/],
    ['no entities', { ...good, entities: undefined }, /the request has no "entities" field/],
    ['bad user', { ...good, user: { ...good.user, device_platform: 'web' } }, /field "user.device_platform" must be number, got a string/],
    ['bad env', { ...good, env_variables: { A: { nested: true } } }, /field "env_variables.A" must be string, got an object/],
    ['bad env with a long name', { ...good, env_variables: { ['K'.repeat(300)]: { nested: true } } }, new RegExp(`^Step "[^"]+": field "env_variables\\.${'K'.repeat(106)}…" must be string, got an object$`)]
  ]
  for (const [name, body, message] of cases) {
    const res = await signedPost(app, '/order_status', typeof body === 'string' ? body : JSON.stringify(body))
    t.equal(res.statusCode, 400, `${name}: status`)
    t.equal(res.json().code, 'FST_HAPTIK_INVALID_ENVELOPE', `${name}: code`)
    t.match(res.json().message, message, `${name}: message`)
    t.match(res.json().message, /^Step "order_status": /, `${name}: names the step`)
  }
  t.equal(seen.length, 0)
})

t.test('a request for another step is a 400 that points at the bot builder', async t => {
  const { app, seen } = await setup(t)
  const res = await signedPost(app, '/order_status', envelope('product_price', { order_id: [detection('AB1234')] }))
  t.equal(res.statusCode, 400)
  t.equal(res.json().code, 'FST_HAPTIK_STEP_MISMATCH')
  t.match(res.json().message, 'This URL serves step "order_status" but the request is for step "product_price"')
  const old = await signedPost(app, '/order_status', { ...envelope('x', { order_id: [detection('AB1234')] }), step: undefined, node: 'other' })
  t.equal(old.json().code, 'FST_HAPTIK_STEP_MISMATCH', 'the older "node" field is checked too')
  t.equal(seen.length, 0)
})

t.test('an entity name with a slash is reported as written', async t => {
  const step = defineStep({ name: 'odd', entities: Type.Object({ 'a/b~c': Type.String() }), invalidEntities: 'reject', handler: () => 'ok' })
  const app = await haptikApp(t, { steps: [step] })
  const res = await signedPost(app, '/odd', envelope('odd', { 'a/b~c': [detection([])] }))
  t.match(res.json().message, /entity "a\/b~c" \(detection 0\) must be string, got a list/)
})

t.test('with Ajv defaults turned off, the context still has empty details', async t => {
  const seen: StepContext[] = []
  const step = defineStep({ name: 'bare', handler: context => { seen.push(context); return 'ok' } })
  const app = await haptikApp(t, { steps: [step] }, { ajv: { customOptions: { useDefaults: false } } })
  await signedPost(app, '/bare', { event: 'API_INTEGRATION', entities: {} })
  t.same([seen[0].conversationDetails, seen[0].userDetails, seen[0].env], [{}, {}, {}])
})

t.test('an array entity keeps its own bounds', async t => {
  const step = defineStep({ name: 'toppings', entities: Type.Object({ toppings: Type.Array(Type.String(), { minItems: 2, maxItems: 3 }), extras: Type.Optional(Type.Array(Type.String(), { minItems: 2 })) }), handler: () => 'ok' })
  const app = await haptikApp(t, { steps: [step], invalidEntities: 'reject' })
  const send = (entities: Record<string, unknown[]>) => signedPost(app, '/toppings', envelope('toppings', entities))
  t.equal((await send({ toppings: [detection('a'), detection('b')] })).statusCode, 200)
  t.equal((await send({ toppings: [detection('a')] })).json().code, 'FST_HAPTIK_INVALID_ENTITY', 'below minItems')
  t.equal((await send({ toppings: ['a', 'b', 'c', 'd'].map(v => detection(v)) })).json().code, 'FST_HAPTIK_INVALID_ENTITY', 'over maxItems')
  t.equal((await send({ toppings: [detection('a'), detection('b')], extras: [] })).statusCode, 200, 'an optional entity sent empty is absent')
})

t.test('an optional entity that is sent must carry a value', async t => {
  // Regression: @sinclair/typebox 0.34 marks Type.Optional(...) on the schema
  // itself, which once made `entity_value` (and `{value}`) optional too.
  const { app, seen } = await setup(t, { invalidEntities: 'reject' })
  const cases: Array<[string, Record<string, unknown[]>]> = [
    ['a scalar wrapped without its value', { order_id: [detection('AB1234')], quantity: [detection({})] }],
    ['a detection without entity_value', { order_id: [detection('AB1234')], city: [{ detection: 'message', original_text: 'to mumbai' }] }]
  ]
  for (const [name, entities] of cases) {
    const res = await signedPost(app, '/order_status', envelope('order_status', entities))
    t.equal(res.json().code, 'FST_HAPTIK_INVALID_ENTITY', name)
  }
  t.equal(seen.length, 0)
})
