import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import t from 'tap'
import Fastify from 'fastify'
import { Type } from '@sinclair/typebox'
import fastifyHaptik, { HAPTIK_REDACT_PATHS, defineStep, handoff, sign, StepFailure, verify } from '../lib/index.js'
import { hsl, isHslType } from '../lib/hsl/index.js'
import { DEFAULT_USER, REDACTED, callStep, conversation, detection, haptikRequest, parseMessage, parseMessages, replay, signedRequest } from '../lib/testing/index.js'
import { build } from '../example/server.js'
import { flightSearch, nearestStore, productPrice } from '../example/steps.js'
import { codeBlocks } from './helpers/docs.js'
import { haptikSignature } from './helpers/haptik.js'
import { captureLogs } from './helpers/logs.js'

// ---- docs/testing.md: Testing your steps (the body below is that page's test, word for word) ----
t.test('the speaker costs Rs.1599', async t => {
  const app = await build({ secret: 'test' })
  t.teardown(() => app.close())
  const { statusCode, reply } = await callStep(app, productPrice, { product_name: 'speaker' }, { secret: 'test', prefix: '/haptik' })
  t.equal(statusCode, 200)
  t.same(reply, { status: true, response: ['The Wireless Radio Alarm Clock Speaker can be yours only for Rs.1599'] })
})

t.test('a city without a store gets the failure path', async t => {
  const app = await build({ secret: 'test' })
  t.teardown(() => app.close())
  const { reply } = await callStep(app, nearestStore, { city: { value: 'Leh' } }, {
    secret: 'test',
    prefix: '/haptik',
    overrides: { user: { language_code: 'hi' }, conversation_no: 7 }
  })
  t.same(reply, { status: false, response: ['We have no store in Leh yet. We deliver there, though!'] })
})

t.test('a call signed with another secret is refused', async t => {
  const app = await build({ secret: 'test' })
  t.teardown(() => app.close())
  const { statusCode, error } = await callStep(app, productPrice, { product_name: 'speaker' }, { secret: 'not-the-secret', prefix: '/haptik' })
  t.equal(statusCode, 401)
  t.equal(error?.code, 'FST_HAPTIK_INVALID_SIGNATURE')
})
// ---- end of the docs' test ----

t.test('docs/testing.md shows the test above, word for word', async t => {
  const between = (text: string, start: string, end: string) => {
    const from = text.indexOf(start) + start.length
    return text.slice(from, text.indexOf(end, from)).trim()
  }
  // The user's test is the docs' block that starts with its file name and imports tap (test/package/docs.test.ts
  // checks there is one, and one for node:test, which test/package/consumers.test.ts runs).
  const [shown] = codeBlocks().filter(block => block.kind === 'test' && block.code.includes("from 'tap'")).map(block => block.code.trim())
  t.equal(shown.split('\n')[0], '// test/steps.test.ts')
  const here = between(readFileSync(fileURLToPath(import.meta.url), 'utf8'), 'word for word) ----', '// ---- end of')
  const body = shown.slice(shown.indexOf('t.test('))
  t.equal(body, here, 'the tests are identical')
  for (const line of ["import t from 'tap'", "import { callStep } from 'fastify-haptik/testing'"]) {
    t.ok(shown.includes(line), `docs/testing.md imports: ${line}`)
  }
})

t.test('sign returns the X-Hub-Signature value: RFC 2202 HMAC-SHA1 test vectors', async t => {
  const vectors: Array<[key: Buffer | string, data: Buffer | string, digest: string]> = [
    [Buffer.alloc(20, 0x0b), 'Hi There', 'b617318655057264e28bc0b6fb378c8ef146be00'],
    ['Jefe', 'what do ya want for nothing?', 'effcdf6ae5eb2fa2d27416d5f184df9c259a7c79'],
    [Buffer.alloc(20, 0xaa), Buffer.alloc(50, 0xdd), '125d7342b9ac11cd91a39af48aa17b4f63f175d3'],
    [Buffer.from(Array.from({ length: 25 }, (_, i) => i + 1)), Buffer.alloc(50, 0xcd), '4c9007f4026250c6bc8414f9bf50c86c2d7235da'],
    [Buffer.alloc(20, 0x0c), 'Test With Truncation', '4c1a03424b55e07fe7f27be1d58bb9324a9a5a04'],
    [Buffer.alloc(80, 0xaa), 'Test Using Larger Than Block-Size Key - Hash Key First', 'aa4ae5e15272d00e95705637ce8a3b55ed402112'],
    [Buffer.alloc(80, 0xaa), 'Test Using Larger Than Block-Size Key and Larger Than One Block-Size Data', 'e8e99d0f45237d786d6bbaa7965c7808bbff1a91']
  ]
  for (const [index, [key, data, digest]] of vectors.entries()) {
    t.equal(sign(data, key), `sha1=${digest}`, `test case ${index + 1}`)
    if (typeof data === 'string') t.equal(sign(Buffer.from(data), key), `sha1=${digest}`, `test case ${index + 1} as a Buffer`)
  }
})

