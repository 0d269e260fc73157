import t, { type Test } from 'tap'
import Fastify from 'fastify'
import { Type } from '@sinclair/typebox'
import fastifyHaptik, { DEFAULT_FALLBACK_MESSAGE, Entities, StepFailure, defineStep, type AnyStep, type StepResult } from '../lib/index.js'
import { SECRET, envelope, haptikApp, signedPost } from './helpers/haptik.js'
import { captureLogs } from './helpers/logs.js'

const quickReply = {
  text: 'Pick one',
  type: 'TEXT',
  data: { quick_replies: [{ actionable_text: 'Yes', is_default: 0, type: 'TEXT_ONLY', payload: { message: 'Yes', gogo_message: 'yes{confirm:1}' } }] }
}

async function call (t: Test, handler: () => unknown, extra: Record<string, unknown> = {}) {
  const step = defineStep({ name: 'reply', handler: handler as () => StepResult, ...extra } as Parameters<typeof defineStep>[0])
  const app = await haptikApp(t, { steps: [step] })
  return signedPost(app, '/reply', envelope('reply', {}))
}

t.test('what a handler returns becomes Haptik\'s reply', async t => {
  const cases: Array<[string, unknown, unknown]> = [
    ['a string', 'hello', { status: true, response: ['hello'] }],
    ['a list of strings', ['one', 'two'], { status: true, response: ['one', 'two'] }],
    ['an HSL object', quickReply, { status: true, response: [JSON.stringify(quickReply)] }],
    ['a mixed list', ['text', quickReply], { status: true, response: ['text', JSON.stringify(quickReply)] }],
    ['a reply object', { response: 'one' }, { status: true, response: ['one'] }],
    ['status false', { status: false, response: ['not found'] }, { status: false, response: ['not found'] }],
    ['details', { response: ['saved'], conversation_details: { order: 'AB1234', items: 2 }, user_details: { city: 'Pune' } },
      { status: true, response: ['saved'], conversation_details: { order: 'AB1234', items: 2 }, user_details: { city: 'Pune' } }],
    ['an async result', Promise.resolve('later'), { status: true, response: ['later'] }]
  ]
  for (const [name, value, expected] of cases) {
    const res = await call(t, () => value)
    t.equal(res.statusCode, 200, `${name}: status`)
    t.equal(res.headers['content-type'], 'application/json; charset=utf-8')
    t.same(res.json(), expected, name)
  }
})

t.test('details are sent as the handler returns them: nothing is dropped or converted', async t => {
  const res = await call(t, () => ({ response: 'ok', user_details: { tier: 'gold', extra: 'kept' } }), {
    userDetails: Type.Object({ tier: Type.String() }, { additionalProperties: true })
  })
  t.same(res.json().user_details, { tier: 'gold', extra: 'kept' })
  const undeclared = await call(t, () => ({ response: 'ok', conversation_details: { step: 2, note: 'x' } }), {
    conversationDetails: Type.Object({ step: Type.Integer() })
  })
  t.same(undeclared.json().conversation_details, { step: 2, note: 'x' }, 'a field the schema does not name is sent, not dropped')
})

t.test('detail schemas are checked with Fastify\'s validator: formats and catalog types work', async t => {
  const email = await call(t, () => ({ response: 'ok', user_details: { email: 'asha@example.com' } }), {
    userDetails: Type.Object({ email: Type.String({ format: 'email' }) })
  })
  t.same(email.json().user_details, { email: 'asha@example.com' })
  const notEmail = await call(t, () => ({ response: 'ok', user_details: { email: 'nope' } }), {
    userDetails: Type.Object({ email: Type.String({ format: 'email' }) })
  })
  t.same(notEmail.json(), { status: false, response: [DEFAULT_FALLBACK_MESSAGE] })
  const date = await call(t, () => ({ response: 'ok', conversation_details: { when: { value: { dd: 1, mm: 2, yy: 2027, type: 'date' } } } }), {
    conversationDetails: Type.Object({ when: Entities.Date })
  })
  t.same(date.json().conversation_details, { when: { value: { dd: 1, mm: 2, yy: 2027, type: 'date' } } })
})

