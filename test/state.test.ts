// Conversation and user state with the default memory store:
// read before the handler, saved only when the call succeeds, compare-and-set.
import { performance } from 'node:perf_hooks'
import t from 'tap'
import Fastify, { type FastifyInstance } from 'fastify'
import { Type } from '@sinclair/typebox'
import fastifyHaptik, { DEFAULT_FALLBACK_MESSAGE, defineStep, handoff, memoryStore, redisStore, sign, StepFailure, type FastifyHaptikOptions, type StateStore } from '../lib/index.js'
import { callStep, conversation } from '../lib/testing/index.js'
import { SECRET } from './helpers/haptik.js'
import { captureLogs } from './helpers/logs.js'

const FALLBACK = { status: false, response: [DEFAULT_FALLBACK_MESSAGE] }
const Cart = Type.Object({ items: Type.Array(Type.String()) }, { default: { items: [] } })
const Profile = Type.Object({ visits: Type.Integer() })

let behaviour = 'ok'
const add = defineStep({
  name: 'add',
  state: Cart,
  entities: Type.Object({ item: Type.String() }),
  handler: async ({ entities, state }) => {
    const items = [...(state?.items ?? []), entities.item]
    if (behaviour === 'throw') throw new Error('the shop is down')
    if (behaviour === 'failure') throw new StepFailure('Out of stock.')
    if (behaviour === 'false') return { status: false, response: 'Not now', state: { items } }
    if (behaviour === 'handoff') return handoff()
    if (behaviour === 'late') await new Promise(resolve => setTimeout(resolve, 300))
    return { response: `${items.length} items`, state: { items } }
  }
})
const show = defineStep({ name: 'show', state: Cart, handler: ({ state }) => `Cart: ${state?.items.join(', ') ?? 'none'}` })
const visit = defineStep({
  name: 'visit',
  userState: Profile,
  handler: ({ userState }) => {
    const visits = (userState?.visits ?? 0) + 1
    return { response: `visit ${visits}`, userState: { visits } }
  }
})
const noDefault = defineStep({ name: 'no_default', state: Profile, handler: ({ state }) => `state is ${state === undefined ? 'undefined' : 'set'}` })

async function stateApp (t: { teardown: (fn: () => unknown) => void }, options: Partial<FastifyHaptikOptions> = {}) {
  const { logger, lines } = captureLogs('info')
  const app = Fastify({ requestTimeout: 30_000, logger })
  t.teardown(() => app.close())
  await app.register(fastifyHaptik, { secret: SECRET, prefix: '/haptik', steps: [add, show, visit, noDefault], timeout: 150, ...options })
  await app.ready()
  return { app, lines }
}

const chatOf = (app: FastifyInstance, userId = 'u-1') => conversation(app, { secret: SECRET, prefix: '/haptik', user: { user_id: userId } })

t.test("a step reads its state, the schema's default when the conversation has none, and returns { state } to change it", async t => {
  const { app } = await stateApp(t)
  const chat = chatOf(app)
  t.same((await chat.call(show, {})).reply, { status: true, response: ['Cart: '] }, 'the default: an empty cart')
  t.same((await chat.call(add, { item: 'tea' })).reply, { status: true, response: ['1 items'] }, 'the state is never sent to Haptik')
  t.same((await chat.call(add, { item: 'cake' })).reply?.response, ['2 items'])
  t.same((await chat.call(show, {})).reply?.response, ['Cart: tea, cake'], 'shared by the steps of the registration')
  t.same((await chat.call(noDefault, {})).reply?.response, ['state is undefined'], 'no default: undefined')
})

t.test('state is per conversation: another conversation or another user starts from the default', async t => {
  const { app } = await stateApp(t)
  const chat = chatOf(app)
  await chat.call(add, { item: 'tea' })
  chat.next()
  t.same((await chat.call(show, {})).reply?.response, ['Cart: '], 'the next conversation')
  t.same((await chatOf(app, 'u-2').call(show, {})).reply?.response, ['Cart: '], 'another user')
})

t.test('userState outlives conversations', async t => {
  const { app } = await stateApp(t)
  const chat = chatOf(app)
  t.same((await chat.call(visit, {})).reply?.response, ['visit 1'])
  chat.next()
  t.same((await chat.call(visit, {})).reply?.response, ['visit 2'])
})