t.test('haptikRequest builds the full envelope from plain entity values', async t => {
  t.same(haptikRequest(productPrice, { product_name: 'speaker' }), {
    step: 'product_price',
    event: 'API_INTEGRATION',
    user: {
      user_id: '5120931',
      user_name: 'hk_8f2c1e',
      full_name: 'Asha Rao',
      device_platform: 5,
      language_code: 'en',
      auth_id: '',
      auth_code: ''
    },
    conversation_no: 1,
    conversation_details: {},
    user_details: {},
    env_variables: {},
    entities: { product_name: [{ detection: 'message', original_text: 'speaker', entity_value: 'speaker' }] }
  })
  t.same(haptikRequest(productPrice, { product_name: 'speaker' }).user, DEFAULT_USER)
  t.same(haptikRequest('greeting'), haptikRequest('greeting', {}, {}), 'a step name alone makes a request without entities')
  t.same(haptikRequest('greeting').entities, {})
})

t.test('haptikRequest turns each kind of value into detections', async t => {
  const step = defineStep({
    name: 'kinds',
    entities: Type.Object({
      city: Type.Object({ value: Type.String(), to: Type.Boolean() }),
      colors: Type.Array(Type.String()),
      quantity: Type.Number(),
      date: Type.Object({ value: Type.Object({ dd: Type.Number(), mm: Type.Number() }) }),
      gift: Type.Boolean(),
      note: Type.Optional(Type.String())
    }),
    handler: () => 'ok'
  })
  const { entities } = haptikRequest(step, {
    city: { value: 'Mumbai', to: true },
    colors: ['red', 'blue'],
    quantity: 30,
    date: { value: { dd: 23, mm: 12 } },
    gift: false,
    note: undefined
  })
  t.same(entities, {
    city: [{ detection: 'message', original_text: 'Mumbai', entity_value: { value: 'Mumbai', to: true } }],
    colors: [
      { detection: 'message', original_text: 'red', entity_value: 'red' },
      { detection: 'message', original_text: 'blue', entity_value: 'blue' }
    ],
    quantity: [{ detection: 'message', original_text: '30', entity_value: 30 }],
    date: [{ detection: 'message', original_text: 'date', entity_value: { value: { dd: 23, mm: 12 } } }],
    gift: [{ detection: 'message', original_text: 'false', entity_value: false }]
  }, 'one detection per value; an optional entity left undefined is not sent; a value with no text of its own is typed as its name')

  const byName = haptikRequest('kinds', { colors: ['red', 'blue'], amount: { value: 50, unit: 'rupees' }, nothing: null })
  t.equal(byName.entities.colors.length, 2, 'without the step, a list is several detections')
  t.same(byName.entities.amount, [{ detection: 'message', original_text: '50', entity_value: { value: 50, unit: 'rupees' } }])
  t.same(byName.entities.nothing, [{ detection: 'message', original_text: 'null', entity_value: null }])

  const listValue = defineStep({ name: 'list_value', entities: Type.Object({ pair: Type.Tuple([Type.String(), Type.String()]) }), handler: () => 'ok' })
  t.same(haptikRequest(listValue, { pair: ['a', 'b'] }).entities.pair, [{ detection: 'message', original_text: 'pair', entity_value: ['a', 'b'] }],
    'a value that is a list but not an array entity stays one detection')
})

t.test('detection makes one detection, with any field set', async t => {
  t.same(detection('speaker'), { detection: 'message', original_text: 'speaker', entity_value: 'speaker' })
  t.same(detection('a@b.co', { detection: 'user_profile' }), { detection: 'user_profile', original_text: 'a@b.co', entity_value: 'a@b.co' })
  t.same(detection({ value: 'McDonald\'s' }, { original_text: 'mcd', language: 'en' }),
    { detection: 'message', original_text: 'mcd', entity_value: { value: 'McDonald\'s' }, language: 'en' })
  t.equal(detection(30).original_text, '30')
  t.equal(detection({ value: 'Pune', to: true }).original_text, 'Pune')
  t.equal(detection({ dd: 23, mm: 12 }).original_text, '{"dd":23,"mm":12}', 'a value with no text of its own, and no entity name to go by: its JSON')
})