t.test('an invalid reply is a business failure: 200, status false, fallback, logged', async t => {
  const cases: Array<[string, unknown, RegExp]> = [
    ['undefined', undefined, /expected a string, a list of messages or \{ response \}, got undefined/],
    ['a number', 42, /got number/],
    ['null in a list', ['ok', null], /response\[1\] must be a string or an HSL object with a "type", got null/],
    ['an object without type', { text: 'hi' }, /response\[0\] must be a string or an HSL object with a "type", got an object without "type"/],
    ['nested list', [['a']], /got an array/],
    ['bad status', { status: 'yes', response: 'x' }, /status must be a boolean, got string/],
    ['non-string user detail', { response: 'x', user_details: { phone: { number: 8826755986 } } }, /user_details\.phone must be string/],
    ['user details not an object', { response: 'x', user_details: 'Pune' }, /user_details must be object/]
  ]
  for (const [name, value, logged] of cases) {
    const { logger, lines } = captureLogs<{ level: number, msg: string, step?: string, err?: { message: string, code: string } }>('info')
    const app = Fastify({ requestTimeout: 30_000, logger })
    t.teardown(() => app.close())
    await app.register(fastifyHaptik, { secret: SECRET, steps: [defineStep({ name: 'reply', handler: () => value as StepResult })] })
    const res = await signedPost(app, '/reply', envelope('reply', {}))
    t.equal(res.statusCode, 200, `${name}: status`)
    t.same(res.json(), { status: false, response: [DEFAULT_FALLBACK_MESSAGE] }, `${name}: fallback`)
    const error = lines.find(line => line.level === 50)
    t.equal(error?.step, 'reply', `${name}: the log names the step`)
    t.equal(error?.err?.code, 'FST_HAPTIK_INVALID_REPLY', `${name}: code`)
    t.match(error?.err?.message, logged, `${name}: the log says what is wrong`)
  }
})

t.test('an empty response is sent, with a warning', async t => {
  const { logger, lines } = captureLogs<{ level: number, msg: string }>('warn')
  const app = Fastify({ requestTimeout: 30_000, logger })
  t.teardown(() => app.close())
  await app.register(fastifyHaptik, { secret: SECRET, steps: [defineStep({ name: 'reply', handler: () => [] })] })
  const res = await signedPost(app, '/reply', envelope('reply', {}))
  t.same(res.json(), { status: true, response: [] })
  t.match(lines, [{ level: 40, msg: /no messages/ }])
})

t.test('a throwing handler answers 200 with the fallback, never the error', async t => {
  const { logger, lines } = captureLogs<{ level: number, msg: string, step?: string, err?: { message: string } }>('info')
  const app = Fastify({ requestTimeout: 30_000, logger })
  t.teardown(() => app.close())
  const steps: AnyStep[] = [
    defineStep({ name: 'throws', handler: () => { throw new Error('db password=hunter2 refused') } }),
    defineStep({ name: 'rejects', handler: async () => { throw new TypeError('cannot read x of undefined') } }),
    // eslint-disable-next-line prefer-promise-reject-errors -- a careless handler, on purpose
    defineStep({ name: 'rejects-string', handler: () => Promise.reject('just a string') as Promise<string> }),
    // eslint-disable-next-line prefer-promise-reject-errors -- a careless handler, on purpose
    defineStep({ name: 'rejects-null', handler: () => Promise.reject(null) as Promise<string> }),
    defineStep({ name: 'own-fallback', fallbackMessage: 'Orders are offline, sorry!', handler: () => { throw new Error('x') } })
  ]
  await app.register(fastifyHaptik, { secret: SECRET, steps, fallbackMessage: 'Something broke on our side.' })
  for (const name of ['throws', 'rejects', 'rejects-string', 'rejects-null']) {
    const res = await signedPost(app, `/${name}`, envelope(name, {}))
    t.equal(res.statusCode, 200, `${name}: status`)
    t.same(res.json(), { status: false, response: ['Something broke on our side.'] }, `${name}: plugin fallback`)
    t.notMatch(res.body, /hunter2|undefined|string|at /, `${name}: no error detail in the response`)
  }
  const own = await signedPost(app, '/own-fallback', envelope('own-fallback', {}))
  t.same(own.json(), { status: false, response: ['Orders are offline, sorry!'] }, 'a step fallback wins')

  const errors = lines.filter(line => line.level === 50)
  t.same(errors.map(line => line.step), ['throws', 'rejects', 'rejects-string', 'rejects-null', 'own-fallback'], 'each failure is logged with its step')
  t.match(errors[2].err?.message, 'the handler threw a non-Error value (string)')
  t.match(errors[3].err?.message, 'the handler threw a non-Error value (null)')
})

t.test('StepFailure answers on the failure path with the handler\'s own message', async t => {
  const single = await call(t, () => { throw new StepFailure('I could not find that order.') })
  t.same(single.json(), { status: false, response: ['I could not find that order.'] })
  const several = await call(t, async () => { throw new StepFailure(['No such order.', 'Try the number on your receipt.'], { cause: new Error('404') }) })
  t.same(several.json(), { status: false, response: ['No such order.', 'Try the number on your receipt.'] })
  const failure = new StepFailure(['a', 'b'])
  t.equal(failure.name, 'StepFailure')
  t.equal(failure.message, 'a b')
  const rich = await call(t, () => { throw new StepFailure(['No such order.', quickReply]) })
  t.same(rich.json(), { status: false, response: ['No such order.', JSON.stringify(quickReply)] }, 'rich messages too')
  t.equal(new StepFailure(quickReply).message, 'Pick one')
  const broken = await call(t, () => { throw new StepFailure([42 as unknown as string]) })
  t.same(broken.json(), { status: false, response: [DEFAULT_FALLBACK_MESSAGE] }, 'a StepFailure with a non-message falls back')
})

