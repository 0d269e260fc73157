import t from 'tap'
import { Type, type TSchema } from '@sinclair/typebox'
import { TypeCompiler } from '@sinclair/typebox/compiler'
import { Entities, defineStep } from '../lib/index.js'
import { detection, envelope, haptikApp, signedPost } from './helpers/haptik.js'

// entity_value as in ../shared/haptik-protocol.md, section 1.3, and what the handler gets.
const CASES: Array<[keyof typeof Entities, unknown, unknown]> = [
  ['Text', { value: 'Mainland China', datastore_verified: true, crf_model_verified: false }, 'Mainland China'],
  ['Text', 'Mainland China', 'Mainland China'],
  ['Regex', { value: 'AB1234' }, 'AB1234'],
  ['Phone', { value: '919820334455' }, '919820334455'],
  ['Email', { value: 'x@y.com' }, 'x@y.com'],
  ['Number', { value: '30', unit: null }, { value: 30, unit: null }],
  ['Number', { value: '1500', unit: 'rupees' }, { value: 1500, unit: 'rupees' }],
  ['NumberRange', { min_value: '12', max_value: null, unit: null }, { min_value: 12, max_value: null, unit: null }],
  ['Date', { value: { dd: 23, mm: 12, yy: 2019, type: 'date' }, normal: true, from: false, to: false, start_range: false, end_range: false },
    { value: { dd: 23, mm: 12, yy: 2019, type: 'date' }, normal: true, from: false, to: false, start_range: false, end_range: false }],
  ['Date', { value: { dd: 27, mm: 11, yy: 2026, type: 'tomorrow' } }, { value: { dd: 27, mm: 11, yy: 2026, type: 'tomorrow' } }],
  ['Time', { hh: 12, mm: 30, nn: 'pm' }, { hh: 12, mm: 30, nn: 'pm' }],
  ['Time', { hh: 0, mm: 15, nn: 'df' }, { hh: 0, mm: 15, nn: 'df' }],
  ['Time', { hh: 18, mm: 0, nn: 'hrs' }, { hh: 18, mm: 0, nn: 'hrs' }],
  ['City', { value: 'Mumbai', from: false, to: true, via: false, normal: false }, { value: 'Mumbai', from: false, to: true, via: false, normal: false }],
  ['Budget', { min_budget: 2000, max_budget: 3000, type: 'normal_budget' }, { min_budget: 2000, max_budget: 3000, type: 'normal_budget' }],
  ['PersonName', { first_name: 'yash', middle_name: null, last_name: 'doshi' }, { first_name: 'yash', middle_name: null, last_name: 'doshi' }],
  ['Currency', { unit: 'dollars', value: '350.00' }, { unit: 'dollars', value: 350 }],
  ['Date', { value: { dd: 1, mm: 1, yy: 2027, type: 'date' }, language: 'en', surprise: 1 }, { value: { dd: 1, mm: 1, yy: 2027, type: 'date' }, language: 'en', surprise: 1 }]
]

t.test('each catalog entity reads Haptik\'s value into its typed form', async t => {
  const seen: unknown[] = []
  const steps = Object.entries(Entities).map(([name, schema]) => defineStep({
    name: `read_${name}`,
    entities: Type.Object({ value: schema as TSchema }),
    handler: ({ entities }) => { seen.push(entities.value); return 'ok' }
  }))
  const app = await haptikApp(t, { steps })
  for (const [name, sent, expected] of CASES) {
    seen.length = 0
    const res = await signedPost(app, `/read_${name}`, envelope(`read_${name}`, { value: [detection(sent, 'said')] }))
    t.equal(res.statusCode, 200, `${name}: accepted`)
    t.same(seen, [expected], `${name}: ${JSON.stringify(sent)}`)
  }
})

t.test('wrong shapes are refused with the entity named', async t => {
  const step = defineStep({ name: 'trip', entities: Type.Object({ travel_date: Entities.Date, budget: Type.Optional(Entities.Budget) }), handler: () => 'ok' })
  const app = await haptikApp(t, { steps: [step] })
  const bad = await signedPost(app, '/trip', envelope('trip', { travel_date: [detection('tomorrow')] }))
  t.equal(bad.json().code, 'FST_HAPTIK_INVALID_ENTITY')
  t.match(bad.json().message, /entity "travel_date" \(detection 0\) must be \{ value: an object, normal\?: boolean, .*\}, got a string/)
  const month = await signedPost(app, '/trip', envelope('trip', { travel_date: [detection({ value: { dd: 1, mm: 13, yy: 2026, type: 'date' } })] }))
  t.match(month.json().message, /entity "travel_date" \(detection 0\)/)
})

t.test('every catalog schema has a description and an example it accepts', async t => {
  for (const [name, schema] of Object.entries(Entities)) {
    t.type(schema.description, 'string', `${name}: description`)
    const [example] = schema.examples ?? []
    t.not(example, undefined, `${name}: example`)
    t.ok(TypeCompiler.Compile(schema as unknown as TSchema).Check(example), `${name}: its example is valid`)
  }
})