t.test('haptikRequest overrides any field', async t => {
  const request = haptikRequest(productPrice, { product_name: 'speaker' }, {
    user: { language_code: 'hi', user_id: 42 },
    conversation_no: 9,
    user_details: { city: 'Pune' },
    env_variables: { ORDERS_API: 'https://orders.example.test' },
    entities: { product_name: [detection('speaker', { detection: 'fallback_value' })], extra: [detection('x')] },
    bot_id: 'b-1'
  })
  t.same(request.user, { ...DEFAULT_USER, language_code: 'hi', user_id: 42 }, 'user is merged into the default user')
  t.equal(request.conversation_no, 9)
  t.same(request.user_details, { city: 'Pune' })
  t.same(request.env_variables, { ORDERS_API: 'https://orders.example.test' })
  t.same(request.entities, {
    product_name: [{ detection: 'fallback_value', original_text: 'speaker', entity_value: 'speaker' }],
    extra: [{ detection: 'message', original_text: 'x', entity_value: 'x' }]
  }, 'entities are merged by name')
  t.equal(request.bot_id, 'b-1', 'unknown fields are added')

  const older = haptikRequest(productPrice, { product_name: 'speaker' }, { step: undefined, node: 'product_price', user: undefined, conversation_no: undefined, entities: { product_name: undefined } })
  t.notOk('step' in older, 'a field set to undefined is left out')
  t.notOk('user' in older)
  t.notOk('conversation_no' in older)
  t.equal(older.node, 'product_price')
  t.same(older.entities, {})
  t.notOk('full_name' in haptikRequest('x', {}, { user: { full_name: undefined } }).user!, 'a user field set to undefined is left out')
})

t.test('signedRequest gives the exact bytes and the headers Haptik sends', async t => {
  const envelope = haptikRequest(productPrice, { product_name: 'speaker' })
  const signed = signedRequest(envelope, 'test')
  t.equal(signed.payload, JSON.stringify(envelope))
  t.same(signed.headers, { 'content-type': 'application/json', 'x-hub-signature': haptikSignature(JSON.stringify(envelope), 'test') })
  t.ok(verify(signed.payload, signed.headers['x-hub-signature'], 'test'))

  const bytes = Buffer.from('{"event":"API_INTEGRATION"}')
  t.equal(signedRequest(bytes, 'test').payload, bytes, 'a Buffer is sent as it is')
  t.equal(signedRequest('{ "a": 1 }', Buffer.from('test')).headers['x-hub-signature'], haptikSignature('{ "a": 1 }', 'test'), 'a string too')
  t.same(signedRequest(envelope).headers, { 'content-type': 'application/json' }, 'no secret, no signature')
})

t.test('callStep signs, sends and parses one call', async t => {
  const app = await build({ secret: 'kit' })
  t.teardown(() => app.close())
  const call = await callStep(app, productPrice, { product_name: 'powerbank' }, { secret: 'kit', prefix: '/haptik' })
  t.equal(call.statusCode, 200)
  t.same(call.reply, { status: true, response: ['The Ambrane Powerbank can be yours only for Rs.1799'] })
  t.equal(call.error, undefined)
  t.same(call.request, haptikRequest(productPrice, { product_name: 'powerbank' }), 'the request sent is the built one')
  t.equal(call.response.headers['content-type'], 'application/json; charset=utf-8')

  const city = await callStep(app, 'nearest_store', { city: { value: 'Pune' } }, { secret: 'kit', url: '/haptik/nearest_store' })
  t.same(city.reply, {
    status: true,
    response: ['Our Pune store is at 4 FC Road, Shivajinagar. Call +91 20 5555 0202.'],
    user_details: { preferred_city: 'Pune' }
  }, 'a step by name and URL')
})