t.test('a failure, the fallback, a status false reply, a hand-over and a timeout leave the state as it was', async t => {
  const { app } = await stateApp(t)
  const chat = chatOf(app)
  await chat.call(add, { item: 'tea' })
  for (const [kind, expected] of [['throw', FALLBACK], ['failure', { status: false, response: ['Out of stock.'] }], ['false', { status: false, response: ['Not now'] }], ['handoff', { status: false, response: [] }], ['late', FALLBACK]] as const) {
    behaviour = kind
    t.same((await chat.call(add, { item: 'jam' })).reply, expected, kind)
    behaviour = 'ok'
    if (kind === 'late') await new Promise(resolve => setTimeout(resolve, 300))
    t.same((await chat.call(show, {})).reply?.response, ['Cart: tea'], `${kind}: unchanged`)
  }
})

t.test('a returned state that does not match the schema, or is over stateLimit, takes the failure path, naming the step', async t => {
  const wrong = defineStep({ name: 'wrong', state: Cart, handler: () => ({ response: 'x', state: { items: [1] } as unknown as { items: string[] } }) })
  const big = defineStep({ name: 'big', state: Cart, handler: () => ({ response: 'x', state: { items: ['x'.repeat(200)] } }) })
  const { app, lines } = await stateApp(t, { steps: [wrong, big, show], stateLimit: 100 })
  t.same((await callStep(app, wrong, {}, { secret: SECRET, prefix: '/haptik' })).reply, FALLBACK)
  t.match(lines.find(line => line.level === 50 && (line.err as { code?: string })?.code === 'FST_HAPTIK_INVALID_REPLY')?.err, { message: 'Step "wrong" returned an invalid reply: state.items.0 is a number, and the schema asks for a string; state is kept as the handler returns it, never converted' })
  t.same((await callStep(app, big, {}, { secret: SECRET, prefix: '/haptik' })).reply, FALLBACK)
  t.match(lines.find(line => (line.err as { code?: string })?.code === 'FST_HAPTIK_STATE_TOO_LARGE')?.err, { message: 'Step "big" returned a state of 214 characters, over the stateLimit of 100' })
})

t.test('stored state that no longer fits the schema (after a deploy) is read as the default, with a warning', async t => {
  const store = memoryStore()
  const old = defineStep({ name: 'show', state: Type.Object({ items: Type.Array(Type.Number()) }), handler: () => ({ response: 'old', state: { items: [1, 2] } }) })
  const before = Fastify()
  await before.register(fastifyHaptik, { secret: SECRET, steps: [old], store })
  await callStep(before, old, {}, { secret: SECRET })
  await before.close()
  const { app, lines } = await stateApp(t, { prefix: '', steps: [show], store, stateNamespace: '/' })
  t.same((await callStep(app, show, {}, { secret: SECRET })).reply?.response, ['Cart: '])
  t.match(lines.find(line => line.level === 40 && (line.err as { code?: string } | undefined)?.code === 'FST_HAPTIK_INVALID_STORED_STATE'), {
    step: 'show',
    msg: "Step \"show\": the stored conversation's state cannot be used (it no longer fits the step's schema: state.items.0 is a number, and the schema asks for a string; state is read as it was stored, never converted); reading the default, which the next success replaces"
  })
})

t.test('state expires stateTtl seconds after its last change', async t => {
  const { app } = await stateApp(t, { stateTtl: 1 })
  const chat = chatOf(app)
  await chat.call(add, { item: 'tea' })
  t.same((await chat.call(show, {})).reply?.response, ['Cart: tea'])
  await new Promise(resolve => setTimeout(resolve, 1100))
  t.same((await chat.call(show, {})).reply?.response, ['Cart: '])
})

t.test('no lost update: of concurrent calls of one conversation, each change is either saved or answered on the failure path', async t => {
  const counter = defineStep({
    name: 'count',
    state: Type.Object({ n: Type.Integer() }, { default: { n: 0 } }),
    handler: async ({ state }) => {
      await new Promise(resolve => setTimeout(resolve, Math.random() * 5))
      return { response: 'counted', state: { n: (state?.n ?? 0) + 1 } }
    }
  })
  const read = defineStep({ name: 'read', state: Type.Object({ n: Type.Integer() }, { default: { n: 0 } }), handler: ({ state }) => String(state?.n) })
  const { app, lines } = await stateApp(t, { steps: [counter, read], timeout: 5000 })
  const chat = chatOf(app)
  const calls = await Promise.all(Array.from({ length: 50 }, async () => await chat.call(counter, {})))
  const saved = calls.filter(call => call.reply?.status === true).length
  t.ok(saved >= 1 && saved < 50, `${saved} of 50 saved, the others lost the race`)
  t.same((await chat.call(read, {})).reply?.response, [String(saved)], 'the count is the number of status: true answers')
  t.ok(calls.filter(call => call.reply?.status === false).every(call => call.reply?.response[0] === DEFAULT_FALLBACK_MESSAGE), 'the others got the fallback')
  t.ok(lines.some(line => line.level === 40 && (line.err as { code?: string })?.code === 'FST_HAPTIK_STATE_CONFLICT'), 'a conflict is logged at warn')
})

