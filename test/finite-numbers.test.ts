// Numbers are finite or refused, whatever the step declared. JSON.parse
// reads 1e400 as Infinity, and Fastify's Ajv coerces the string "1e400" to
// Infinity and lets -Infinity past a `maximum`: without the plugin's own
// check these reached the handler.
import t from 'tap'
import Fastify from 'fastify'
import { Type } from '@sinclair/typebox'
import fastifyHaptik, { DEFAULT_INVALID_ENTITY_MESSAGE, Entities, defineStep } from '../lib/index.js'
import { SECRET, detection, envelope, signedPost } from './helpers/haptik.js'
import { captureLogs } from './helpers/logs.js'

const seen: unknown[] = []
const record = ({ entities }: { entities: unknown }) => {
  seen.push(entities)
  return 'ok'
}

const steps = [
  defineStep({ name: 'bounded', entities: Type.Object({ n: Type.Number({ maximum: 100 }) }), handler: record }),
  defineStep({ name: 'integer', entities: Type.Object({ n: Type.Integer() }), handler: record }),
  defineStep({ name: 'union', entities: Type.Object({ n: Type.Union([Type.Literal('none'), Type.Number({ minimum: 0 })]) }), handler: record }),
  defineStep({ name: 'nested', entities: Type.Object({ trip: Type.Object({ price: Type.Number(), legs: Type.Array(Type.Integer()) }) }), handler: record }),
  defineStep({ name: 'list', entities: Type.Object({ n: Type.Array(Type.Number()) }), handler: record }),
  defineStep({ name: 'nullable', entities: Type.Object({ n: Type.Unsafe<number | null>({ type: ['number', 'null'] }) }), handler: record }),
  defineStep({ name: 'catalog', entities: Type.Object({ n: Entities.Number }), handler: record })
]

const INVALID = { status: false, response: [DEFAULT_INVALID_ENTITY_MESSAGE] }

async function app (t: { teardown: (fn: () => unknown) => void }, invalidEntities: 'failure' | 'reject' = 'failure') {
  const { logger, lines: warnings } = captureLogs('warn')
  const server = Fastify({ logger })
  t.teardown(() => server.close())
  await server.register(fastifyHaptik, { secret: SECRET, steps, invalidEntities })
  return { server, warnings }
}

/** A signed body with the entity values spelled exactly as given (raw JSON), so 1e400 stays 1e400 on the wire. */
function rawBody (step: string, entities: string): string {
  const body = JSON.stringify(envelope(step, {}))
  return body.replace('"entities":{}', `"entities":${entities}`)
}

const one = (name: string, valueJson: string) => `{"${name}":[{"detection":"message","original_text":"x","entity_value":${valueJson}}]}`

t.test('numbers past 1e308 never reach a handler: ±1e400 as text, wrapped, as JSON numbers, and "Infinity"', async t => {
  const { server, warnings } = await app(t)
  const values = ['"1e400"', '"-1e400"', '{"value":"1e400"}', '{"value":"-1e400"}', '"Infinity"', '"-Infinity"', '1e400', '-1e400']
  for (const step of ['bounded', 'integer', 'union', 'list', 'nullable']) {
    for (const value of values) {
      seen.length = 0
      const response = await signedPost(server, `/${step}`, rawBody(step, one('n', value)))
      t.equal(response.statusCode, 200, `${step}, ${value}: 200`)
      t.same(response.json(), INVALID, `${step}, ${value}: the invalid-entity path`)
      t.same(seen, [], `${step}, ${value}: the handler did not run`)
    }
  }
  const finite = warnings.filter(line => /must be a finite number/.test(String(line.msg)))
  t.ok(finite.length > 0, 'the warnings say a finite number was expected')
  t.match(finite[0].msg, /^Step "bounded": entity "n" \(detection 0\) must be a finite number, got -?Infinity \(a number too large to represent/, 'naming the step, the entity and the value read')
})

t.test('inside objects and lists, the message names the field', async t => {
  const { server, warnings } = await app(t)
  const trip = '{"trip":[{"entity_value":{"price":12.5,"legs":[1,2e400]}}]}'
  t.same((await signedPost(server, '/nested', rawBody('nested', trip))).json(), INVALID)
  t.match(warnings.at(-1)?.msg, /entity "trip" \(detection 0\) field "legs\[1\]" must be a finite number, got Infinity/)
  const list = '{"n":[{"entity_value":"4"},{"entity_value":"-1e999"}]}'
  t.same((await signedPost(server, '/list', rawBody('list', list))).json(), INVALID)
  t.match(warnings.at(-1)?.msg, /entity "n" \(detection 1\) must be a finite number, got -Infinity/)
})

t.test('finite numbers, large ones included, still pass', async t => {
  const { server } = await app(t)
  seen.length = 0
  t.same((await signedPost(server, '/bounded', rawBody('bounded', one('n', '"-1e300"')))).json(), { status: true, response: ['ok'] })
  t.same((await signedPost(server, '/union', rawBody('union', one('n', '"none"')))).json(), { status: true, response: ['ok'] })
  t.same((await signedPost(server, '/nested', envelope('nested', { trip: [detection({ price: 1.7976931348623157e308, legs: [1] })] }))).json(), { status: true, response: ['ok'] })
  t.same(seen, [{ n: -1e300 }, { n: 'none' }, { trip: { price: 1.7976931348623157e308, legs: [1] } }])
})

t.test('the catalog\'s numbers were refused already, and still are', async t => {
  const { server } = await app(t)
  t.same((await signedPost(server, '/catalog', rawBody('catalog', one('n', '{"value":"1e400","unit":null}')))).json(), INVALID)
  t.same((await signedPost(server, '/catalog', rawBody('catalog', one('n', '1e400')))).json(), INVALID)
})

t.test("with invalidEntities: 'reject', a non-finite number is a coded 400 that says so", async t => {
  const { server } = await app(t, 'reject')
  const response = await signedPost(server, '/bounded', rawBody('bounded', one('n', '"-1e400"')))
  t.equal(response.statusCode, 400)
  t.equal(response.json().code, 'FST_HAPTIK_INVALID_ENTITY')
  t.match(response.json().message, /entity "n" \(detection 0\) must be a finite number/)
})

t.test("the envelope's own numbers: conversation_no and device_platform past 1e308 are a 400 that says so", async t => {
  const { server } = await app(t)
  const body = rawBody('bounded', one('n', '5'))
  for (const [field, spelled] of [
    ['conversation_no', body.replace('"conversation_no":3', '"conversation_no":1e400')],
    ['conversation_no', body.replace('"conversation_no":3', '"conversation_no":"1e400"')],
    ['user.device_platform', body.replace('"device_platform":5', '"device_platform":-1e400')],
    ['user.device_platform', body.replace('"device_platform":5', '"device_platform":"-1e400"')]
  ]) {
    const response = await signedPost(server, '/bounded', spelled)
    t.equal(response.statusCode, 400, field)
    t.equal(response.json().code, 'FST_HAPTIK_INVALID_ENVELOPE', field)
    t.match(response.json().message, new RegExp(`field "${field.replace('.', '\\.')}" must be a finite number, got -?Infinity`), field)
  }
})
