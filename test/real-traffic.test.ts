// Calls as Haptik really makes them answer 200 on a correctly configured step:
// step names as the bot builder writes them, any event, entities the user got
// wrong, and GET on the step URL. Sources: hellohaptik/docs_haptik, files named
// per test.
import t, { type Test } from 'tap'
import Fastify from 'fastify'
import { Type } from '@sinclair/typebox'
import fastifyHaptik, { DEFAULT_INVALID_ENTITY_MESSAGE, defineStep, type FastifyHaptikOptions, type StepContext } from '../lib/index.js'
import { SECRET, detection, envelope, haptikApp, signedPost } from './helpers/haptik.js'
import { captureLogs } from './helpers/logs.js'

const Price = Type.Object({ product_name: Type.Union([Type.Literal('speaker'), Type.Literal('powerbank')]) })

function priceStep (options: Pick<FastifyHaptikOptions, 'invalidEntities' | 'invalidEntityMessage'> & { name?: string } = {}) {
  const seen: Array<StepContext<typeof Price>> = []
  const step = defineStep({
    name: 'product_price',
    entities: Price,
    handler: context => { seen.push(context); return `price of ${context.entities.product_name}` },
    ...options
  })
  return { seen, step }
}

const speaker = (name: string, extra: Record<string, unknown> = {}) => envelope(name, { product_name: [detection('speaker')] }, extra)

t.test('a body naming the step in capitals, or namespaced, is that step, on its own route and the dispatch route', async t => {
  // docs/bot-builder/basic/creating-nodes.md: "Only underscores and capital case alphanumeric
  // characters are allowed"; docs/bot-builder/integrations/assets/RunCode.png: "KLI::KLI::VALIDATE_OTP".
  const { seen, step } = priceStep()
  const app = await haptikApp(t, { steps: [step], dispatch: true, prefix: '/haptik' })
  for (const name of ['PRODUCT_PRICE', 'Product_Price', 'SHOP::SHOP::PRODUCT_PRICE']) {
    for (const url of ['/haptik/product_price', '/haptik/']) {
      const res = await signedPost(app, url, speaker(name))
      t.same(res.json(), { status: true, response: ['price of speaker'] }, `${name} on ${url}`)
    }
    const old = await signedPost(app, '/haptik/product_price', { ...speaker('x'), step: undefined, node: name })
    t.equal(old.statusCode, 200, `${name} as "node"`)
  }
  t.equal(seen.length, 9)
  t.equal(seen[0].envelope.step, 'PRODUCT_PRICE', 'the body reaches the handler as sent')
})

t.test('a URL pasted into the wrong step is a step mismatch, before its entities are looked at', async t => {
  const { seen, step } = priceStep()
  const app = await haptikApp(t, { steps: [step] })
  // The other step's entities would not match this one's: the mismatch is what is reported.
  const res = await signedPost(app, '/product_price', envelope('NEAREST_STORE', { city: [detection('Pune')] }))
  t.equal(res.statusCode, 400)
  t.equal(res.json().code, 'FST_HAPTIK_STEP_MISMATCH')
  t.equal(res.json().message, 'This URL serves step "product_price" but the request is for step "NEAREST_STORE": check the step\'s integration URL in the bot builder')
  t.equal(seen.length, 0)
})

t.test('any event, or none, is accepted and the handler can read it', async t => {
  // docs/bot-builder/integrations/integration-parameters.md: "event type e.g. API_INTEGRATION".
  const { seen, step } = priceStep()
  const app = await haptikApp(t, { steps: [step] })
  for (const event of ['API_INTEGRATION', 'MESSAGE', undefined]) {
    t.equal((await signedPost(app, '/product_price', speaker('product_price', { event }))).statusCode, 200, String(event))
  }
  t.same(seen.map(context => context.event), ['API_INTEGRATION', 'MESSAGE', undefined])
})

async function loggedApp (t: Test, options: Partial<FastifyHaptikOptions>, steps = [priceStep().step]) {
  const { logger, lines } = captureLogs('info')
  const app = Fastify({ logger })
  t.teardown(() => app.close())
  await app.register(fastifyHaptik, { secret: SECRET, steps, ...options })
  return { app, lines }
}

t.test('entities the user got wrong take the failure path by default, logged as a warning that never holds the value', async t => {
  const { seen, step } = priceStep()
  const { app, lines } = await loggedApp(t, {}, [step])
  const res = await signedPost(app, '/product_price', envelope('product_price', { product_name: [detection('television-9f1c')] }))
  t.equal(res.statusCode, 200)
  t.same(res.json(), { status: false, response: [DEFAULT_INVALID_ENTITY_MESSAGE] })
  t.equal(seen.length, 0, 'the handler never runs')
  const warning = lines.find(line => line.code === 'FST_HAPTIK_INVALID_ENTITY')
  t.equal(warning?.level, 40)
  t.equal(warning?.step, 'product_price')
  t.equal(warning?.msg, 'Step "product_price": entity "product_name" (detection 0) must be "speaker" | "powerbank", got a string')
  t.notOk(lines.some(line => JSON.stringify(line).includes('television-9f1c')), 'the value is in no log line')

  const missing = await signedPost(app, '/product_price', envelope('product_price', {}))
  t.same(missing.json(), { status: false, response: [DEFAULT_INVALID_ENTITY_MESSAGE] }, 'a missing entity too')
})