t.test('a repeatable step runs once more on the new state when it lost the race', async t => {
  let runs = 0
  const counter = defineStep({
    name: 'count',
    repeatable: true,
    state: Type.Object({ n: Type.Integer() }, { default: { n: 0 } }),
    handler: async ({ state }) => {
      runs++
      await new Promise(resolve => setTimeout(resolve, 10))
      return { response: String((state?.n ?? 0) + 1), state: { n: (state?.n ?? 0) + 1 } }
    }
  })
  const { app } = await stateApp(t, { steps: [counter], timeout: 5000 })
  const chat = chatOf(app)
  const [first, second] = await Promise.all([chat.call(counter, {}), chat.call(counter, {})])
  t.same([first.reply?.response[0], second.reply?.response[0]].sort(), ['1', '2'], 'both counted')
  t.equal(runs, 3, 'the loser ran once more')
})

t.test('a request without user.user_id has the default, and cannot keep a state', async t => {
  const { app, lines } = await stateApp(t)
  const anonymous = { secret: SECRET, prefix: '/haptik', overrides: { user: { user_id: undefined } } }
  t.same((await callStep(app, show, {}, anonymous)).reply?.response, ['Cart: '], 'read: the default')
  t.same((await callStep(app, add, { item: 'tea' }, anonymous)).reply, FALLBACK)
  t.match(lines.find(line => (line.err as { code?: string } | undefined)?.code === 'FST_HAPTIK_INVALID_REPLY')?.err, { message: /state cannot be kept: the request has no user\.user_id/ })
})

t.test('memoryStore is bounded: the least recently used entries go first', async t => {
  const store = memoryStore({ maxEntries: 2 })
  t.equal(store.set('a', '1', undefined, undefined), 1)
  t.equal(store.set('b', '2', undefined, undefined), 2, 'every write gets a version new to the store')
  t.same(store.get('a'), { value: '1', version: 1 }, 'a is now the most recently used')
  t.equal(store.set('c', '3', undefined, undefined), 3)
  t.equal(store.get('b'), undefined, 'b went')
  t.equal(store.set('a', '4', 7, undefined), undefined, 'a write against another version is refused')
  t.equal(store.set('a', '4', 1, undefined), 4)
  const written = memoryStore({ maxEntries: 2 })
  written.set('a', '1', undefined, undefined)
  written.set('b', '2', undefined, undefined)
  written.set('a', '3', 1, undefined)
  written.set('c', '4', undefined, undefined)
  t.same([written.get('a'), written.get('b')], [{ value: '3', version: 3 }, undefined], 'a write makes its entry the most recently used: b went, not a')
  const small = memoryStore({ maxBytes: 5 })
  small.set('x', '123', undefined, undefined)
  small.set('y', '456', undefined, undefined)
  t.equal(small.get('x'), undefined, 'over maxBytes, the oldest went')
  t.throws(() => memoryStore({ maxEntries: 0 }), { code: 'FST_HAPTIK_INVALID_OPTION', message: 'fastify-haptik: memoryStore: maxEntries must be a positive integer, got 0' })
})

t.test('the state options are checked at registration', async t => {
  for (const [options, message] of [
    [{ store: {} }, /store must be a state store: memoryStore\(\), redisStore\(client\), or an object with get and set/],
    [{ storeTimeout: 0 }, /storeTimeout must be a positive integer/],
    [{ stateTtl: 0 }, /stateTtl must be a positive integer/],
    [{ userStateTtl: 1.5 }, /userStateTtl must be a positive integer/],
    [{ stateLimit: -1 }, /stateLimit must be a positive integer/],
    [{ stateNamespace: '' }, /stateNamespace must be a non-empty string/]
  ] as const) {
    const app = Fastify()
    app.register(fastifyHaptik, { secret: SECRET, steps: [show], ...options } as FastifyHaptikOptions)
    await t.rejects(async () => { await app.ready() }, { code: 'FST_HAPTIK_INVALID_OPTION', message })
  }
  t.throws(() => defineStep({ name: 'x', state: 'cart' as unknown as typeof Cart, handler: () => 'x' }), { message: 'fastify-haptik: step "x": state must be a TypeBox schema (e.g. Type.Object({...}))' })
  t.throws(() => defineStep({ name: 'x', repeatable: 1 as unknown as boolean, handler: () => 'x' }), { message: 'fastify-haptik: step "x": repeatable must be a boolean' })
})

