import t, { type Test } from 'tap'
import Fastify from 'fastify'
import { Type } from '@sinclair/typebox'
import fastifyHaptik, { DEFAULT_DETAILS_LIMIT, DEFAULT_FALLBACK_MESSAGE, defineStep, type FastifyHaptikOptions, type StepResult } from '../lib/index.js'
import { SECRET, envelope, signedPost } from './helpers/haptik.js'

async function replyWith (t: Test, value: StepResult, options: Partial<FastifyHaptikOptions> = {}, userDetails = Type.Record(Type.String(), Type.Unknown())) {
  const lines: Array<{ level: number, msg: string, step?: string, err?: { code: string, message: string } }> = []
  const app = Fastify({ logger: { level: 'info', stream: { write: (line: string) => { lines.push(JSON.parse(line)) } } } })
  t.teardown(() => app.close())
  // A schema allowing any value, on purpose: the plugin still refuses non-strings at run time.
  const step = defineStep({ name: 'details', userDetails: userDetails as never, handler: () => value as never })
  await app.register(fastifyHaptik, { secret: SECRET, steps: [step], ...options })
  const res = await signedPost(app, '/details', envelope('details', {}))
  return { res, error: lines.find(line => line.level === 50) }
}

const chars = (n: number) => 'x'.repeat(n)
const FAILED = { status: false, response: [DEFAULT_FALLBACK_MESSAGE] }

t.test('the default limits are Haptik\'s strictest', async t => {
  t.same(DEFAULT_DETAILS_LIMIT, { conversationDetails: 2500, userDetails: 200, combined: 500 })
})

t.test('details within the limits are sent', async t => {
  const { res } = await replyWith(t, { response: 'ok', conversation_details: { a: chars(280) }, user_details: { b: chars(150) } })
  t.same(res.json().status, true)
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
  t.same((await replyWith(t, big, { detailsLimit: { userDetails: 2000, combined: 3000 } })).res.json().status, true)
  t.same((await replyWith(t, big, { detailsLimit: false })).res.json().status, true)
  t.same((await replyWith(t, big, { detailsLimit: { combined: 3000 } })).res.json(), FAILED, 'unset keys keep their default')
})

t.test('user_details values must be strings, whatever the step declared', async t => {
  const { res, error } = await replyWith(t, { response: 'ok', user_details: { phone: 8826755986 } } as unknown as StepResult)
  t.same(res.json(), FAILED)
  t.match(error?.err?.message, 'user_details.phone must be a string (Haptik keeps user details as strings), got a number')
})

t.test('the environment label reaches the handler', async t => {
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