t.test('callStep sends your body and headers when given', async t => {
  const app = await build({ secret: 'kit' })
  t.teardown(() => app.close())
  const notJson = await callStep(app, productPrice, { product_name: 'speaker' }, { secret: 'kit', prefix: '/haptik', body: '{"not json' })
  t.equal(notJson.statusCode, 400)
  t.equal(notJson.error?.code, 'FST_HAPTIK_INVALID_JSON')
  t.equal(notJson.reply, undefined)
  t.equal(notJson.request, '{"not json')

  const wrongStep = await callStep(app, productPrice, { product_name: 'speaker' }, {
    secret: 'kit', prefix: '/haptik', body: haptikRequest(productPrice, { product_name: 'speaker' }, { step: 'nearest_store' })
  })
  t.equal(wrongStep.error?.code, 'FST_HAPTIK_STEP_MISMATCH')

  const forged = await callStep(app, productPrice, { product_name: 'speaker' }, {
    secret: 'kit', prefix: '/haptik', headers: { 'x-hub-signature': `sha1=${'0'.repeat(40)}` }
  })
  t.equal(forged.error?.code, 'FST_HAPTIK_INVALID_SIGNATURE', 'your headers replace the defaults')
})

t.test('callStep without a signature, and answers that are not Haptik replies', async t => {
  const app = Fastify()
  t.teardown(() => app.close())
  await app.register(fastifyHaptik, {
    allowUnsigned: true,
    steps: [defineStep({ name: 'sorry', handler: () => { throw new StepFailure(['Sorry.', 'Try later.']) } })]
  })
  const signatures: unknown[] = []
  app.addHook('onRequest', async request => { signatures.push(request.headers['x-hub-signature']) })
  app.post('/text', async () => 'plain text')
  app.post('/object', async () => ({ ok: true }))
  app.post('/numbers', async () => ({ status: true, response: [1] }))
  const sorry = await callStep(app, 'sorry', {}, { unsigned: true })
  t.same(sorry.reply, { status: false, response: ['Sorry.', 'Try later.'] })
  t.same(signatures, [undefined], 'no signature sent')

  const text = await callStep(app, 'text', {}, { unsigned: true })
  t.equal(text.statusCode, 200)
  t.equal(text.reply, undefined, 'text is no reply')
  t.equal(text.error, undefined)
  const object = await callStep(app, 'object', {}, { unsigned: true })
  t.equal(object.reply, undefined, 'an object without status and response is no reply')
  t.equal(object.error, undefined)
  t.equal(object.messages, undefined)
  t.equal(object.handsOver, false)
  const numbers = await callStep(app, 'numbers', {}, { unsigned: true })
  t.same(numbers.messages, [1], 'what is no string is left as it is')
})

t.test('callStep reads every HSL type in the reply, and tells a hand-over', async t => {
  const form = hsl.form('Your details', [{ key: 'email', type: 'text', keyboardType: 'email' }, { key: 'city', type: 'picker', options: ['Pune', 'Mumbai'] }])
  const messages = [
    'Hello',
    hsl.text('Pick one', { quickReplies: [hsl.quickReply('Yes')], voiceText: 'Pick one' }),
    hsl.button('Help?', [hsl.call('Call us', '123')]),
    hsl.carousel([{ title: 'A' }]),
    hsl.image('https://x.test/a.png'),
    form,
    hsl.system('Done', 'chat_complete'),
    hsl.silent('', [hsl.silentAction('refresh', 1, 'shop')]),
    hsl.nativeAction('Opening', 'open_cart'),
    hsl.message({ type: 'RECEIPT', text: 'Your receipt' })
  ]
  const app = Fastify()
  t.teardown(() => app.close())
  await app.register(fastifyHaptik, {
    allowUnsigned: true,
    steps: [defineStep({ name: 'rich', handler: () => messages }), defineStep({ name: 'agent', handler: () => handoff() })]
  })
  const rich = await callStep(app, 'rich', {}, { unsigned: true })
  t.same(rich.messages, messages, 'each message as the handler made it')
  t.equal(rich.handsOver, false)
  const found = rich.messages?.find(message => isHslType(message, 'FORM'))
  t.same(found, form)
  t.notOk(isHslType('FORM', 'FORM'), 'plain text is no HSL')
  const agent = await callStep(app, 'agent', {}, { unsigned: true })
  t.same(agent.reply, { status: false, response: [] })
  t.same(agent.messages, [])
  t.equal(agent.handsOver, true)

  t.equal(parseMessage('{not json'), '{not json', 'text that looks like JSON stays text')
  t.equal(parseMessage('{"text":"no type"}'), '{"text":"no type"}')
  t.equal(parseMessage('[1]'), '[1]')
  t.equal(parseMessage('{"type":"TEXT","text":null}') instanceof Object, true)
  t.same(parseMessages(['a', JSON.stringify(form)]), ['a', form])
})