t.test('a request without conversation_no keeps its state under the user alone', async t => {
  const { app } = await stateApp(t)
  const options = { secret: SECRET, prefix: '/haptik', overrides: { user: { user_id: 'no-conversation' }, conversation_no: undefined } }
  await callStep(app, add, { item: 'tea' }, options)
  t.same((await callStep(app, show, {}, options)).reply?.response, ['Cart: tea'])
})

t.test('a repeatable step that loses the race twice takes the failure path, with a store that answers at once or later', async t => {
  const refusing: StateStore = { kind: 'refusing', get: () => undefined, set: () => undefined }
  const refusingLater: StateStore = { kind: 'refusing-later', get: async () => undefined, set: async () => undefined }
  // The write that loses ends past the step's deadline (150 ms): no rerun then, the conflict answers.
  const refusingPastDeadline: StateStore = { kind: 'refusing-past-deadline', get: () => undefined, set: async () => { await sleep(250); return undefined } }
  for (const store of [refusing, refusingLater, refusingPastDeadline]) {
    let runs = 0
    const again = defineStep({ name: 'again', repeatable: true, state: Cart, handler: () => { runs++; return { response: 'x', state: { items: ['x'] } } } })
    const { app, lines } = await stateApp(t, { steps: [again], store })
    t.same((await chatOf(app).call(again, {})).reply, FALLBACK, store.kind)
    t.equal(runs, store === refusingPastDeadline ? 1 : 2, `${store.kind}: run once more if there is time, then the failure path`)
    t.notOk(lines.some(line => line.level === 50), `${store.kind}: no error logged, only the conflict's warning`)
    t.match(lines.find(line => (line.err as { code?: string } | undefined)?.code === 'FST_HAPTIK_STATE_CONFLICT')?.err, { message: 'Step "again": another call changed the conversation\'s state first; this call\'s state was not saved' })
  }
})

t.test('redisStore refuses a client that is neither ioredis nor node-redis', async t => {
  t.throws(() => redisStore({}), { code: 'FST_HAPTIK_INVALID_OPTION', message: 'fastify-haptik: redisStore takes an ioredis or node-redis client (it has neither call() nor sendCommand())' })
  t.throws(() => redisStore({ call: () => {} }, { prefix: 5 as unknown as string }), { message: 'fastify-haptik: redisStore: prefix must be a string' })
})

t.test('a store that answers one key later and throws at once for the other: the failure path, and no rejection left unheard', async t => {
  const mixed: StateStore = {
    kind: 'mixed',
    get: key => {
      if (key.endsWith(':user')) throw new Error('not connected')
      return new Promise((_resolve, reject) => setTimeout(() => reject(new Error('connection reset')), 10))
    },
    set: () => 1
  }
  const both = defineStep({ name: 'both', state: Cart, userState: Profile, handler: () => 'never' })
  const { app, lines } = await stateApp(t, { steps: [both], store: mixed })
  const unheard: unknown[] = []
  const listen = (reason: unknown) => { unheard.push(reason) }
  process.on('unhandledRejection', listen)
  t.teardown(() => { process.off('unhandledRejection', listen) })
  t.same((await chatOf(app).call(both, {})).reply, FALLBACK)
  await new Promise(resolve => setTimeout(resolve, 50))
  t.same(unheard, [], 'the read that failed later was heard')
  t.match(lines.find(line => (line.err as { code?: string } | undefined)?.code === 'FST_HAPTIK_STORE_UNAVAILABLE')?.err, { message: /could not read the state/ })
})

t.test("conversation(): a call's own user fields change that call, not who the conversation is with", async t => {
  const { app } = await stateApp(t)
  const chat = chatOf(app)
  await chat.call(add, { item: 'tea' })
  const inHindi = await chat.call(show, {}, { user: { language_code: 'hi' } })
  t.same(inHindi.reply?.response, ['Cart: tea'], 'the same conversation, so the same state')
  t.equal((inHindi.request as { user: { language_code: string } }).user.language_code, 'hi')
})

t.test('userState expires userStateTtl seconds after its last change', async t => {
  const { app } = await stateApp(t, { userStateTtl: 1 })
  const chat = chatOf(app)
  t.same((await chat.call(visit, {})).reply?.response, ['visit 1'])
  t.same((await chat.call(visit, {})).reply?.response, ['visit 2'])
  await new Promise(resolve => setTimeout(resolve, 1100))
  t.same((await chat.call(visit, {})).reply?.response, ['visit 1'], 'forgotten')
})

