import t from 'tap'
import Fastify from 'fastify'
import { Type } from '@sinclair/typebox'
import fastifyHaptik, { defineStep, fastifyHaptik as named, isStep, type FastifyHaptikOptions } from '../lib/index.js'
import { SECRET, envelope, haptikApp, haptikSignature, signedPost } from './helpers/haptik.js'
import { captureLogs } from './helpers/logs.js'

const hello = defineStep({ name: 'hello', handler: () => 'hi' })

async function registrationError (options: unknown): Promise<Error> {
  const app = Fastify()
  try {
    await app.register(fastifyHaptik, options as FastifyHaptikOptions)
    await app.ready()
  } catch (error) {
    return error as Error
  } finally {
    await app.close()
  }
  throw new Error('registration succeeded')
}

t.test('the default export and the named export are the same plugin', async t => {
  t.equal(fastifyHaptik, named)
})

t.test('without any secret the plugin refuses to register, saying no secret was given to it and naming every step without one', async t => {
  const error = await registrationError({ steps: [hello] }) as Error & { code: string }
  t.equal(error.code, 'FST_HAPTIK_MISSING_SECRET')
  t.equal(error.message, 'fastify-haptik: no secret was given to the plugin, and step "hello" has no secret of its own. Pass `secret` (the step\'s secret in the bot builder) to the plugin or to each step, or set `allowUnsigned: true` to accept unsigned calls on purpose')
  const signed = defineStep({ name: 'signed', secret: SECRET, handler: () => 'signed' })
  const bye = defineStep({ name: 'bye', handler: () => 'bye' })
  const several = await registrationError({ steps: [hello, signed, bye] })
  t.match(several.message, /^fastify-haptik: no secret was given to the plugin, and steps "hello", "bye" have no secret of its own\./)
})

t.test('allowUnsigned serves steps without a secret and warns at start', async t => {
  const { logger, lines } = captureLogs<{ level: number, msg: string, steps?: string[] }>('warn')
  const app = Fastify({ logger })
  t.teardown(() => app.close())
  const signed = defineStep({ name: 'signed', secret: SECRET, handler: () => 'signed' })
  await app.register(fastifyHaptik, { steps: [hello, signed], allowUnsigned: true })
  await app.ready()
  const warning = lines.find(line => line.msg.includes('allowUnsigned'))
  t.equal(warning?.msg, 'fastify-haptik: allowUnsigned is on; these steps accept calls that anyone can forge', 'the warning says what it means')
  t.equal(warning?.level, 40)
  t.same(warning?.steps, ['hello'], 'it names the unsigned steps only')

  const res = await app.inject({ method: 'POST', url: '/hello', payload: envelope('hello', {}) })
  t.same(res.json(), { status: true, response: ['hi'] })
  t.equal((await app.inject({ method: 'POST', url: '/signed', payload: envelope('signed', {}) })).statusCode, 401,
    'a step with a secret is still verified')
})

