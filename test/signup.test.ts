// The Web SDK's signup check (hellohaptik/docs_haptik
// docs/web-sdk/feature-user-signup.md:80-119): 200 {"status": true} when the
// credentials match, 400 when they do not; no signature is documented, so a
// rate limit stands in front of it.
import { readFileSync } from 'node:fs'
import { performance } from 'node:perf_hooks'
import t from 'tap'
import Fastify from 'fastify'
import rateLimit from '@fastify/rate-limit'
import swagger from '@fastify/swagger'
import { Validator } from '@seriousme/openapi-schema-validator'
import fastifyHaptik, { type FastifyHaptikOptions } from '../lib/index.js'
import { SECRET } from './helpers/haptik.js'
import { captureLogs } from './helpers/logs.js'

const sleep = async (ms: number) => await new Promise(resolve => setTimeout(resolve, ms))

const REQUEST = readFileSync(new URL('./fixtures/webhooks/signup-verification-request.json', import.meta.url), 'utf8')
const SUCCESS = JSON.parse(readFileSync(new URL('./fixtures/webhooks/signup-verification-success-response.json', import.meta.url), 'utf8'))

const USERS: Record<string, string> = { 'client-77': 'c0de-s3cret' }
const verify = async ({ authId, authCode }: { authId: string, authCode: string }) => USERS[authId] === authCode

async function signupApp (t: { teardown: (fn: () => unknown) => void }, options: Partial<FastifyHaptikOptions> = {}) {
  const { logger, text: lines } = captureLogs('info')
  const app = Fastify({ requestTimeout: 30_000, logger })
  t.teardown(() => app.close())
  await app.register(rateLimit, { global: false })
  await app.register(fastifyHaptik, { secret: SECRET, prefix: '/haptik', steps: [], signup: { verify, config: { rateLimit: { max: 5, timeWindow: '1 minute' } } }, ...options })
  await app.ready()
  return { app, lines }
}

const check = (app: Awaited<ReturnType<typeof signupApp>>['app'], body: unknown) =>
  app.inject({ method: 'POST', url: '/haptik/signup', payload: typeof body === 'string' ? body : JSON.stringify(body), headers: { 'content-type': 'application/json' } })

t.test("credentials that match get 200 and the docs' {\"status\": true}; others 400", async t => {
  const { app } = await signupApp(t)
  t.same(JSON.parse(REQUEST), { auth_id: '<auth_id>', auth_code: '<auth_code>' }, "the docs' request")
  const match = await check(app, { auth_id: 'client-77', auth_code: 'c0de-s3cret' })
  t.same([match.statusCode, match.json()], [200, SUCCESS])
  const wrong = await check(app, { auth_id: 'client-77', auth_code: 'guess' })
  t.same([wrong.statusCode, wrong.json()], [400, { status: false }])
  t.same((await check(app, REQUEST)).statusCode, 400, "the docs' placeholders match no user")
  t.same((await check(app, { auth_id: 'client-77' })).statusCode, 400, 'no auth_code')
  t.same((await check(app, [1])).statusCode, 400, 'not an object')
})

t.test('@fastify/rate-limit in front of it: past the limit, 429', async t => {
  const { app } = await signupApp(t)
  const statuses = []
  for (let i = 0; i < 7; i++) statuses.push((await check(app, { auth_id: 'client-77', auth_code: `guess-${i}` })).statusCode)
  t.same(statuses, [400, 400, 400, 400, 400, 429, 429])
})

t.test('a verify function that throws gets a 500 that says nothing of the credentials, and the log never holds auth_code', async t => {
  const { app, lines } = await signupApp(t, { signup: { verify: () => { throw new Error('user table locked') } } })
  const response = await check(app, { auth_id: 'client-77', auth_code: 'PLANTED-CODE' })
  t.same([response.statusCode, response.json()], [500, { statusCode: 500, code: 'FST_HAPTIK_INTERNAL', error: 'Internal Server Error', message: 'Internal error' }])
  t.notOk(lines.some(line => line.includes('PLANTED-CODE')), 'no auth_code in any log line')
  t.ok(lines.some(line => line.includes('the signup verify function threw')))
})

t.test('the signup and webhook routes are documented, and OpenAPI 3.1 gets a webhooks entry per event', async t => {
  const app = Fastify()
  t.teardown(() => app.close())
  await app.register(swagger, { openapi: { openapi: '3.1.0', info: { title: 'webhooks', version: '1.0.0' } } })
  await app.register(fastifyHaptik, { secret: SECRET, prefix: '/haptik', steps: [], signup: { verify }, webhooks: { on: { message: () => {}, webhook_conversation_complete: () => {} } } })
  await app.ready()
  const doc = app.swagger() as { paths: Record<string, { post: { summary: string, responses: Record<string, unknown> } }>, webhooks: Record<string, unknown> }
  t.same(Object.keys(doc.paths).sort(), ['/haptik/signup', '/haptik/webhook'])
  t.equal(doc.paths['/haptik/webhook'].post.summary, "Haptik's Bot API webhook")
  t.same(Object.keys(doc.paths['/haptik/webhook'].post.responses).sort(), ['200', '400', '401', '408', '413', '415', '503'], 'every status the route answers')
  t.match(doc.paths['/haptik/webhook'].post.responses['200'], { content: { 'application/json': { schema: { properties: { status: { enum: ['handled', 'duplicate', 'ignored', 'given-up', 'invalid'] } } } } } }, 'every 200 status the route answers')
  t.same(Object.keys(doc.paths['/haptik/signup'].post.responses).sort(), ['200', '400', '408', '413', '415', '500', '503'], 'every status the route answers')
  t.same(Object.keys(doc.webhooks).sort(), ['haptik-message', 'haptik-webhook_conversation_complete'])
  const result = await new Validator().validate(JSON.parse(JSON.stringify(doc)))
  t.same(result.errors ?? [], [], 'the document validates')
})