t.test('callStep says what is missing instead of sending a call that cannot work', async t => {
  const app = await build({ secret: 'kit' })
  t.teardown(() => app.close())
  await t.rejects(callStep(app, productPrice, { product_name: 'speaker' }, { secret: 'kit' }),
    { message: 'callStep: the app has no POST route at /product_price for step "product_price": pass `prefix` (the prefix fastify-haptik was registered with) or `url`' })
  await t.rejects(callStep(app, productPrice, { product_name: 'speaker' }, { prefix: '/haptik' }),
    new TypeError('callStep: pass `secret` (the secret the app was registered with) or `unsigned: true`'))
  await t.rejects(callStep(app, productPrice, { product_name: 'speaker' }, undefined as never),
    new TypeError('callStep: pass `secret` (the secret the app was registered with) or `unsigned: true`'), 'no options at all (from JavaScript)')
})

t.test('an entity the step does not declare is named, with the one it most likely meant and the missing ones', async t => {
  const app = await build({ secret: 'kit' })
  t.teardown(() => app.close())
  const options = { secret: 'kit', prefix: '/haptik' }
  const date = { value: { dd: 2, mm: 1, yy: 2026, type: 'date' } }
  const entities = { from_city: 'Mumbai', to_cty: 'Goa', travel_date: date }
  await t.rejects(callStep(app, flightSearch, entities as never, options), new TypeError(
    'callStep: step "flight_search" has no entity "to_cty" (did you mean "to_city"?); the required "to_city" is not given. ' +
    'Its entities: from_city, to_city, travel_date, passengers (optional). To send an entity the step does not declare, give its detections in overrides.entities.'))
  t.throws(() => haptikRequest(flightSearch, { from_city: 'Mumbai', to_city: 'Goa', travel_date: date, pasengers: 2, Travel_Date: date, xyz: 1 } as never), new TypeError(
    'haptikRequest: step "flight_search" has no entity "pasengers" (did you mean "passengers"?), "Travel_Date", "xyz". ' +
    'Its entities: from_city, to_city, travel_date, passengers (optional). To send an entity the step does not declare, give its detections in overrides.entities.'),
  'a declared name already given is not suggested; case alone is a difference')
  t.throws(() => haptikRequest(defineStep({ name: 'bare', handler: () => 'ok' }), { city: 'Pune' } as never),
    new TypeError('haptikRequest: step "bare" has no entity "city". It declares no entities. To send an entity the step does not declare, give its detections in overrides.entities.'))
  t.throws(() => haptikRequest(flightSearch, { from_cty: 'Mumbai', to_cty: 'Goa', travel_date: date } as never),
    { message: /has no entity "from_cty" \(did you mean "from_city"\?\), "to_cty" \(did you mean "to_city"\?\); the required "from_city", "to_city" are not given/ })

  // What it does not refuse: an undeclared entity left out, a missing entity alone (the invalid-entity path), names for a step given by name, overrides.
  t.notOk('to_cty' in haptikRequest(flightSearch, { from_city: 'Mumbai', to_city: 'Goa', travel_date: date, to_cty: undefined } as never).entities)
  const missing = await callStep(app, flightSearch, { from_city: 'Mumbai', travel_date: date } as never, options)
  t.same(missing.reply, { status: false, response: ["Sorry, I didn't quite get that. Could you say it another way?"] }, 'a missing entity alone is sent: the invalid-entity path')
  t.ok(haptikRequest('flight_search', { to_cty: 'Goa' }).entities?.to_cty, 'a step named by a string takes any entity')
  const extra = await callStep(app, productPrice, { product_name: 'speaker' }, { ...options, overrides: { entities: { colour: [detection('red')] } } })
  t.equal(extra.statusCode, 200, 'an undeclared entity sent on purpose, in overrides.entities')
})