t.test('the invalid-entity message and policy are set per plugin and per step', async t => {
  const strict = priceStep({ name: 'strict', invalidEntities: 'reject' }).step
  const own = priceStep({ name: 'own', invalidEntityMessage: 'Speaker or powerbank?' }).step
  const { app } = await loggedApp(t, { invalidEntityMessage: 'Please pick a product.' }, [priceStep().step, strict, own])
  const bad = (name: string) => envelope(name, { product_name: [detection('phone')] })
  t.same((await signedPost(app, '/product_price', bad('product_price'))).json(), { status: false, response: ['Please pick a product.'] })
  t.same((await signedPost(app, '/own', bad('own'))).json(), { status: false, response: ['Speaker or powerbank?'] })
  const rejected = await signedPost(app, '/strict', bad('strict'))
  t.equal(rejected.statusCode, 400, "'reject': the 400 of old, for teams building a bot")
  t.equal(rejected.json().code, 'FST_HAPTIK_INVALID_ENTITY')

  const { app: rejecting } = await loggedApp(t, { invalidEntities: 'reject' }, [priceStep().step, priceStep({ name: 'lenient', invalidEntities: 'failure' }).step])
  t.equal((await signedPost(rejecting, '/product_price', bad('product_price'))).statusCode, 400)
  t.equal((await signedPost(rejecting, '/lenient', bad('lenient'))).statusCode, 200, 'a step overrides the plugin')
})

t.test('a request that is not a Haptik request stays an HTTP error, whatever the policy', async t => {
  const { app } = await loggedApp(t, {})
  const cases: Array<[unknown, number, string]> = [
    [{ ...speaker('product_price'), entities: undefined }, 400, 'FST_HAPTIK_INVALID_ENVELOPE'],
    [{ ...speaker('product_price'), user: 'asha' }, 400, 'FST_HAPTIK_INVALID_ENVELOPE'],
    ['[]', 400, 'FST_HAPTIK_INVALID_ENVELOPE']
  ]
  for (const [body, status, code] of cases) {
    const res = await signedPost(app, '/product_price', typeof body === 'string' ? body : JSON.stringify(body))
    t.same([res.statusCode, res.json().code], [status, code])
  }
  const forged = await signedPost(app, '/product_price', envelope('product_price', { product_name: [detection('phone')] }), { secret: 'wrong' })
  t.equal(forged.statusCode, 401, 'an unsigned call never gets the failure path')
})

t.test('GET on a step URL says what it serves, and runs no step', async t => {
  // docs/bot-builder/integrations/integrating-apis.md: "An open port that accepts GET and POST
  // requests"; its sample server answers GET with 200.
  const { seen, step } = priceStep()
  const app = await haptikApp(t, { steps: [step], prefix: '/haptik', dispatch: true })
  const one = await app.inject({ method: 'GET', url: '/haptik/product_price' })
  t.equal(one.statusCode, 200)
  t.same(one.json(), { steps: ['product_price'], message: 'This URL serves the Haptik step "product_price": Haptik calls it with a POST signed with the step secret (X-Hub-Signature).' })
  const all = await app.inject({ method: 'GET', url: '/haptik/' })
  t.same(all.json().steps, ['product_price'])
  t.match(all.json().message, 'This URL serves the Haptik step "product_price"')
  t.equal((await app.inject({ method: 'HEAD', url: '/haptik/product_price' })).statusCode, 200)
  t.equal(seen.length, 0)
})

t.test("GET never takes a route the app serves: the app's own GET stays, and the dispatch URL without a prefix is the app's /", async t => {
  const { step } = priceStep()
  const app = Fastify()
  t.teardown(() => app.close())
  app.get('/product_price', async () => 'the app\'s own page')
  await app.register(fastifyHaptik, { secret: SECRET, steps: [step], dispatch: true })
  app.get('/', async () => 'the app\'s home page')
  t.equal((await app.inject({ method: 'GET', url: '/product_price' })).body, "the app's own page")
  t.equal((await app.inject({ method: 'GET', url: '/' })).body, "the app's home page", 'registered after the plugin, without a clash')
  const res = await signedPost(app, '/', envelope('product_price', { product_name: [detection('speaker')] }))
  t.equal(res.statusCode, 200, 'POST / is still the dispatch route')
})

t.test("with a prefix, the app's own GET on the prefix itself stays the app's", async t => {
  const { step } = priceStep()
  const app = Fastify()
  t.teardown(() => app.close())
  app.get('/haptik', async () => 'the app\'s bot page')
  await app.register(fastifyHaptik, { prefix: '/haptik', secret: SECRET, steps: [step], dispatch: true })
  t.equal((await app.inject({ method: 'GET', url: '/haptik' })).body, "the app's bot page")
  t.same((await app.inject({ method: 'GET', url: '/haptik/' })).json().steps, ['product_price'])
})

t.test("with a prefix, the app's own GET on the prefix with its slash, or on both, stays the app's", async t => {
  for (const own of [['/haptik/'], ['/haptik', '/haptik/']]) {
    const { step } = priceStep()
    const app = Fastify()
    t.teardown(() => app.close())
    for (const url of own) app.get(url, async () => `the app's ${url}`)
    await app.register(fastifyHaptik, { prefix: '/haptik', secret: SECRET, steps: [step], dispatch: true })
    for (const url of own) t.equal((await app.inject({ method: 'GET', url })).body, `the app's ${url}`)
    if (own.length === 1) t.same((await app.inject({ method: 'GET', url: '/haptik' })).json().steps, ['product_price'], 'the other URL describes the dispatch route')
  }
})