t.test('invalid options fail registration with a specific message', async t => {
  const cases: Array<[string, unknown, RegExp]> = [
    ['no options object', null, /steps must be a non-empty list/],
    ['no steps', { secret: SECRET }, /steps must be a non-empty list/],
    ['empty steps', { secret: SECRET, steps: [] }, /steps must be a non-empty list/],
    ['not a step', { secret: SECRET, steps: [{ name: 'x', handler: () => 'x' }] }, /steps\[0\] is not a step/],
    ['duplicate name', { secret: SECRET, steps: [hello, hello] }, /step "hello" is listed twice/],
    ['duplicate path', { secret: SECRET, steps: [hello, defineStep({ name: 'other', path: '/hello', handler: () => '' })] }, /path "\/hello" is already used/],
    ['bad prefix', { secret: SECRET, steps: [hello], prefix: 'haptik' }, /prefix must be a path starting with "\/"/],
    ['bad allowUnsigned', { steps: [hello], allowUnsigned: 'yes' }, /allowUnsigned must be a boolean/],
    ['bad bodyLimit', { secret: SECRET, steps: [hello], bodyLimit: -1 }, /bodyLimit must be a positive integer, got -1/],
    ['bad timeout', { secret: SECRET, steps: [hello], timeout: 1.5 }, /timeout must be a positive integer/],
    ['huge timeout', { secret: SECRET, steps: [hello], timeout: 3e9 }, /timeout must be at most 2147483647, got 3000000000/],
    ['bad step timeout', { secret: SECRET, steps: [defineStep({ name: 's', timeout: 0, handler: () => '' })] }, /step "s": timeout must be a positive integer/],
    ['empty fallback', { secret: SECRET, steps: [hello], fallbackMessage: ' ' }, /fallbackMessage must not be empty/],
    ['fallback without default', { secret: SECRET, steps: [hello], fallbackMessage: { hi: 'क्षमा करें' } }, /fallbackMessage must be a string, or an object of strings by language code with a "default"/],
    ['empty translation', { secret: SECRET, steps: [hello], fallbackMessage: { default: 'Sorry', hi: '' } }, /fallbackMessage.hi must be a non-empty string/],
    ['bad invalidEntities', { secret: SECRET, steps: [hello], invalidEntities: 'ignore' }, /invalidEntities must be 'failure' or 'reject', got "ignore"/],
    ['bad step invalidEntities', { secret: SECRET, steps: [defineStep({ name: 's', invalidEntities: 'drop' as 'reject', handler: () => '' })] }, /step "s": invalidEntities must be/],
    ['bad invalidEntityMessage', { secret: SECRET, steps: [hello], invalidEntityMessage: 42 }, /invalidEntityMessage must be a string/],
    ['names that differ by case', { secret: SECRET, steps: [hello, defineStep({ name: 'HELLO', path: '/loud', handler: () => '' })] }, /steps "hello" and "HELLO" have the same name to Haptik, which matches names ignoring case/],
    ['empty secret', { secret: '', steps: [hello] }, /fastify-haptik: secret is empty/],
    ['empty secret list', { secret: [], steps: [hello] }, /fastify-haptik: the secret list is empty/],
    ['empty step secret', { steps: [defineStep({ name: 's', secret: [], handler: () => '' })] }, /step "s": the secret list is empty/],
    ['bad step secret', { steps: [defineStep({ name: 's', secret: [SECRET, ''], handler: () => '' })] }, /step "s": secret #1 is empty/],
    ['bad dispatch', { secret: SECRET, steps: [hello], dispatch: 'yes' }, /dispatch must be a boolean/],
    ['bad environment', { secret: SECRET, steps: [hello], environment: '' }, /environment must be a non-empty string/],
    ['bad detailsLimit', { secret: SECRET, steps: [hello], detailsLimit: 500 }, /detailsLimit must be an object like \{ userDetails: 200 \} or false/],
    ['bad detailsLimit value', { secret: SECRET, steps: [hello], detailsLimit: { userDetails: -1 } }, /detailsLimit.userDetails must be a positive integer, got -1/],
    ['number secret', { secret: 42, steps: [hello] }, /secret must be a string or a Buffer, got number/],
    ['bad telemetry', { secret: SECRET, steps: [hello], telemetry: 'otel' }, /telemetry must be an object like \{ tracerProvider, meterProvider \}/],
    ['bad tracerProvider', { secret: SECRET, steps: [hello], telemetry: { tracerProvider: {} } }, /tracerProvider has no getTracer\(\)/],
    ['bad meterProvider', { secret: SECRET, steps: [hello], telemetry: { meterProvider: null } }, /meterProvider has no getMeter\(\)/]
  ]
  for (const [name, options, message] of cases) {
    const error = await registrationError(options) as Error & { code: string }
    t.match(error.message, message, name)
    t.equal(error.code, 'FST_HAPTIK_INVALID_OPTION', `${name}: code`)
  }
})

t.test('defineStep rejects a misconfigured step at once', async t => {
  const bad = (definition: unknown) => () => defineStep(definition as Parameters<typeof defineStep>[0])
  t.throws(bad(null), /defineStep expects an object/)
  t.throws(bad({ name: '', handler: () => '' }), /step name must be a non-empty string/)
  t.throws(bad({ name: 'has space', handler: () => '' }), /got "has space"/)
  t.throws(bad({ name: 'x' }), /step "x": handler must be a function/)
  t.throws(bad({ name: 'x', path: 'x', handler: () => '' }), /step "x": path must start with "\/"/)
  t.throws(bad({ name: 'x', entities: Type.String(), handler: () => '' }), /entities must be a TypeBox object schema/)
  t.ok(isStep(hello))
  t.notOk(isStep({ name: 'hello' }))
  t.notOk(isStep(null))
})

t.test('prefix and path', async t => {
  const custom = defineStep({ name: 'custom', path: '/v1/custom-path', handler: () => 'custom' })
  const app = await haptikApp(t, { steps: [hello, custom], prefix: '/haptik' })
  t.equal((await signedPost(app, '/haptik/hello', envelope('hello', {}))).statusCode, 200)
  t.equal((await signedPost(app, '/haptik/v1/custom-path', envelope('custom', {}))).statusCode, 200)
  t.equal((await signedPost(app, '/hello', envelope('hello', {}))).statusCode, 404)
})

t.test('registered twice: a test and a production prefix with different secrets', async t => {
  const app = Fastify()
  t.teardown(() => app.close())
  await app.register(fastifyHaptik, { prefix: '/test', secret: 'test-secret', steps: [hello] })
  await app.register(fastifyHaptik, { prefix: '/prod', secret: 'prod-secret', steps: [hello] })
  const body = envelope('hello', {})
  t.equal((await signedPost(app, '/test/hello', body, { secret: 'test-secret' })).statusCode, 200)
  t.equal((await signedPost(app, '/prod/hello', body, { secret: 'prod-secret' })).statusCode, 200)
  t.equal((await signedPost(app, '/prod/hello', body, { secret: 'test-secret' })).statusCode, 401, 'the test secret does not open production')
})

t.test('encapsulation: the rest of the server is untouched', async t => {
  const seen: Array<{ hasRawBody: boolean, body: unknown }> = []
  const app = Fastify()
  t.teardown(() => app.close())
  app.setErrorHandler((error: Error, _request, reply) => reply.code(418).send({ mine: true, message: error.message }))
  await app.register(fastifyHaptik, { secret: SECRET, steps: [hello], bodyLimit: 100 })
  app.post('/sibling', async request => {
    seen.push({ hasRawBody: 'rawBody' in request, body: request.body })
    return { ok: true }
  })
  app.post('/sibling-error', async () => { throw new Error('sibling failed') })
  await app.ready()

  const json = await app.inject({ method: 'POST', url: '/sibling', payload: { a: 1 } })
  t.equal(json.statusCode, 200, 'no signature asked of other routes')
  const text = await app.inject({ method: 'POST', url: '/sibling', payload: 'plain', headers: { 'content-type': 'text/plain' } })
  t.equal(text.statusCode, 200, "Fastify's own text/plain parser still serves other routes")
  const big = await app.inject({ method: 'POST', url: '/sibling', payload: { big: 'x'.repeat(1000) } })
  t.equal(big.statusCode, 200, "the plugin's bodyLimit does not apply to other routes")
  t.same(seen, [
    { hasRawBody: false, body: { a: 1 } },
    { hasRawBody: false, body: 'plain' },
    { hasRawBody: false, body: { big: 'x'.repeat(1000) } }
  ], 'no raw body is captured on other routes')
  const failed = await app.inject({ method: 'POST', url: '/sibling-error', payload: {} })
  t.same(failed.json(), { mine: true, message: 'sibling failed' }, "the user's error handler still handles other routes")
  t.ok(app.hasContentTypeParser('text/plain'), 'the root keeps its parsers')
})

t.test('an app-wide hook\'s own client error keeps its status on the step routes', async t => {
  const app = Fastify()
  t.teardown(() => app.close())
  app.addHook('onRequest', async (request, reply) => {
    if (request.headers['x-forwarded-for'] === '203.0.113.9') {
      reply.code(403)
      throw Object.assign(new Error('Forbidden address'), { statusCode: 403 })
    }
  })
  await app.register(fastifyHaptik, { secret: SECRET, steps: [hello] })
  const res = await signedPost(app, '/hello', envelope('hello', {}), { headers: { 'x-forwarded-for': '203.0.113.9' } })
  t.equal(res.statusCode, 403)
  t.equal(res.json().message, 'Forbidden address')
})

t.test('the step routes take no method but POST (and GET, which only describes them)', async t => {
  const app = await haptikApp(t, { steps: [hello] })
  for (const method of ['PUT', 'DELETE', 'PATCH'] as const) {
    t.equal((await app.inject({ method, url: '/hello', headers: { 'x-hub-signature': haptikSignature('') } })).statusCode, 404, method)
  }
})

t.test('the environment option: each registration\'s label reaches its handlers, and none is made up without it', async t => {
  const seen: Array<string | undefined> = []
  const step = defineStep({ name: 'env', handler: ({ environment }) => { seen.push(environment); return 'ok' } })
  const app = Fastify()
  t.teardown(() => app.close())
  await app.register(fastifyHaptik, { prefix: '/test', secret: 'test-secret', environment: 'test', steps: [step] })
  await app.register(fastifyHaptik, { prefix: '/prod', secret: 'prod-secret', environment: 'production', steps: [step] })
  await app.register(fastifyHaptik, { prefix: '/plain', secret: 'plain', steps: [step] })
  await signedPost(app, '/test/env', envelope('env', {}), { secret: 'test-secret' })
  await signedPost(app, '/prod/env', envelope('env', {}), { secret: 'prod-secret' })
  await signedPost(app, '/plain/env', envelope('env', {}), { secret: 'plain' })
  t.same(seen, ['test', 'production', undefined])
})