t.test('a store that cannot write takes the failure path and keeps the state as it was', async t => {
  const backing = memoryStore()
  let writes = true
  const store: StateStore = {
    kind: 'read-only',
    get: key => backing.get(key),
    set: (key, value, version, ttl) => { if (!writes) throw new Error('READONLY'); return backing.set(key, value, version, ttl) }
  }
  const { app, lines } = await stateApp(t, { store })
  const chat = chatOf(app)
  await chat.call(add, { item: 'tea' })
  writes = false
  t.same((await chat.call(add, { item: 'milk' })).reply, FALLBACK)
  t.match(lines.find(line => (line.err as { code?: string } | undefined)?.code === 'FST_HAPTIK_STORE_UNAVAILABLE')?.err, { message: /could not write the state/ })
  t.same((await chat.call(show, {})).reply?.response, ['Cart: tea'])
})

t.test('registrations sharing a store share state under one stateNamespace, and not under two', async t => {
  const store = memoryStore()
  const cartOf = async (namespace: string) => {
    const { app } = await stateApp(t, { store, stateNamespace: namespace })
    return chatOf(app)
  }
  await (await cartOf('shop')).call(add, { item: 'tea' })
  t.same((await (await cartOf('shop')).call(show, {})).reply?.response, ['Cart: tea'], 'the same namespace: one state')
  t.same((await (await cartOf('other')).call(show, {})).reply?.response, ['Cart: '], 'another namespace: its own')
})

t.test("state and userState are written one after the other: when the user's state loses its race, the conversation's is written and the call answers the fallback (docs/state.md)", async t => {
  const memory = memoryStore()
  // Another call changed the user's state first: its compare-and-set is refused.
  const userRaced: StateStore = { kind: 'user-raced', get: key => memory.get(key), set: (key, value, version, ttl) => key.endsWith(':user') ? undefined : memory.set(key, value, version, ttl) }
  const both = defineStep({ name: 'both', state: Cart, userState: Profile, handler: () => ({ response: 'saved', state: { items: ['tent'] }, userState: { visits: 1 } }) })
  const { app, lines } = await stateApp(t, { steps: [both, show], store: userRaced })
  const chat = chatOf(app)
  t.same((await chat.call(both, {})).reply, FALLBACK)
  t.match(lines.find(line => (line.err as { code?: string } | undefined)?.code === 'FST_HAPTIK_STATE_CONFLICT')?.err, { message: /another call changed the conversation's state or user's state first/ })
  t.same((await chat.call(show, {})).reply?.response, ['Cart: tent'], "the conversation's state was written")
})

t.test("what the schema's defaults fill in is kept: in the state written, and in a stored state read back", async t => {
  const memory = memoryStore()
  const writes: Array<[string, string]> = []
  const spy: StateStore = { kind: 'spy', get: key => memory.get(key), set: (key, value, version, ttl) => { writes.push([key, value]); return memory.set(key, value, version, ttl) } }
  const Tagged = Type.Object({ n: Type.Integer(), tag: Type.String({ default: 'dflt' }) })
  const bump = defineStep({ name: 'bump', state: Tagged, handler: ({ state }) => ({ response: 'ok', state: { n: (state?.n ?? 0) + 1 } as { n: number, tag: string } }) })
  const read = defineStep({ name: 'read', state: Tagged, handler: ({ state }) => JSON.stringify(state) })
  const { app } = await stateApp(t, { steps: [bump, read], store: spy })
  const chat = chatOf(app)
  await chat.call(bump, {})
  t.equal(writes.length, 1)
  const [key, text] = writes[0]
  t.equal(text, '{"n":1,"tag":"dflt"}', 'the state written has its default')
  // Stored by an older deploy, whose schema had no `tag`.
  memory.set(key, '{"n":5}', 1, undefined)
  t.same((await chat.call(read, {})).reply?.response, ['{"n":5,"tag":"dflt"}'], 'a stored state read back has its default')
})

const sleep = async (ms: number) => await new Promise(resolve => setTimeout(resolve, ms))

t.test('a store that never answers costs a step storeTimeout, not its whole timeout: the failure path, logged once', async t => {
  const hung: StateStore = { kind: 'hung', get: async () => await new Promise(() => {}), set: async () => await new Promise(() => {}) }
  const { app, lines } = await stateApp(t, { store: hung, storeTimeout: 100, timeout: 5000 })
  const started = performance.now()
  t.same((await chatOf(app).call(show, {})).reply, FALLBACK)
  const took = performance.now() - started
  t.ok(took >= 95 && took < 2000, `answered after ${Math.round(took)} ms`)
  t.match(lines.filter(line => (line.err as { code?: string } | undefined)?.code === 'FST_HAPTIK_STORE_UNAVAILABLE').map(line => (line.err as Error).message), ['Step "show": the hung store did not answer within storeTimeout (100 ms)'])
})