t.test('the deadline: a late handler gets the fallback and its signal aborts', async t => {
  const { logger, lines } = captureLogs<{ level: number, msg: string, step?: string, err?: { code: string } }>('info')
  const app = Fastify({ requestTimeout: 30_000, logger })
  t.teardown(() => app.close())
  let aborted: unknown
  let finishLate: () => void = () => {}
  const lateDone = new Promise<void>(resolve => { finishLate = resolve })
  const steps = [
    defineStep({
      name: 'slow',
      timeout: 50,
      handler: ({ signal }) => new Promise<string>(resolve => {
        signal.addEventListener('abort', () => { aborted = signal.reason })
        setTimeout(() => { resolve('too late'); setImmediate(finishLate) }, 1500)
      })
    }),
    defineStep({ name: 'never', handler: () => new Promise<string>(() => {}) }),
    defineStep({ name: 'late-throw', timeout: 20, handler: () => new Promise<string>((_resolve, reject) => setTimeout(() => reject(new Error('late')), 60)) })
  ]
  await app.register(fastifyHaptik, { secret: SECRET, steps, timeout: 100 })

  const started = Date.now()
  const res = await signedPost(app, '/slow', envelope('slow', {}))
  const took = Date.now() - started
  t.same(res.json(), { status: false, response: [DEFAULT_FALLBACK_MESSAGE] })
  // The fallback, not the handler's own answer: the deadline ended it (never before it).
  t.ok(took >= 45, `answered at the step deadline, not before (${took} ms)`)
  t.match(aborted, { code: 'FST_HAPTIK_STEP_TIMEOUT', message: 'Step "slow" did not answer within 50 ms' }, 'the signal aborts with the timeout')
  await lateDone
  t.match(lines.filter(line => line.step === 'slow'), [
    { level: 50, err: { code: 'FST_HAPTIK_STEP_TIMEOUT' }, msg: /timed out/ },
    { level: 30, msg: 'step call', outcome: 'timeout' },
    { level: 40, msg: /after its deadline/ }
  ])

  const never = await signedPost(app, '/never', envelope('never', {}))
  t.same(never.json(), { status: false, response: [DEFAULT_FALLBACK_MESSAGE] }, 'a handler that never resolves ends at the plugin timeout')

  const lateThrow = await signedPost(app, '/late-throw', envelope('late-throw', {}))
  t.same(lateThrow.json(), { status: false, response: [DEFAULT_FALLBACK_MESSAGE] })
  await new Promise(resolve => setTimeout(resolve, 60))
  t.equal(lines.filter(line => line.step === 'late-throw' && line.level === 50).length, 1, 'a late rejection is not logged as an error twice')
  t.match(lines.filter(line => line.step === 'late-throw' && line.level === 40), [{ msg: /failed after its deadline/, err: { message: 'late' } }], 'but it is logged')
})

t.test('a hand-made thenable is awaited safely: a throwing then, a double answer, a throwing then getter', async t => {
  const throwing = await call(t, () => ({ then () { throw new Error('broken thenable') } }))
  t.same(throwing.json(), { status: false, response: [DEFAULT_FALLBACK_MESSAGE] })
  const { logger, lines } = captureLogs<{ msg: string }>('info')
  const app = Fastify({ requestTimeout: 30_000, logger })
  t.teardown(() => app.close())
  const twiceStep = defineStep({ name: 'twice', handler: (() => ({ then (resolve: (value: string) => void) { resolve('first'); resolve('second') } })) as unknown as () => StepResult })
  await app.register(fastifyHaptik, { secret: SECRET, steps: [twiceStep] })
  const twice = await signedPost(app, '/twice', envelope('twice', {}))
  t.same(twice.json(), { status: true, response: ['first'] }, 'the first answer counts')
  t.equal(lines.filter(line => line.msg === 'step call').length, 1, 'and the call ends once: one log line, one span, one count')
  const getter = await call(t, () => ({ get then () { throw new Error('no then for you') } }))
  t.same(getter.json(), { status: false, response: [DEFAULT_FALLBACK_MESSAGE] })
})

t.test('a StepFailure from another copy of the package is still the failure path', async t => {
  // A handler's own dependency may bundle its own fastify-haptik: its StepFailure is another class.
  const foreign = Object.assign(new Error('copy'), { [Symbol.for('fastify-haptik.step-failure')]: true, userMessages: ['From the other copy.'] })
  const res = await call(t, () => { throw foreign })
  t.same(res.json(), { status: false, response: ['From the other copy.'] })
})

t.test('a handler that throws synchronously is caught', async t => {
  const res = await call(t, () => { throw new Error('sync') })
  t.same(res.json(), { status: false, response: [DEFAULT_FALLBACK_MESSAGE] })
})
