// The Web SDK's signup check (hellohaptik/docs_haptik
// docs/web-sdk/feature-user-signup.md:80-119): 200 {"status": true} when the
// credentials match, 400 when they do not; no signature is documented, so a
// rate limit stands in front of it.
import { readFileSync } from 'node:fs'
import t from 'tap'
import Fastify from 'fastify'
import rateLimit from '@fastify/rate-limit'
import swagger from '@fastify/swagger'
import { Validator } from '@seriousme/openapi-schema-validator'
import fastifyHaptik, { type FastifyHaptikOptions } from '../lib/index.js'
import { SECRET } from './helpers/haptik.js'

const REQUEST = readFileSync(new URL('./fixtures/webhooks/signup-verification-request.json', import.meta.url), 'utf8')
const SUCCESS = JSON.parse(readFileSync(new URL('./fixtures/webhooks/signup-verification-success-response.json', import.meta.url), 'utf8'))

const USERS: Record<string, string> = { 'client-77': 'c0de-s3cret' }
const verify = async ({ authId, authCode }: { authId: string, authCode: string }) => USERS[authId] === authCode

async function signupApp (t: { teardown: (fn: () => unknown) => void }, options: Partial<FastifyHaptikOptions> = {}) {
  const lines: string[] = []
  const app = Fastify({ requestTimeout: 30_000, logger: { level: 'info', stream: { write: (line: string) => { lines.push(line) } } } })
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
  t.match(doc.paths['/haptik/webhook'].post.responses['200'], { content: { 'application/json': { schema: { properties: { status: { enum: ['handled', 'duplicate', 'ignored'] } } } } } }, 'every 200 status the route answers')
  t.same(Object.keys(doc.paths['/haptik/signup'].post.responses).sort(), ['200', '400', '408', '413', '415', '500'], 'every status the route answers')
  t.same(Object.keys(doc.webhooks).sort(), ['haptik-message', 'haptik-webhook_conversation_complete'])
  const result = await new Validator().validate(JSON.parse(JSON.stringify(doc)))
  t.same(result.errors ?? [], [], 'the document validates')
})

t.test('the signup options are checked at registration', async t => {
  for (const [signup, message] of [
    [{}, /signup must be an object like \{ verify:/],
    [{ verify, config: 'x' }, /signup.config must be an object/],
    [{ verify, path: '/webhook' }, /webhooks.path and signup.path are both "\/webhook"/]
  ] as const) {
    const app = Fastify()
    app.register(fastifyHaptik, { secret: SECRET, steps: [], signup, webhooks: { on: {} } } as unknown as FastifyHaptikOptions)
    await t.rejects(async () => { await app.ready() }, { code: 'FST_HAPTIK_INVALID_OPTION', message })
  }
})
