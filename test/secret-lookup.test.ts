// A secret function may ask a vault that is slow or down. Every lookup has
// a deadline (secretTimeout), the lookups pending at once are capped
// (secretConcurrency), keys may be cached (secretCache), and close()
// finishes while a lookup hangs.
import t from 'tap'
import Fastify, { type FastifyRequest } from 'fastify'
import fastifyHaptik, { defineStep, type FastifyHaptikOptions } from '../lib/index.js'
import { SECRET, envelope, haptikSignature, signedPost } from './helpers/haptik.js'
import { captureLogs } from './helpers/logs.js'

t.setTimeout(60_000)

const order = defineStep({ name: 'order', handler: () => 'ok' })
const OK = { status: true, response: ['ok'] }

async function lookupApp (t: { teardown: (fn: () => unknown) => void }, options: Partial<FastifyHaptikOptions>) {
  const { logger, lines } = captureLogs('info')
  const app = Fastify({ requestTimeout: 30_000, logger })
  t.teardown(() => app.close())
  await app.register(fastifyHaptik, { steps: [order], ...options })
  await app.ready()
  return { app, lines }
}

const never = () => new Promise<string>(() => {})
const post = (app: Awaited<ReturnType<typeof lookupApp>>['app'], headers: Record<string, string> = {}) => signedPost(app, '/order', envelope('order', {}), { headers })

t.test('a secret function that never answers: 200 calls are all refused with a coded 503 at the deadline', async t => {
  const { app, lines } = await lookupApp(t, { secret: never, secretTimeout: 200, secretConcurrency: 500 })
  const responses = await Promise.all(Array.from({ length: 200 }, () => post(app, { 'x-tenant': 'acme-7781' })))
  t.same(new Set(responses.map(response => response.statusCode)), new Set([503]))
  t.same(responses[0].json(), {
    statusCode: 503,
    code: 'FST_HAPTIK_SECRET_TIMEOUT',
    error: 'Service Unavailable',
    message: 'Step "order": the secret lookup took longer than 200 ms'
  })
  const slow = lines.filter(line => /did not answer within 200 ms/.test(String(line.msg)))
  t.equal(slow.length, 200, 'each is logged')
  t.equal(slow[0].level, 40, 'at warn')
  t.notOk(lines.some(line => JSON.stringify(line).includes('acme-7781')), 'naming no tenant')
})

t.test('calls with a wrong signature wait no longer than the deadline either', async t => {
  const { app } = await lookupApp(t, { secret: never, secretTimeout: 100 })
  const forged = await signedPost(app, '/order', envelope('order', {}), { secret: 'forged' })
  t.equal(forged.statusCode, 503)
  const unsigned = await app.inject({ method: 'POST', url: '/order', payload: envelope('order', {}) })
  t.equal(unsigned.json().code, 'FST_HAPTIK_MISSING_SIGNATURE', 'no signature: refused before any lookup')
})

t.test('the secret function gets a signal that aborts at the deadline', async t => {
  let signal: AbortSignal | undefined
  const { app } = await lookupApp(t, {
    secret: (_request, lookup) => {
      signal = lookup.signal
      return new Promise((_resolve, reject) => lookup.signal.addEventListener('abort', () => reject(lookup.signal.reason)))
    },
    secretTimeout: 100
  })
  t.equal((await post(app)).statusCode, 503)
  t.equal(signal?.aborted, true)
  t.equal((signal?.reason as { code?: string }).code, 'FST_HAPTIK_SECRET_TIMEOUT')
})

t.test('a slow vault that answers in time still lets the call through', async t => {
  const { app } = await lookupApp(t, { secret: async () => { await new Promise(resolve => setTimeout(resolve, 50)); return SECRET }, secretTimeout: 1000 })
  t.same((await post(app)).json(), OK)
})

t.test('past secretConcurrency pending lookups, calls are refused at once with a coded 503', async t => {
  let release: (secret: string) => void = () => {}
  const waiting = new Promise<string>(resolve => { release = resolve })
  let calls = 0
  const { app, lines } = await lookupApp(t, { secret: () => { calls++; return waiting }, secretConcurrency: 3, secretTimeout: 5000 })
  const first = Array.from({ length: 3 }, () => post(app))
  await new Promise(resolve => setTimeout(resolve, 50))
  const refused = await post(app)
  t.equal(refused.statusCode, 503)
  t.same(refused.json(), {
    statusCode: 503,
    code: 'FST_HAPTIK_SECRET_BUSY',
    error: 'Service Unavailable',
    message: 'Step "order": too many secret lookups are pending; try again'
  })
  t.same(lines.filter(line => Number(line.level) >= 40).map(({ level, pending, msg }) => ({ level, pending, msg })), [{ level: 40, pending: 3, msg: 'fastify-haptik: Step "order": 3 secret lookups are pending, the most allowed (secretConcurrency); refusing this call' }], 'logged once, at warn')
  t.equal(calls, 3, 'the refused call never asked the vault')
  release(SECRET)
  for (const response of await Promise.all(first)) t.same(response.json(), OK)
  t.same((await post(app)).json(), OK, 'and once they are done, calls go through again')
})