t.test('conversation() carries the user, the conversation number and the returned details from call to call', async t => {
  const seen: Array<{ user: unknown, no: unknown, details: unknown, userDetails: unknown }> = []
  const step = defineStep({
    name: 'remember',
    entities: Type.Object({ note: Type.String() }),
    handler: ({ entities, user, conversationNo, conversationDetails, userDetails }) => {
      seen.push({ user: user.user_id, no: conversationNo, details: conversationDetails, userDetails })
      return entities.note === 'quiet' ? 'nothing returned' : { response: 'noted', conversation_details: { last: entities.note }, user_details: { seen: entities.note } }
    }
  })
  const app = Fastify()
  t.teardown(() => app.close())
  await app.register(fastifyHaptik, { secret: 'test', steps: [step] })
  const chat = conversation(app, { secret: 'test', user: { user_id: 'u-7' }, conversationNo: 4, conversationDetails: { from: 'start' } })
  await chat.call(step, { note: 'a' })
  await chat.call(step, { note: 'quiet' })
  await chat.call(step, { note: 'b' })
  chat.next()
  await chat.call(step, { note: 'c' })
  t.same(seen, [
    { user: 'u-7', no: 4, details: { from: 'start' }, userDetails: {} },
    { user: 'u-7', no: 4, details: { last: 'a' }, userDetails: { seen: 'a' } },
    { user: 'u-7', no: 4, details: { last: 'a' }, userDetails: { seen: 'a' } },
    { user: 'u-7', no: 5, details: {}, userDetails: { seen: 'b' } }
  ], 'returned details replace what was held; a reply without them leaves them; next() starts the next conversation')
  t.same([chat.conversationNo, chat.conversationDetails, chat.userDetails, chat.calls.length], [5, { last: 'c' }, { seen: 'c' }, 4])
})

t.test('replay() sends a request captured in a redacted log line, with what was redacted filled in', async t => {
  const { logger, lines } = captureLogs('info', { redact: [...HAPTIK_REDACT_PATHS] })
  const app = Fastify({ logger })
  t.teardown(() => app.close())
  app.addHook('preHandler', async request => {
    if (request.routeOptions.config.haptikStep !== undefined) request.log.info({ haptikRequest: request.body }, 'haptik request')
  })
  await app.register(fastifyHaptik, { prefix: '/haptik', secret: 'test', steps: [productPrice] })
  const live = await callStep(app, productPrice, { product_name: 'powerbank' }, { secret: 'test', prefix: '/haptik' })
  const captured = lines.find(line => line.msg === 'haptik request') as { haptikRequest: { user: Record<string, unknown>, entities: Record<string, Array<Record<string, unknown>>> } }
  t.equal(captured.haptikRequest.user.auth_code, REDACTED, 'the log line is redacted')
  t.equal(captured.haptikRequest.entities.product_name[0].entity_value, REDACTED)
  const replayed = await replay(app, captured, { secret: 'test', prefix: '/haptik', entities: { product_name: 'powerbank' } })
  t.same(replayed.reply, live.reply, 'the same answer as the live call')
  t.same((replayed.request as { user: unknown }).user, { ...captured.haptikRequest.user, auth_code: DEFAULT_USER.auth_code, auth_id: DEFAULT_USER.auth_id, user_name: DEFAULT_USER.user_name, full_name: DEFAULT_USER.full_name })
  await t.rejects(replay(app, captured, { secret: 'test', prefix: '/haptik' }), { name: 'TypeError', message: 'replay: the captured entity "product_name" was redacted: give its value as entities.product_name' })
  await t.rejects(replay(app, { entities: {} }, { secret: 'test' }), { message: 'replay: the captured request names no step ("step" or "node"): pass `step`' })
  await t.rejects(replay(app, 'a line', { secret: 'test' }), { message: 'replay: expected a captured Haptik request (an object), or a log line with it under haptikRequest' })
  const bare = await replay(app, { ...captured.haptikRequest, conversation_details: REDACTED, entities: { product_name: [{ entity_value: 'speaker', original_text: REDACTED }] } }, { secret: 'test', step: productPrice, url: '/haptik/product_price' })
  t.equal(bare.reply?.status, true, 'a bare request replays too')
  const odd = await replay(app, { node: 'product_price', user: { user_id: '7', nickname: REDACTED }, entities: { product_name: [{ entity_value: REDACTED, original_text: REDACTED }] } }, { secret: 'test', prefix: '/haptik', entities: { product_name: { value: 'speaker' } } })
  t.same((odd.request as { user: unknown }).user, { user_id: '7', nickname: '' }, 'a redacted field the default user has not is blanked')
  t.same((odd.request as { entities: unknown }).entities, { product_name: [{ entity_value: { value: 'speaker' }, original_text: '' }] }, 'the text of a structured value is blanked')
  const none = await replay(app, { step: 'product_price' }, { secret: 'test', prefix: '/haptik' })
  t.equal(none.statusCode, 400, 'a request without user or entities is sent as it is (and refused)')
})
