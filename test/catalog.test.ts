// The entity catalog against what Haptik really sends: every shape of
// chatbot_ner's detectors (hellohaptik/chatbot_ner at 4594410, file named per
// case) and the bare strings of Haptik's integration docs
// (hellohaptik/docs_haptik docs/bot-builder/integrations/integration-parameters.md).
import t from 'tap'
import { Type, type TSchema } from '@sinclair/typebox'
import { TypeCompiler } from '@sinclair/typebox/compiler'
import { Type as Type1 } from 'typebox'
import { Entities, defineStep } from '../lib/index.js'
import { detection, envelope, haptikApp, signedPost } from './helpers/haptik.js'

type Entity = keyof typeof Entities
const DATE_FLAGS = { normal: false, from: false, to: false, start_range: false, end_range: false }
const CITY_FLAGS = { from: false, to: false, via: false, normal: false }

// [entity, what Haptik sends as entity_value, what the handler gets, where the shape comes from]
const CASES: Array<[Entity, unknown, unknown, string]> = [
  // ---- text and patterns
  ['Text', { value: 'Mumbai', datastore_verified: true, model_verified: false }, { value: 'Mumbai', datastore_verified: true, model_verified: false }, 'ner_v2/detectors/textual/tests/test_text_detection.py'],
  ['Text', { value: "Domino's Pizza", datastore_verified: false, model_verified: true }, { value: "Domino's Pizza", datastore_verified: false, model_verified: true }, 'ner_v2/api.py (predetected value)'],
  ['Text', { value: 'Mainland China', datastore_verified: true, crf_model_verified: false }, { value: 'Mainland China', datastore_verified: true, crf_model_verified: false }, 'docs/api_call.md (before 2019-11)'],
  ['Text', { value: 'मुंबई' }, { value: 'मुंबई' }, 'docs/api_call.md §6 (structured value not verified)'],
  ['Text', 'headphones', { value: 'headphones' }, "Haptik's integration-parameters.md"],
  ['Text', { value: 'Andheri West' }, { value: 'Andheri West' }, 'ner_v1/chatbot/entity_detection.py get_location'],
  ['Regex', { value: 'AMAZON30' }, 'AMAZON30', 'docs/api_call.md §8'],
  ['Regex', { value: '986265' }, '986265', "Haptik's docs_haptik bot-builder/integrations/assets/api16.png"],
  ['Regex', { value: '4sgx3e' }, '4sgx3e', 'ner_v1/detectors/pattern/pnr/pnr_detection.py (alphanumeric PNR)'],
  ['Email', { value: 'hello@haptik.ai' }, 'hello@haptik.ai', 'docs/api_call.md §5'],
  ['Email', 'test@test.com', 'test@test.com', "Haptik's integration-parameters.md"],
  ['Digits', { value: '000123765' }, '000123765', 'postman_tests/data/entities/number.json (v1 keeps leading zeros)'],
  ['Digits', '004521', '004521', 'an OTP as a bare string'],
  ['Digits', { value: '2141215305' }, '2141215305', 'docs/api_call.md §7 (railway PNR)'],
  ['Phone', { value: '2226129854', country_calling_code: '91' }, { value: '2226129854', country_calling_code: '91' }, 'ner_v2/tests/pattern/phone_number/phone_number_ner_tests.yaml en_1'],
  ['Phone', { value: '4089126172', country_calling_code: '1' }, { value: '4089126172', country_calling_code: '1' }, 'phone_number_ner_tests.yaml (+1 (408) 912-6172)'],
  ['Phone', { phone_number: '9820334455', country_calling_code: '91' }, { value: '9820334455', country_calling_code: '91' }, 'ner_v2/detectors/pattern/phone_number/README.md (2019-09 to 2019-10)'],
  ['Phone', { value: '919820334455' }, { value: '919820334455' }, 'docs/api_call.md §4 (before 2019-09)'],
  ['Phone', '9049961794', { value: '9049961794' }, 'postman_tests/data/entities/phoneV1.json, as a bare string'],
  ['Phone', { value: '+91-9820334455' }, { value: '+91-9820334455' }, 'ner_v1/detectors/pattern/phone_number/phone_detection.py (the regex match keeps +91 and a hyphen)'],
  ['Phone', '+1 (408) 912-6172', { value: '+1 (408) 912-6172' }, 'phone_number_ner_tests.yaml original_text, sent bare'],
  // ---- numbers
  ['Number', { value: '100', unit: null }, { value: 100, unit: null }, 'ner_v2/tests/numeral/number/en/number_ner_tests.yaml en_1'],
  ['Number', { value: '10120', unit: 'rupees' }, { value: 10120, unit: 'rupees' }, 'number_ner_tests.yaml en_4 (unit_type currency)'],
  ['Number', { value: '11.2', unit: null }, { value: 11.2, unit: null }, 'number_ner_tests.yaml en_3'],
  ['Number', { value: '3' }, { value: 3, unit: null }, 'docs/api_call.md@1fa1b298 §12 (v1, passenger count)'],
  ['Number', { value: 1234.0, unit: null }, { value: 1234, unit: null }, 'ner_v2/detectors/numeral/number/number_detection.py (merged numbers)'],
  ['Number', '71', { value: 71, unit: null }, "Haptik's integration-parameters.md"],
  ['Number', 71, { value: 71, unit: null }, 'a JSON number'],
  ['Number', { value: '9007199254740991', unit: null }, { value: Number.MAX_SAFE_INTEGER, unit: null }, 'the largest number read exactly'],
  ['NumberRange', { min_value: '200', max_value: null, unit: null, abs_value: null }, { min_value: 200, max_value: null, unit: null, abs_value: null }, 'ner_v2/tests/numeral/number_range/number_range_ner_tests.yaml en_1'],
  ['NumberRange', { min_value: '2000', max_value: '3000', unit: null, abs_value: null }, { min_value: 2000, max_value: 3000, unit: null, abs_value: null }, 'number_range_ner_tests.yaml en_26'],
  ['NumberRange', { min_value: '200', max_value: null, unit: 'rupees', abs_value: null }, { min_value: 200, max_value: null, unit: 'rupees', abs_value: null }, 'number_range_ner_tests.yaml en_7'],
  ['NumberRange', { min_value: null, max_value: null, unit: null, abs_value: '3' }, { min_value: null, max_value: null, unit: null, abs_value: 3 }, 'number_range_ner_tests.yaml en_27'],
  ['NumberRange', { min_value: '12', max_value: null, unit: null }, { min_value: 12, max_value: null, unit: null, abs_value: null }, 'ner_v2/detectors/numeral/number_range/README.md (before abs_value)'],
  ['Currency', { unit: 'rupees', value: '50.00' }, { unit: 'rupees', value: 50 }, "Haptik's docs/bot-builder/basic/entities.md"],
  ['Currency', { unit: 'dollars', value: '350.00' }, { unit: 'dollars', value: 350 }, "Haptik's docs/bot-builder/basic/entities.md"],
  ['Currency', { value: '20000', unit: 'rupees' }, { value: 20000, unit: 'rupees' }, 'docs/api_call.md §3 Example 4 (rupees 20k)'],
  ['Budget', { max_budget: 3000, type: 'normal_budget', min_budget: 2000 }, { max_budget: 3000, type: 'normal_budget', min_budget: 2000 }, 'postman_tests/data/entities/budget.json'],
  ['Budget', { min_budget: 0, max_budget: 6000, type: 'normal_budget' }, { min_budget: 0, max_budget: 6000, type: 'normal_budget' }, 'ner_v1/tests/numeral/budget/test_budget_detection.py test_max_budget (0: no lower bound)'],
  ['Budget', { min_budget: 30, max_budget: 0, type: 'normal_budget' }, { min_budget: 30, max_budget: 0, type: 'normal_budget' }, 'test_budget_detection.py test_min_budget (0: no upper bound)'],
  ['Budget', { min_budget: 0, max_budget: 0, type: 'text_budget' }, { min_budget: 0, max_budget: 0, type: 'text_budget' }, 'ner_v1/detectors/numeral/budget/budget_detection.py (text_budget)'],
  // ---- dates and times
  ['Date', { end_range: false, from: false, normal: true, value: { mm: 12, yy: 2019, dd: 23, type: 'date' }, to: false, start_range: false },
    { ...DATE_FLAGS, normal: true, value: { dd: 23, mm: 12, yy: 2019, type: 'date' } }, 'docs/api_call.md §2 Example 1'],
  ['Date', { normal: false, start_range: true, end_range: false, from: false, to: false, value: { dd: 2, mm: 1, yy: 2027, type: 'date' } },
    { ...DATE_FLAGS, start_range: true, value: { dd: 2, mm: 1, yy: 2027, type: 'date' } }, 'ner_v2/tests/temporal/date/en/test_date_detection.py (2nd jan to 5th)'],
  ['Date', { normal: false, start_range: false, end_range: true, from: false, to: false, value: { dd: 5, mm: 1, yy: 2027, type: 'date' } },
    { ...DATE_FLAGS, end_range: true, value: { dd: 5, mm: 1, yy: 2027, type: 'date' } }, 'test_date_detection.py (2nd jan to 5th)'],
  ['Date', { value: { dd: 12, mm: 11, yy: 2018, type: 'date' }, normal: true, from: false, to: false, start_range: false, end_range: false, language: 'hi' },
    { ...DATE_FLAGS, normal: true, value: { dd: 12, mm: 11, yy: 2018, type: 'date' }, language: 'hi' }, 'ner_v2/detectors/temporal/date/README.md (hi), extra keys kept'],
  ...(['today', 'tomorrow', 'yesterday', 'day_after', 'day_before', 'after_n_days', 'day_in_next_week', 'day_within_one_week', 'possible_day', 'past',
    'everyday', 'weekdays', 'repeat_weekdays', 'weekends', 'repeat_weekends', 'repeat_day'] as const).map((type): [Entity, unknown, unknown, string] =>
    ['Date', { value: { dd: 1, mm: 12, yy: 2026, type }, ...DATE_FLAGS, normal: true }, { value: { dd: 1, mm: 12, yy: 2026, type }, ...DATE_FLAGS, normal: true }, `ner_v2/detectors/temporal/constant.py (${type})`]),
  ['Date', { value: { dd: 27, mm: 11, yy: 2026, type: 'tomorrow' }, from: true }, { ...DATE_FLAGS, from: true, value: { dd: 27, mm: 11, yy: 2026, type: 'tomorrow' } }, 'a missing flag is false'],
  ['Date', { value: { dd: 27, mm: 11, yy: 2026, type: 'date' } }, { ...DATE_FLAGS, normal: true, value: { dd: 27, mm: 11, yy: 2026, type: 'date' } }, 'no flags: a date said alone'],
  ['Date', { dd: 23, mm: 12, yy: 2019, type: 'date' }, { ...DATE_FLAGS, normal: true, value: { dd: 23, mm: 12, yy: 2019, type: 'date' } }, 'ner_v1/chatbot/entity_detection.py docstring (flat, before 2017)'],
  ['Time', { hh: 12, mm: 35, nn: 'am', tz: 'America/New_York' }, { hh: 12, mm: 35, nn: 'am', tz: 'America/New_York' }, 'ner_v2/tests/temporal/time/time_ner_tests.yaml en_1'],
  ['Time', { hh: 0, mm: 15, nn: 'df', tz: 'UTC' }, { hh: 0, mm: 15, nn: 'df', tz: 'UTC' }, 'time_ner_tests.yaml en_11 (in 15mins)'],
  ['Time', { hh: 0, mm: 16, nn: 'ev', tz: 'UTC' }, { hh: 0, mm: 16, nn: 'ev', tz: 'UTC' }, 'time_ner_tests.yaml en_59 (every 16 minutes)'],
  ['Time', { hh: 1, mm: 30, nn: 'ndf', tz: null }, { hh: 1, mm: 30, nn: 'ndf', tz: null }, 'ner_v2/detectors/temporal/utils.py get_hour_min_diff (ndf, no time zone)'],
  ['Time', { mm: 50, hh: 13, nn: 'hrs' }, { hh: 13, mm: 50, nn: 'hrs' }, 'docs/api_call.md §1 Example 1 (no tz)'],
  ['Time', { hh: 12, mm: 30, nn: 'am', tz: 'UTC', range: 'start', time_type: null }, { hh: 12, mm: 30, nn: 'am', tz: 'UTC', range: 'start', time_type: null }, 'time_ner_tests.yaml en_48 (range start)'],
  ['Time', { mm: 0, hh: 5, range: 'start', nn: 'am', time_type: null }, { hh: 5, mm: 0, nn: 'am', range: 'start', time_type: null }, 'postman_tests/data/entities/time_range.json (v1 time_with_range)'],
  ['Time', { mm: '15', hh: 0, nn: 'df' }, { hh: 0, mm: 15, nn: 'df' }, 'docs/api_call.md@1fa1b298 (before 2020-04, strings)'],
  // ---- places and people
  ['City', { to: true, from: false, value: 'New Delhi', normal: false }, { ...CITY_FLAGS, to: true, value: 'New Delhi' }, 'postman_tests/data/entities/city.json (no via)'],
  ['City', { to: false, via: false, from: true, value: 'New Delhi', normal: false }, { ...CITY_FLAGS, from: true, value: 'New Delhi' }, 'docs/api_call.md@1fa1b298 §4 Example 3'],
  ['City', { value: 'Mumbai' }, { ...CITY_FLAGS, normal: true, value: 'Mumbai' }, 'ner_v1/chatbot/entity_detection.py get_city (unparsed: the value alone)'],
  ['City', 'Pune', { ...CITY_FLAGS, normal: true, value: 'Pune' }, 'a bare string'],
  ['PersonName', { first_name: 'yash', middle_name: null, last_name: 'doshi', datastore_verified: true, model_verified: false },
    { first_name: 'yash', middle_name: null, last_name: 'doshi', datastore_verified: true, model_verified: false }, 'postman_tests/data/entities/person_name.json'],
  ['PersonName', { first_name: 'Deep', middle_name: 'Viral', last_name: 'Baweja', datastore_verified: true, model_verified: false },
    { first_name: 'Deep', middle_name: 'Viral', last_name: 'Baweja', datastore_verified: true, model_verified: false }, 'postman_tests/data/entities/person_name.json'],
  ['PersonName', { first_name: 'Pratik' }, { first_name: 'Pratik', middle_name: null, last_name: null }, 'ner_v1/detectors/textual/name/tests/test_cases_person_name.csv, older builds'],
  ['PersonName', 'Pratik', { first_name: 'Pratik', middle_name: null, last_name: null }, 'a bare one-word name'],
  ['PersonName', 'Asha Rao', { first_name: 'Asha', middle_name: null, last_name: 'Rao' }, 'a bare string, split as name_detection.py get_format_name'],
  ['PersonName', 'Deep Viral Kumar Baweja', { first_name: 'Deep', middle_name: 'Viral Kumar', last_name: 'Baweja' }, 'get_format_name: the middle is everything between']
]