t.test('a store failure that comes after the fallback was sent is not logged a second time', async t => {
  // The read fails at 300 ms; the step's deadline (100 ms) answered first.
  const failsLate: StateStore = { kind: 'fails-late', get: async () => { await sleep(300); throw new Error('connection reset') }, set: () => 1 }
  const { app, lines } = await stateApp(t, { store: failsLate, timeout: 100 })
  t.same((await chatOf(app).call(show, {})).reply, FALLBACK)
  await sleep(400)
  const failures = lines.filter(line => Number(line.level) >= 40)
  t.same(failures.map(line => (line.err as Error | undefined)?.message), ['Step "show": the fails-late store did not answer within the step\'s timeout of 100 ms'], 'one line for the one failure')
})

t.test('a store whose setAll answers later writes state and user state together, and is closed with the app', async t => {
  const memory = memoryStore()
  const batches: number[] = []
  let closed = 0
  // A network store of the app's own: writes both keys in one round trip, and closes its connection.
  const remote: StateStore = {
    kind: 'remote',
    get: async key => await memory.get(key),
    set: async (key, value, version, ttl, options) => await memory.set(key, value, version, ttl, options),
    setAll: async (writes, options) => { batches.push(writes.length); return await memory.setAll?.(writes, options) },
    close: async () => { closed++ }
  }
  const both = defineStep({
    name: 'both',
    state: Cart,
    userState: Profile,
    handler: ({ state, userState }) => ({ response: 'ok', state: { items: [...(state?.items ?? []), 'tea'] }, userState: { visits: (userState?.visits ?? 0) + 1 } })
  })
  const app = Fastify()
  await app.register(fastifyHaptik, { secret: SECRET, prefix: '/haptik', steps: [both], store: remote })
  const chat = chatOf(app)
  t.same((await chat.call(both, {})).reply, { status: true, response: ['ok'] })
  t.same((await chat.call(both, {})).reply, { status: true, response: ['ok'] })
  t.same(batches, [2, 2], 'one setAll of both keys per call')
  t.equal(closed, 0)
  await app.close()
  t.equal(closed, 1, "the app's close closes the store")
})

t.test('a write under way at the deadline is waited for: the answer says whether the state was saved, and a fallback means it was not', async t => {
  const memory = memoryStore()
  let writeTime = 300
  const slowWrites: StateStore = {
    kind: 'slow-writes',
    get: key => memory.get(key),
    set: async (key, value, version, ttl, options) => {
      await sleep(writeTime)
      // As a real store does: a write that arrives after its deadline is refused.
      if (options?.deadline !== undefined && Date.now() > options.deadline) throw new Error('the write arrived after its deadline')
      return await memory.set(key, value, version, ttl, options)
    }
  }
  const { app } = await stateApp(t, { store: slowWrites, timeout: 100, storeTimeout: 1000 })
  const chat = chatOf(app)
  t.same((await chat.call(add, { item: 'tea' })).reply, { status: true, response: ['1 items'] }, 'saved 200 ms past the deadline: the answer waited for it')
  writeTime = 1500
  const started = performance.now()
  t.same((await chat.call(add, { item: 'milk' })).reply, FALLBACK, 'a write past storeTimeout: the fallback')
  t.ok(performance.now() - started < 1400, 'answered at storeTimeout, not when the write ends')
  await sleep(1200)
  writeTime = 0
  t.same((await chat.call(show, {})).reply?.response, ['Cart: tea'], 'and the late write was refused by the store: nothing saved')
})

