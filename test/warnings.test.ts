// Configuration mistakes are not silent without a logger (Fastify's is off by
// default): each is a process warning with its code, as Fastify core's own,
// once per process; the logger line stays (test/robustness/slow-clients.test.ts,
// test/plugin.test.ts, test/openapi.test.ts).
import t from 'tap'
import Fastify from 'fastify'
import swagger from '@fastify/swagger'
import fastifyHaptik, { defineStep } from '../lib/index.js'
import { WebhooksNeedOpenapi31 } from '../lib/warnings.js'
import { SECRET } from './helpers/haptik.js'

const seen: Array<Error & { code?: string }> = []
process.on('warning', warning => { seen.push(warning) })

/** The process warnings of a code so far; Node.js emits them on the next tick. */
async function warnings (code: string) {
  await new Promise(resolve => setImmediate(resolve))
  return seen.filter(warning => warning.code === code).map(({ name, message }) => ({ name, message }))
}

const hello = defineStep({ name: 'hello', handler: () => 'hi' })

t.test('FSTHAPTIK002: a server that listens without requestTimeout, with the one figure the docs give', async t => {
  const start = async (options: object, listen = true) => {
    const app = Fastify(options)
    t.teardown(() => app.close())
    await app.register(fastifyHaptik, { secret: SECRET, steps: [hello] })
    if (listen) await app.listen({ port: 0, host: '127.0.0.1' })
    else await app.ready()
  }
  await start({ requestTimeout: 15_000 })
  await start({}, false)
  t.same(await warnings('FSTHAPTIK002'), [], 'not with requestTimeout set, nor for an app that only answers inject()')
  await start({})
  t.same(await warnings('FSTHAPTIK002'), [{
    name: 'FastifyHaptikWarning',
    message: 'the server has no requestTimeout, so a client that sends its request slowly holds its connection for as long as it likes; ' +
      'set one, e.g. Fastify({ requestTimeout: 15_000, http: { headersTimeout: 10_000 } }) (docs/security.md#server-settings)'
  }], 'Fastify() with its logger off')
  await start({})
  t.equal((await warnings('FSTHAPTIK002')).length, 1, 'once per process')
})

t.test('FSTHAPTIK003: allowUnsigned, naming the steps it leaves unsigned', async t => {
  const start = async () => {
    const app = Fastify({ requestTimeout: 15_000 })
    t.teardown(() => app.close())
    const signed = defineStep({ name: 'signed', secret: SECRET, handler: () => 'signed' })
    await app.register(fastifyHaptik, { steps: [hello, signed], allowUnsigned: true })
    await app.ready()
  }
  await start()
  t.same(await warnings('FSTHAPTIK003'), [{ name: 'FastifyHaptikWarning', message: 'allowUnsigned is on; these steps accept calls that anyone can forge: "hello"' }])
  await start()
  t.equal((await warnings('FSTHAPTIK003')).length, 1, 'once per process')
})

t.test('FSTHAPTIK001: @fastify/swagger registered after the plugin', async t => {
  const start = async (swaggerFirst: boolean) => {
    const app = Fastify({ requestTimeout: 15_000 })
    t.teardown(() => app.close())
    const docs = async () => { await app.register(swagger, { openapi: { info: { title: 'order test', version: '1.0.0' } } }) }
    if (swaggerFirst) await docs()
    await app.register(fastifyHaptik, { secret: SECRET, steps: [hello] })
    if (!swaggerFirst) await docs()
    await app.ready()
  }
  await start(true)
  t.same(await warnings('FSTHAPTIK001'), [], 'not in the right order')
  await start(false)
  t.same(await warnings('FSTHAPTIK001'), [{
    name: 'FastifyHaptikWarning',
    message: '@fastify/swagger was registered after fastify-haptik, so its document has none of the step routes; register @fastify/swagger first (docs/openapi.md)'
  }])
  await start(false)
  t.equal((await warnings('FSTHAPTIK001')).length, 1, 'once per process')
})

t.test('FSTHAPTIK004: openapi: { webhooks: true } on a document without a webhooks section (swagger\'s default OpenAPI 3.0.3, or Swagger 2.0)', async t => {
  const document = async (documentOptions: object) => {
    const app = Fastify({ requestTimeout: 15_000 })
    t.teardown(() => app.close())
    await app.register(swagger, documentOptions)
    await app.register(fastifyHaptik, { secret: SECRET, steps: [hello], openapi: { webhooks: true } })
    await app.ready()
    return app.swagger() as { webhooks?: unknown }
  }
  t.ok((await document({ openapi: { openapi: '3.1.0', info: { title: 'bot', version: '1.0.0' } } })).webhooks, 'OpenAPI 3.1: the webhooks section')
  t.same(await warnings('FSTHAPTIK004'), [], 'and no warning')
  t.notOk((await document({ openapi: { info: { title: 'bot', version: '1.0.0' } } })).webhooks, "swagger's default document")
  const told = {
    name: 'FastifyHaptikWarning',
    message: "openapi: { webhooks: true } adds each step to the webhooks section of OpenAPI 3.1, and this document is OpenAPI 3.0.3, which has none: register @fastify/swagger with openapi: { openapi: '3.1.0' } (docs/openapi.md)"
  }
  t.same(await warnings('FSTHAPTIK004'), [told])
  await document({ openapi: { info: { title: 'bot', version: '1.0.0' } } })
  t.same(await warnings('FSTHAPTIK004'), [told], 'once per process, however many routes and documents')
  WebhooksNeedOpenapi31.emitted = false
  await document({ swagger: { info: { title: 'bot', version: '1.0.0' } } })
  t.match((await warnings('FSTHAPTIK004'))[1]?.message, 'this document is Swagger 2.0, which has none', 'Swagger 2.0 (the warning made to be emitted again)')
})