// What cannot be read: [entity, entity_value, message, source].
const REFUSED: Array<[Entity, unknown, RegExp, string]> = [
  ['Date', { value: 'next full moon' }, /must be a date \(.*\), got only the text the user typed \(\{ value: string \}\): Haptik's NER could not read it/, 'ner_v2/detectors/base_detector.py detect (unparsed structured value)'],
  ['Time', { value: 'after lunch' }, /must be a time .*got only the text the user typed/, 'base_detector.py detect (fallback value)'],
  ['NumberRange', { value: 'a few' }, /must be a number range .*got only the text the user typed/, 'base_detector.py detect'],
  ['Budget', { value: 'not much' }, /must be a budget .*got only the text the user typed/, 'base_detector.py detect'],
  ['Number', { value: 'many' }, /must be a number .*got only the text the user typed/, 'base_detector.py detect'],
  ['Phone', { value: 'call me later' }, /must be a phone number .*got only the text the user typed/, 'base_detector.py detect (not a number)'],
  ['Phone', '9-2', /must be a phone number/, 'fewer than four digits'],
  ['Number', { value: '12345678901234567890', unit: null }, /must be a number from -9007199254740991 to 9007199254740991, read exactly \(for account numbers and other long digit strings, use Entities.Digits\), got an object/, 'a value past Number.MAX_SAFE_INTEGER'],
  ['Number', '90071992547409930', /must be a number from -9007199254740991/, 'a bare string past Number.MAX_SAFE_INTEGER'],
  ['Currency', { value: '50.00' }, /must be an amount of money \(\{ value, unit \}\), got an object/, 'no unit'],
  ['Digits', { value: '12-34' }, /must be string \(matching \/\^\[0-9\]\+\$\/\)/, 'not only digits'],
  ['Digits', 4521, /^Step "read_Digits": entity "value" \(detection 0\) must be digits as text \("004521"\), got a number: a JSON number has lost any leading zeros \(declare Entities.Number for numbers\)$/, 'a JSON number (an OTP 004521 arrives as 4521): refused, not turned into text'],
  ['Digits', { value: 4521 }, /must be digits as text \("004521"\), got a number/, 'a JSON number wrapped as { value }'],
  ['Digits', 4521.5, /must be digits as text \("004521"\), got a number/, 'a JSON number with a fraction: the message names the number sent'],
  ['Phone', 12, /must be a phone number .*, got a number$/, 'a JSON number: the message names what was sent, not the text the validator made of it'],
  ['Date', { value: { dd: 1, mm: 13, yy: 2026, type: 'date' } }, /must be a date/, 'month 13'],
  ['Date', null, /must be a date \(.*\), got null$/, 'no value at all']
]

/** A step per catalog entry, its entity declared in an object of `typebox` 1.x or of @sinclair/typebox 0.34. */
function readingSteps (typebox: '0.34' | '1.x' = '0.34') {
  const seen: unknown[] = []
  const object = (name: Entity) => typebox === '1.x' ? Type1.Object({ value: Entities[name] }) : Type.Object({ value: Entities[name] as unknown as TSchema })
  const steps = (Object.keys(Entities) as Entity[]).map(name => defineStep({
    name: `read_${name}`,
    entities: object(name),
    handler: ({ entities }) => { seen.push(entities.value); return 'ok' }
  }))
  return { seen, steps }
}

for (const typebox of ['0.34', '1.x'] as const) {
  t.test(`each catalog entity reads every shape Haptik sends into its typed form, extra keys kept (in a typebox ${typebox} object)`, async t => {
    const { seen, steps } = readingSteps(typebox)
    const app = await haptikApp(t, { steps })
    for (const [name, sent, expected, source] of CASES) {
      seen.length = 0
      const res = await signedPost(app, `/read_${name}`, envelope(`read_${name}`, { value: [detection(sent, 'said')] }))
      t.equal(res.statusCode, 200, `${name} (${source}): accepted`)
      t.same(res.json(), { status: true, response: ['ok'] }, `${name} (${source}): the success path`)
      t.strictSame(seen, [expected], `${name} (${source}): ${JSON.stringify(sent)}`)
    }
  })
}

t.test('what cannot be read exactly, or that the NER could not parse, takes the invalid-entity path with a message that says why', async t => {
  const { seen, steps } = readingSteps()
  const app = await haptikApp(t, { steps, invalidEntities: 'reject' })
  for (const [name, sent, message, source] of REFUSED) {
    const res = await signedPost(app, `/read_${name}`, envelope(`read_${name}`, { value: [detection(sent, 'said')] }))
    t.equal(res.json().code, 'FST_HAPTIK_INVALID_ENTITY', `${name} (${source}): code`)
    t.match(res.json().message, message, `${name} (${source}): message`)
    t.notMatch(res.json().message, /next full moon|after lunch|12345678901234567890/, `${name}: the value is not repeated`)
  }
  t.equal(seen.length, 0, 'no handler ran')
  const lenient = await haptikApp(t, { steps })
  const res = await signedPost(lenient, '/read_Date', envelope('read_Date', { value: [detection({ value: 'next full moon' })] }))
  t.same(res.json(), { status: false, response: ["Sorry, I didn't quite get that. Could you say it another way?"] }, 'by default: the failure path, not a bot break')
})

t.test('a time range is two detections of an array entity, its start and its end', async t => {
  // time_ner_tests.yaml en_48 ("this show is from 12:30 am to 2:30 pm", range_enabled): two elements, one original_text.
  const seen: unknown[] = []
  const step = defineStep({ name: 'show', entities: Type.Object({ times: Type.Array(Entities.Time) }), handler: ({ entities }) => { seen.push(entities.times); return 'ok' } })
  const app = await haptikApp(t, { steps: [step] })
  const said = 'from 12:30 am to 2:30 pm'
  await signedPost(app, '/show', envelope('show', {
    times: [
      detection({ hh: 12, mm: 30, nn: 'am', tz: 'UTC', range: 'start', time_type: null }, said),
      detection({ hh: 2, mm: 30, nn: 'pm', tz: 'UTC', range: 'end', time_type: null }, said)
    ]
  }))
  t.same(seen, [[{ hh: 12, mm: 30, nn: 'am', tz: 'UTC', range: 'start', time_type: null }, { hh: 2, mm: 30, nn: 'pm', tz: 'UTC', range: 'end', time_type: null }]])
})

/** The same trip step, its entities declared with `typebox` 1.x or with @sinclair/typebox 0.34. */
function tripStep (typebox: '0.34' | '1.x', seen: unknown[]) {
  const handler = ({ entities }: { entities: unknown }) => { seen.push(entities); return 'ok' }
  return typebox === '1.x'
    ? defineStep({ name: 'trip', entities: Type1.Object({ when: Type1.Optional(Entities.Date), stops: Type1.Array(Entities.City), fare: Type1.Optional(Entities.Number) }), handler })
    : defineStep({ name: 'trip', entities: Type.Object({ when: Type.Optional(Entities.Date), stops: Type.Array(Entities.City), fare: Type.Optional(Entities.Number) }), handler })
}

for (const typebox of ['0.34', '1.x'] as const) {
  t.test(`catalog entities keep working inside Optional and Array (in a typebox ${typebox} object)`, async t => {
    const seen: unknown[] = []
    const app = await haptikApp(t, { steps: [tripStep(typebox, seen)] })
    const ok = { status: true, response: ['ok'] }
    // One Optional left out (when), the other given (fare), an Array of two shapes (stops).
    t.strictSame((await signedPost(app, '/trip', envelope('trip', {
      stops: [detection('Pune'), detection({ value: 'Goa', to: true })],
      fare: [detection({ value: '4899', unit: 'rupees' })]
    }))).json(), ok)
    // The Optional date given, an Array of one.
    t.strictSame((await signedPost(app, '/trip', envelope('trip', {
      when: [detection({ value: { dd: 23, mm: 12, yy: 2026, type: 'date' } }, 'on 23 december')],
      stops: [detection({ value: 'Mumbai' })]
    }))).json(), ok)
    t.strictSame(seen, [
      { stops: [{ ...CITY_FLAGS, normal: true, value: 'Pune' }, { ...CITY_FLAGS, to: true, value: 'Goa' }], fare: { value: 4899, unit: 'rupees' } },
      { when: { ...DATE_FLAGS, normal: true, value: { dd: 23, mm: 12, yy: 2026, type: 'date' } }, stops: [{ ...CITY_FLAGS, normal: true, value: 'Mumbai' }] }
    ], 'each entity read into its typed form; the Optional left out stays absent')
    // The catalog's own checks hold inside them too.
    const refused = await signedPost(app, '/trip', envelope('trip', { stops: [detection('Pune')], fare: [detection({ value: 'many' })] }))
    t.strictSame(refused.json(), { status: false, response: ["Sorry, I didn't quite get that. Could you say it another way?"] }, 'an unreadable Optional number: the invalid-entity path')
    const badStop = await signedPost(app, '/trip', envelope('trip', { stops: [detection('Pune'), detection({ to: true }, 'to')] }))
    t.strictSame(badStop.json(), refused.json(), 'a city without its value, in the Array: the invalid-entity path')
    t.equal(seen.length, 2, 'no handler ran for the refused calls')
  })
}

t.test('every catalog schema has a title, a description and an example it accepts', async t => {
  for (const [name, schema] of Object.entries(Entities)) {
    t.match((schema as unknown as { title: string }).title, /^Haptik/, `${name}: title`)
    t.type(schema.description, 'string', `${name}: description`)
    const [example] = schema.examples ?? []
    t.not(example, undefined, `${name}: example`)
    t.ok(TypeCompiler.Compile(schema as unknown as TSchema).Check(example), `${name}: its example is valid`)
  }
})
