// A wrong step URL explains itself: under the plugin's prefix, a request that
// no route serves is a coded 404 that lists the step URLs served there.
import t, { type Test as Tap } from 'tap'
import Fastify, { type FastifyInstance } from 'fastify'
import swagger from '@fastify/swagger'
import fastifyHaptik, { defineStep } from '../lib/index.js'
import { SECRET, detection, envelope, signedPost } from './helpers/haptik.js'

const productPrice = defineStep({ name: 'product_price', handler: () => 'Rs.1599' })
const nearestStore = defineStep({ name: 'nearest_store', path: '/stores/nearest', handler: () => 'FC Road' })

async function app (t: Tap, register: (app: FastifyInstance) => Promise<unknown>) {
  const server = Fastify()
  t.teardown(() => server.close())
  await register(server)
  await server.ready()
  return server
}

const LISTED = 'Step URLs here: POST /haptik/product_price, POST /haptik/stores/nearest.'

t.test('a wrong path, a trailing slash or the wrong case is a 404 that lists the step URLs', async t => {
  const server = await app(t, async server => {
    await server.register(fastifyHaptik, { prefix: '/haptik', secret: SECRET, steps: [productPrice, nearestStore] })
  })
  const body = envelope('product_price', { product_name: [detection('speaker')] })
  for (const url of ['/haptik/product_pric', '/haptik/product_price/', '/haptik/PRODUCT_PRICE', '/haptik/', '/haptik/stores']) {
    const res = await signedPost(server, url, body)
    t.equal(res.statusCode, 404, `${url}: status`)
    t.same(Object.keys(res.json()), ['statusCode', 'code', 'error', 'message'], `${url}: the plugin's error body`)
    t.equal(res.json().code, 'FST_HAPTIK_UNKNOWN_PATH', `${url}: code`)
    t.equal(res.json().message, `No step is served at POST ${JSON.stringify(url)}. ${LISTED} Check the integration URL of the step in the bot builder (paths are case-sensitive, without a trailing slash)`, `${url}: message`)
  }
  t.equal((await signedPost(server, '/haptik/product_price', body)).statusCode, 200, 'the step itself is served')
})

t.test('it answers before the body is read: no signature, bad JSON or another method is still a 404', async t => {
  const server = await app(t, async server => {
    await server.register(fastifyHaptik, { prefix: '/haptik', secret: SECRET, steps: [productPrice] })
  })
  const cases = [
    await server.inject({ method: 'POST', url: '/haptik/nope', payload: '{not json', headers: { 'content-type': 'application/json' } }),
    await server.inject({ method: 'POST', url: '/haptik/nope', payload: 'x', headers: { 'content-type': 'text/plain' } }),
    await server.inject({ method: 'GET', url: '/haptik/nope?token=abc' }),
    await server.inject({ method: 'PUT', url: `/haptik/${'x'.repeat(500)}` })
  ]
  t.same(cases.map(res => [res.statusCode, res.json().code]), Array(4).fill([404, 'FST_HAPTIK_UNKNOWN_PATH']))
  t.match(cases[2].json().message, 'No step is served at GET "/haptik/nope".', 'the query string is left out')
  t.equal(cases[3].json().message, `No step is served at PUT "/haptik/${'x'.repeat(112)}…". Step URLs here: POST /haptik/product_price. Check the integration URL of the step in the bot builder (paths are case-sensitive, without a trailing slash)`, 'a long path is cut short')
})

t.test('routes outside the prefix are untouched', async t => {
  const server = await app(t, async server => {
    server.setNotFoundHandler((request, reply) => reply.code(404).send({ app: 'own 404' }))
    server.post('/haptik-other', async () => 'own route')
    server.get('/haptik/health', async () => 'own route under the prefix')
    await server.register(fastifyHaptik, { prefix: '/haptik', secret: SECRET, steps: [productPrice] })
  })
  t.same((await server.inject({ method: 'POST', url: '/nope' })).json(), { app: 'own 404' })
  t.same((await server.inject({ method: 'POST', url: '/haptikz' })).json(), { app: 'own 404' })
  t.equal((await server.inject({ method: 'POST', url: '/haptik-other' })).body, 'own route')
  t.equal((await server.inject({ method: 'GET', url: '/haptik/health' })).body, 'own route under the prefix', "the app's own routes under the prefix win")
})

t.test('without a prefix the app keeps its own 404s', async t => {
  const server = await app(t, async server => {
    await server.register(fastifyHaptik, { secret: SECRET, steps: [productPrice] })
  })
  const res = await server.inject({ method: 'POST', url: '/product_pric' })
  t.same(res.json(), { message: 'Route POST:/product_pric not found', error: 'Not Found', statusCode: 404 }, "Fastify's own 404")
})

t.test('registrations sharing a prefix share one list, and the dispatch URL is in it', async t => {
  const server = await app(t, async server => {
    await server.register(fastifyHaptik, { prefix: '/haptik', secret: SECRET, steps: [productPrice] })
    await server.register(fastifyHaptik, { prefix: '/haptik', secret: 'another', steps: [nearestStore], dispatch: true })
  })
  const res = await server.inject({ method: 'POST', url: '/haptik/nope' })
  t.match(res.json().message, 'Step URLs here: POST /haptik/product_price, POST /haptik/stores/nearest, POST /haptik/ (any step, by its name).')
  const dispatched = await signedPost(server, '/haptik/', envelope('nearest_store', {}), { secret: 'another' })
  t.equal(dispatched.statusCode, 200, 'the dispatch route is served')
})

t.test('the catch-all is not in the OpenAPI document', async t => {
  const server = await app(t, async server => {
    await server.register(swagger, { openapi: { info: { title: 'docs', version: '1.0.0' } } })
    await server.register(fastifyHaptik, { prefix: '/haptik', secret: SECRET, steps: [productPrice] })
  })
  t.same(Object.keys((server.swagger() as { paths: object }).paths), ['/haptik/product_price'])
})