t.test('the signup options are checked at registration', async t => {
  for (const [signup, message] of [
    [{}, /signup must be an object like \{ verify:/],
    [{ verify, config: 'x' }, /signup.config must be an object/],
    [{ verify, path: '/webhook' }, /webhooks.path and signup.path are both "\/webhook"/],
    [{ verify, timeout: 0 }, /signup.timeout must be a positive integer/],
    [{ verify, concurrency: 1.5 }, /signup.concurrency must be a positive integer/]
  ] as const) {
    const app = Fastify()
    app.register(fastifyHaptik, { secret: SECRET, steps: [], signup, webhooks: { on: {} } } as unknown as FastifyHaptikOptions)
    await t.rejects(async () => { await app.ready() }, { code: 'FST_HAPTIK_INVALID_OPTION', message })
  }
})

t.test('a verify that does not answer within signup.timeout gets 503, its signal aborted; past signup.concurrency pending checks, 503 at once', async t => {
  const signals: AbortSignal[] = []
  const never = async (_credentials: unknown, _request: unknown, { signal }: { signal: AbortSignal }) => { signals.push(signal); return await new Promise<boolean>(() => {}) }
  const { app, lines } = await signupApp(t, { signup: { verify: never, timeout: 100, concurrency: 3 } })
  const started = performance.now()
  const answers = await Promise.all(Array.from({ length: 5 }, async (_, index) => await check(app, { auth_id: `user-${index}`, auth_code: 'x' })))
  t.ok(performance.now() - started < 2000, 'every check answered in time')
  t.same(answers.map(answer => [answer.statusCode, answer.json().code]).sort(), [
    [503, 'FST_HAPTIK_SIGNUP_BUSY'], [503, 'FST_HAPTIK_SIGNUP_BUSY'],
    [503, 'FST_HAPTIK_SIGNUP_TIMEOUT'], [503, 'FST_HAPTIK_SIGNUP_TIMEOUT'], [503, 'FST_HAPTIK_SIGNUP_TIMEOUT']
  ])
  t.same(answers.map(answer => answer.json().message).filter(message => /verify/.test(message)), Array(3).fill('Signup: the verify function did not answer within 100 ms'))
  t.same(signals.map(signal => signal.aborted), [true, true, true], 'the checks past their deadline were told to stop')
  t.ok(lines.some(line => line.includes('signup.concurrency')), 'the refusals are logged')
})

t.test('closing the server cancels pending checks: close() does not wait on verify', async t => {
  const app = Fastify()
  await app.register(fastifyHaptik, { secret: SECRET, prefix: '/haptik', steps: [], signup: { verify: async () => await new Promise<boolean>(() => {}), timeout: 60_000 } })
  const pending = check(app, { auth_id: 'a', auth_code: 'b' })
  await sleep(50)
  const started = performance.now()
  await app.close()
  t.ok(performance.now() - started < 2000)
  t.same((await pending).json(), { statusCode: 503, code: 'FST_HAPTIK_SIGNUP_TIMEOUT', error: 'Service Unavailable', message: 'Signup: the verify function was cancelled: the server is closing' })
})

t.test("docs/webhooks.md's rate limit keyed by auth_id: 30 real signups in a minute, all from Haptik's servers, all pass; a limit per IP would refuse 20 of them", async t => {
  for (const [name, rateLimit, refused] of [
    ['by auth_id', { max: 5, timeWindow: '1 minute', hook: 'preHandler', keyGenerator: (request: { body?: unknown, ip: string }) => String((request.body as { auth_id?: unknown } | undefined)?.auth_id ?? request.ip) }, 0],
    ['by IP', { max: 10, timeWindow: '1 minute' }, 20]
  ] as const) {
    const { app } = await signupApp(t, { signup: { verify, config: { rateLimit } } })
    const statuses = []
    // Haptik's servers call for every user: one address.
    for (let user = 0; user < 30; user++) statuses.push((await check(app, { auth_id: `user-${user}`, auth_code: 'code' })).statusCode)
    t.equal(statuses.filter(status => status === 429).length, refused, name)
    const guesses = []
    for (let guess = 0; guess < 7; guess++) guesses.push((await check(app, { auth_id: 'client-77', auth_code: `guess-${guess}` })).statusCode)
    if (name === 'by auth_id') t.same(guesses, [400, 400, 400, 400, 400, 429, 429], 'guessing one user\'s code is still limited')
  }
})