t.test('user ids: the empty id is no user; ids beyond 2^53 keep their digits; long ids make short keys', async t => {
  const memory = memoryStore()
  const keys: string[] = []
  const spy: StateStore = { kind: 'spy', get: key => { keys.push(key); return memory.get(key) }, set: (key, value, version, ttl, options) => memory.set(key, value, version, ttl, options) }
  const { app, lines } = await stateApp(t, { store: spy })
  const TEA = '{"item":[{"detection":"message","original_text":"tea","entity_value":"tea"}]}'
  // The body as text: JSON.stringify could not write 9007199254740993.
  const post = async (step: string, userId: string, entities = '{}') => {
    const text = `{"step":"${step}","event":"API_INTEGRATION","user":{"user_id":${userId}},"conversation_no":1,"entities":${entities}}`
    return (await app.inject({ method: 'POST', url: `/haptik/${step}`, payload: text, headers: { 'content-type': 'application/json', 'x-hub-signature': sign(text, SECRET) } })).json()
  }
  t.same(await post('add', '""', TEA), FALLBACK, 'user_id "" is no user: no state is kept for it')
  t.match(lines.find(line => (line.err as { code?: string } | undefined)?.code === 'FST_HAPTIK_INVALID_REPLY')?.err, { message: /the request has no user.user_id/ })
  t.same((await post('add', '9007199254740993', TEA)).response, ['1 items'])
  t.same((await post('show', '9007199254740993')).response, ['Cart: tea'], 'the user sent as 9007199254740993 has the state')
  t.same((await post('show', '9007199254740992')).response, ['Cart: '], 'the user 9007199254740992, which JSON.parse reads as the same number, has none')
  t.same((await post('show', '"9007199254740993"')).response, ['Cart: tea'], 'an id sent as text or as a number is one user, as before')
  t.same((await post('show', '"9007199254740992"')).response, ['Cart: '], 'text that a number would print the same is the text sent')
  keys.length = 0
  await post('show', JSON.stringify('x'.repeat(120_000)))
  t.ok(keys.length === 1 && keys[0].length < 120, `a 120 KB id is a ${keys[0]?.length}-character key`)
})

t.test('stored state is input: over stateLimit (checked before parsing), not JSON, or with a __proto__ key, it reads as the default with a warning, and the next success replaces it', async t => {
  const memory = memoryStore()
  const keys = new Set<string>()
  const spy: StateStore = { kind: 'spy', get: key => { keys.add(key); return memory.get(key) }, set: (key, value, version, ttl, options) => memory.set(key, value, version, ttl, options) }
  const { app, lines } = await stateApp(t, { store: spy, stateLimit: 1000 })
  const chat = chatOf(app, 'tampered')
  await chat.call(add, { item: 'tea' })
  const [key] = keys
  for (const [stored, reason] of [
    [JSON.stringify({ items: ['x'.repeat(2000)] }), 'it is 2014 characters, over the stateLimit of 1000'],
    ['{"items": [', 'it is not JSON'],
    ['{"items": [], "__proto__": {"polluted": true}}', 'it has a "__proto__" or "constructor.prototype" key']
  ]) {
    const { version } = await memory.get(key) as { version: number }
    await memory.set(key, stored, version, undefined)
    t.same((await chat.call(show, {})).reply?.response, ['Cart: '], reason)
    t.equal(lines.filter(line => (line.err as { code?: string } | undefined)?.code === 'FST_HAPTIK_INVALID_STORED_STATE').at(-1)?.msg, `Step "show": the stored conversation's state cannot be used (${reason}); reading the default, which the next success replaces`)
    t.same((await chat.call(add, { item: 'milk' })).reply?.response, ['1 items'], 'not locked out: the next success replaces it')
  }
  t.equal(({} as Record<string, unknown>).polluted, undefined)
})

t.test('state and userState are written together or not at all: a repeatable step whose user state lost its race runs again, and counts once', async t => {
  const memory = memoryStore()
  let raced = false
  // Another call changes the user's state between this call's read and its write.
  const racing: StateStore = {
    kind: 'racing',
    get: key => memory.get(key),
    set: (key, value, version, ttl, options) => memory.set(key, value, version, ttl, options),
    setAll: (writes, options) => {
      if (!raced) {
        raced = true
        const user = writes.find(({ key }) => key.endsWith(':user'))
        if (user !== undefined) memory.set(user.key, '{"visits":10}', user.version, undefined)
      }
      return (memory.setAll as NonNullable<StateStore['setAll']>)(writes, options)
    }
  }
  const Counter = Type.Object({ n: Type.Integer() }, { default: { n: 0 } })
  const Visits = Type.Object({ visits: Type.Integer() }, { default: { visits: 0 } })
  let runs = 0
  const both = defineStep({
    name: 'both',
    repeatable: true,
    state: Counter,
    userState: Visits,
    handler: ({ state, userState }) => {
      runs++
      return { response: 'counted', state: { n: (state?.n ?? 0) + 1 }, userState: { visits: (userState?.visits ?? 0) + 1 } }
    }
  })
  const read = defineStep({ name: 'read', state: Counter, userState: Visits, handler: ({ state, userState }) => `${state?.n ?? 0} ${userState?.visits ?? 0}` })
  const { app } = await stateApp(t, { steps: [both, read], store: racing })
  const chat = chatOf(app)
  t.same((await chat.call(both, {})).reply?.response, ['counted'])
  t.equal(runs, 2, 'nothing was written the first time: it ran again on the new user state')
  t.same((await chat.call(read, {})).reply?.response, ['1 11'], 'the conversation counted once, the user once after the other call')
})