t.test('secretCache: the vault is asked once per key and TTL, concurrent calls share one lookup', async t => {
  const asked: string[] = []
  const tenantOf = (request: FastifyRequest) => request.headers['x-tenant'] as string | undefined
  const { app } = await lookupApp(t, {
    secret: async request => {
      asked.push(tenantOf(request) ?? 'none')
      await new Promise(resolve => setTimeout(resolve, 20))
      return tenantOf(request) === 'b' ? 'secret-b' : SECRET
    },
    secretCache: { key: tenantOf, ttl: 300, max: 1 }
  })
  const burst = await Promise.all(Array.from({ length: 20 }, () => post(app, { 'x-tenant': 'a' })))
  t.same(new Set(burst.map(response => response.statusCode)), new Set([200]))
  t.same(asked, ['a'], 'twenty concurrent calls, one lookup')
  t.same((await post(app, { 'x-tenant': 'a' })).json(), OK)
  t.same(asked, ['a'], 'cached')
  const b = await signedPost(app, '/order', envelope('order', {}), { secret: 'secret-b', headers: { 'x-tenant': 'b' } })
  t.same(b.json(), OK)
  t.same(asked, ['a', 'b'])
  t.same((await post(app, { 'x-tenant': 'a' })).json(), OK)
  t.same(asked, ['a', 'b', 'a'], 'max: 1 kept only the latest tenant')
  await new Promise(resolve => setTimeout(resolve, 350))
  t.same((await post(app, { 'x-tenant': 'a' })).json(), OK)
  t.same(asked, ['a', 'b', 'a', 'a'], 'asked again once the TTL passed')
  t.same((await post(app)).json(), OK)
  t.same((await post(app)).json(), OK)
  t.same(asked, ['a', 'b', 'a', 'a', 'none', 'none'], 'a request without a key is never cached')
})

t.test('secretCache keeps no failure: a missing secret or a timeout is asked again', async t => {
  let answers: Array<() => Promise<string | undefined>> = [async () => undefined, never, async () => SECRET]
  const { app } = await lookupApp(t, {
    secret: () => (answers.shift() as () => Promise<string | undefined>)(),
    secretTimeout: 100,
    secretCache: { key: () => 'tenant' }
  })
  t.equal((await post(app)).json().code, 'FST_HAPTIK_SECRET_NOT_FOUND')
  t.equal((await post(app)).json().code, 'FST_HAPTIK_SECRET_TIMEOUT')
  t.same((await post(app)).json(), OK)
  answers = []
  t.same((await post(app)).json(), OK, 'the found secret is cached')
})

t.test('a secretCache key function that throws is a 500 that leaks nothing', async t => {
  const { app, lines } = await lookupApp(t, { secret: () => SECRET, secretCache: { key: () => { throw new Error('tenant table acme-7781 gone') } } })
  const response = await post(app)
  t.equal(response.statusCode, 500)
  t.strictSame(response.json(), { statusCode: 500, code: 'FST_HAPTIK_INTERNAL', error: 'Internal Server Error', message: 'Internal error' }, 'the generic 500')
  t.notMatch(response.body, 'acme')
  t.same(lines.filter(line => Number(line.level) >= 40).map(({ level, msg, err }) => ({ level, msg, err: (err as { message: string }).message })),
    [{ level: 50, msg: 'fastify-haptik: the secret cache key function threw', err: 'tenant table acme-7781 gone' }], 'logged once, as an error, for the operator')
})

t.test('close() finishes while a secret lookup hangs, and the pending call is refused', async t => {
  const app = Fastify()
  await app.register(fastifyHaptik, { steps: [order], secret: never, secretTimeout: 60_000 })
  await app.listen({ port: 0, host: '127.0.0.1' })
  const { port } = app.server.address() as { port: number }
  const body = JSON.stringify(envelope('order', {}))
  const pending = fetch(`http://127.0.0.1:${port}/order`, {
    method: 'POST',
    body,
    headers: { 'content-type': 'application/json', 'x-hub-signature': haptikSignature(body) }
  })
  await new Promise(resolve => setTimeout(resolve, 100))
  await app.close()
  const response = await pending
  t.equal(response.status, 503)
  t.match(await response.json(), { code: 'FST_HAPTIK_SECRET_TIMEOUT', message: 'Step "order": the secret lookup was cancelled: the server is closing' })
})

t.test('the options are checked at registration', async t => {
  for (const [options, message] of [
    [{ secretTimeout: 0 }, /secretTimeout must be a positive integer/],
    [{ secretConcurrency: 1.5 }, /secretConcurrency must be a positive integer/],
    [{ secretCache: { ttl: 5 } }, /secretCache must be an object like \{ key:/],
    [{ secretCache: { key: () => 'x', ttl: -1 } }, /secretCache.ttl must be a positive integer/],
    [{ bodyTimeout: Infinity }, /bodyTimeout must be a positive integer/]
  ] as const) {
    const app = Fastify()
    app.register(fastifyHaptik, { steps: [order], secret: SECRET, ...options } as FastifyHaptikOptions)
    await t.rejects(async () => { await app.ready() }, { code: 'FST_HAPTIK_INVALID_OPTION', message })
  }
})