t.test('with a store that writes one key at a time, a step whose second write lost its race takes the failure path and is not run again', async t => {
  const memory = memoryStore()
  const userRaced: StateStore = { kind: 'user-raced', get: key => memory.get(key), set: (key, value, version, ttl) => key.endsWith(':user') ? undefined : memory.set(key, value, version, ttl) }
  let runs = 0
  const both = defineStep({ name: 'both', repeatable: true, state: Cart, userState: Profile, handler: () => { runs++; return { response: 'saved', state: { items: ['tent'] }, userState: { visits: 1 } } } })
  const { app } = await stateApp(t, { steps: [both, show], store: userRaced })
  t.same((await chatOf(app).call(both, {})).reply, FALLBACK)
  t.equal(runs, 1, 'its first write landed: a second run would apply it twice')
})

t.test('a store operation still pending after its call was answered holds no reference to the request', async t => {
  const { setFlagsFromString } = await import('node:v8')
  const { runInNewContext } = await import('node:vm')
  setFlagsFromString('--expose-gc')
  const gc = runInNewContext('gc') as () => void
  // As a client's queue during an outage, the store holds every command it has not answered.
  const queued: Array<(value: undefined) => void> = []
  const hung: StateStore = { kind: 'hung', get: async () => await new Promise(resolve => { queued.push(resolve) }), set: () => undefined }
  t.teardown(() => { for (const answer of queued) answer(undefined) })
  const { logger } = captureLogs('warn')
  const app = Fastify({ logger })
  t.teardown(() => app.close())
  const requests: Array<WeakRef<object>> = []
  app.addHook('onRequest', async request => { requests.push(new WeakRef(request)) })
  await app.register(fastifyHaptik, { secret: SECRET, prefix: '/haptik', steps: [show], store: hung, storeTimeout: 20, timeout: 50 })
  const chat = chatOf(app)
  for (let call = 0; call < 50; call++) t.same((await chat.call(show, {})).reply, FALLBACK)
  for (let round = 0; round < 5; round++) {
    await sleep(20)
    gc()
  }
  const alive = requests.filter(ref => ref.deref() !== undefined).length
  t.ok(alive <= 2, `${alive} of 50 requests still held`)
})

t.test('redisStore({ quit: true }) closes node-redis 5 and later with close(), else destroy(); node-redis 4 with quit(), else disconnect()', async t => {
  for (const [version, client, expected] of [
    ['5+', { sendCommand: async () => null, close: async () => { calls.push('close') }, destroy: () => { calls.push('destroy') } }, ['close']],
    ['5+, closed already', { sendCommand: async () => null, close: async () => { calls.push('close'); throw new Error('The client is closed') }, destroy: () => { calls.push('destroy') } }, ['close', 'destroy']],
    ['4', { sendCommand: async () => null, quit: async () => { calls.push('quit') }, disconnect: () => { calls.push('disconnect') } }, ['quit']],
    ['4, closed already', { sendCommand: async () => null, quit: async () => { calls.push('quit'); throw new Error('The client is closed') }, disconnect: () => { calls.push('disconnect') } }, ['quit', 'disconnect']]
  ] as const) {
    calls.length = 0
    await redisStore(client, { quit: true }).close?.()
    t.same(calls, expected, `node-redis ${version}`)
  }
  calls.length = 0
  await redisStore({ sendCommand: async () => null, close: async () => { calls.push('close') } }).close?.()
  t.same(calls, [], 'not without quit: true: the store does not own the client')
  t.throws(() => redisStore({ call: () => {} }, { quit: 'yes' as unknown as boolean }), { message: 'fastify-haptik: redisStore: quit must be a boolean' })
})
const calls: string[] = []

t.test('a store read that ends after the deadline does not run the handler late, and logs nothing more', async t => {
  const memory = memoryStore()
  let runs = 0
  const slowRead: StateStore = { kind: 'slow-read', get: async key => { await sleep(300); return await memory.get(key) }, set: (key, value, version, ttl, options) => memory.set(key, value, version, ttl, options) }
  const counted = defineStep({ name: 'counted', state: Cart, handler: () => { runs++; return 'ran' } })
  const { app, lines } = await stateApp(t, { steps: [counted], store: slowRead, timeout: 100 })
  t.same((await chatOf(app).call(counted, {})).reply, FALLBACK)
  await sleep(400)
  t.equal(runs, 0, 'answered already: the handler does not run')
  t.same(lines.filter(line => Number(line.level) >= 40).map(line => (line.err as Error | undefined)?.message), ['Step "counted": the slow-read store did not answer within the step\'s timeout of 100 ms'])
})
