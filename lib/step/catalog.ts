import { Type, type Static, type TSchema } from '@sinclair/typebox'
import { dualSchema, keywordsOf, type DualSchema, type JsonSchema } from '../wire/schema-reading.js'
import { describeSchema } from './schema-description.js'

// The entity catalog: for each of Haptik's entity types, a schema of every
// shape its `entity_value` takes, and how that shape becomes the typed value a
// handler receives. The shapes come from Haptik's NER, hellohaptik/chatbot_ner
// (file named on each entry), and from Haptik's integration docs, which show
// bare strings (`"entity_value": "71"`, docs/bot-builder/integrations/
// integration-parameters.md). Every object keeps the keys it does not know.
//
// A structured entity that the NER could not parse arrives as the text alone,
// `{"value": "<text>"}` (chatbot_ner ner_v2/detectors/base_detector.py,
// `detect`; a date only when the structured value could not be read,
// ner_v2/detectors/temporal/date/date_detection.py `detect`): it matches no
// structured shape below, so the call takes the step's invalid-entity path
// (the failure path by default), like any other value that does not match.

/** A catalog entry: its schema (what Haptik sends) and how a value becomes the handler's. */
interface CatalogEntry {
  /** For messages: what the entry accepts, in a few words. */
  readonly expected: string
  /**
   * Haptik's value, validated against the schema, as the handler receives it;
   * throws an Error saying what was expected when it cannot be read exactly.
   */
  readonly decode: (value: unknown) => unknown
}

/** Decoders by the `title` their schema carries, which survives TypeBox's Optional and Array. */
const entries = new Map<string, CatalogEntry>()

/** The catalog entry a declared entity schema is, if any. */
export function catalogEntry (schema: JsonSchema): CatalogEntry | undefined {
  const { title } = keywordsOf(schema)
  return typeof title === 'string' ? entries.get(title) : undefined
}

/** What an entity's value must be, for messages: the catalog's words for its entries, else the schema described. */
export function expectedEntityValue (schema: JsonSchema): string {
  return catalogEntry(schema)?.expected ?? describeSchema(schema)
}

/** Whether a value is the NER's unparsed text, `{"value": "<text>"}`, for a catalog entry (a number's digits are not). */
export function isUnparsedText (schema: JsonSchema, value: unknown): boolean {
  if (catalogEntry(schema) === undefined || typeof value !== 'object' || value === null) return false
  const keys = Object.keys(value)
  const text = (value as { value?: unknown }).value
  return keys.length === 1 && keys[0] === 'value' && typeof text === 'string' && !NUMERIC_TEXT.test(text)
}

function entry<S extends TSchema, Value> (schema: S, expected: string, decode: (value: unknown) => Value): DualSchema<Value, Static<S>> {
  entries.set(schema.title as string, { expected, decode })
  return schema as unknown as DualSchema<Value, Static<S>>
}

// ---- Reading values -----------------------------------------------------------

type Raw = Record<string, unknown>

const NUMERIC = '^-?[0-9]+(\\.[0-9]+)?$'
const NUMERIC_TEXT = new RegExp(NUMERIC)

/** A number sent as a JSON number or as its digits ("30", "11.2"): chatbot_ner sends strings. */
const Numeric = Type.Union([Type.String({ pattern: NUMERIC }), Type.Number()])

/**
 * A number sent as digits or as a JSON number, read exactly or refused: past
 * Number.MAX_SAFE_INTEGER an integer would be rounded, so it is refused
 * (long digit strings are Entities.Digits).
 */
function readNumber (value: unknown): number {
  const number = Number(value)
  if (!Number.isFinite(number) || Math.abs(number) > Number.MAX_SAFE_INTEGER) {
    throw new Error(`a number from -${Number.MAX_SAFE_INTEGER} to ${Number.MAX_SAFE_INTEGER}, read exactly (for account numbers and other long digit strings, use Entities.Digits)`)
  }
  return number
}

const readNullableNumber = (value: unknown): number | null => value === null || value === undefined ? null : readNumber(value)

// Null first: Fastify's validator coerces types, and would turn null into "" or 0 for a string or number branch tried first.
const NullableString = Type.Union([Type.Null(), Type.String()])
const NullableNumeric = Type.Union([Type.Null(), Numeric])

/** The value of a one-string shape: the bare string Haptik's docs show, or chatbot_ner's `{ value }`. */
const asObject = (value: unknown): Raw => typeof value === 'string' ? { value } : value as Raw

// ---- Text and patterns ----------------------------------------------------------

/** What a words-and-phrases entity delivers: the dictionary's value, and how it was verified. */
export interface TextValue {
  /** The dictionary's value, not the text typed ("dominos" → "Domino's Pizza"). */
  value: string
  /** Found in the entity's dictionary. */
  datastore_verified?: boolean
  /** Recognised by the model (chatbot_ner since 2019-11). */
  model_verified?: boolean
  /** The same, as older chatbot_ner builds name it. */
  crf_model_verified?: boolean
}

// chatbot_ner ner_v2/detectors/textual/text_detection.py (_add_verification_source);
// a fallback or unverified value has no verification keys.
const Text = entry(Type.Union([
  Type.String(),
  Type.Object({
    value: Type.String(),
    datastore_verified: Type.Optional(Type.Boolean()),
    model_verified: Type.Optional(Type.Boolean()),
    crf_model_verified: Type.Optional(Type.Boolean())
  })
], {
  title: 'HaptikText',
  description: "Words and phrases: the dictionary's value, and whether the dictionary or the model verified it",
  examples: [{ value: "Domino's Pizza", datastore_verified: true, model_verified: false }]
}), 'a words-and-phrases value ("x" or { value, datastore_verified?, model_verified? })', (value): TextValue => asObject(value) as unknown as TextValue)

// chatbot_ner ner_v1/detectors/pattern/regex/regex_detection.py: { value } (the match).
const Regex = Type.String({ title: 'HaptikRegex', description: 'A regex entity: the text it matched', examples: ['AMAZON30'] })

// chatbot_ner ner_v1/detectors/pattern/email/email_detection.py: { value }, lower-cased.
const Email = Type.String({ title: 'HaptikEmail', description: 'An email address (the NER lower-cases it)', examples: ['hello@haptik.ai'] })

// OTPs, PINs, account and order numbers: a string, so no digit and no leading zero is lost.
const Digits = Type.String({ title: 'HaptikDigits', pattern: '^[0-9]+$', description: 'Digits kept as text: leading zeros and every digit', examples: ['004521'] })

/** What a phone-number entity delivers. */
export interface PhoneValue {
  /** The number: the national number (v2), or the text matched (v1, may keep "+91"). */
  value: string
  /** The country calling code without "+", e.g. "91" (chatbot_ner v2). */
  country_calling_code?: string
}

// chatbot_ner ner_v2/detectors/pattern/phone_number/phone_number_detection.py:
// { value, country_calling_code }; from 2019-09-23 to 2019-10-22 the number was
// `phone_number` (its README); v1 and Haptik's docs send the number alone.
// v1's value is its regex's match (ner_v1/detectors/pattern/phone_number/phone_detection.py),
// which may keep "+91", spaces and a hyphen: digits and those, at least four
// digits, so the unparsed text ({"value": "call me later"}) is not a number.
const PhoneNumber = Type.String({ pattern: '^[+]?[\\s().-]*([0-9][\\s().-]*){4,}$' })
const Phone = entry(Type.Union([
  PhoneNumber,
  Type.Object({ value: PhoneNumber, country_calling_code: Type.Optional(Type.String()) }),
  Type.Object({ phone_number: PhoneNumber, country_calling_code: Type.Optional(Type.String()) })
], {
  title: 'HaptikPhone',
  description: 'A phone number, with its country calling code when the NER found one',
  examples: [{ value: '9820334455', country_calling_code: '91' }]
}), 'a phone number ("x" or { value, country_calling_code? }: digits, at least four, with + ( ) . - or spaces)', (value): PhoneValue => {
  const { phone_number: number, ...phone } = asObject(value)
  return (number === undefined ? phone : { ...phone, value: number }) as unknown as PhoneValue
})

// ---- Numbers ---------------------------------------------------------------------

/** What a number entity delivers. */
export interface NumberValue {
  value: number
  /** The unit, when the entity asks for one (currency, kg, …); otherwise null. */
  unit: string | null
}

// chatbot_ner ner_v2/detectors/numeral/number/standard_number_detector.py:
// { value: "30", unit: null }, the value as a string; v1 sends { value } alone,
// Haptik's docs the bare "71".
const NumberEntity = entry(Type.Union([
  Numeric,
  Type.Object({ value: Numeric, unit: Type.Optional(NullableString) })
], {
  title: 'HaptikNumber',
  description: 'A number, with its unit when the entity has a unit type',
  examples: [{ value: '30', unit: null }]
}), 'a number ("30", 30 or { value, unit? })', (value): NumberValue => {
  const number = typeof value === 'object' && value !== null ? value as Raw : { value }
  return { ...number, value: readNumber(number.value), unit: (number.unit ?? null) as string | null }
})

/** What a number-range entity delivers: null ends are open. */
export interface NumberRangeValue {
  min_value: number | null
  max_value: number | null
  unit: string | null
  /** A lone number that is not a range ("3"): then both ends are null. */
  abs_value: number | null
}

// chatbot_ner ner_v2/detectors/numeral/number_range/standard_number_range_detector.py:
// all four keys, digits as strings, open ends null; `abs_value` since 2019-09.
const NumberRange = entry(Type.Object({
  min_value: NullableNumeric,
  max_value: NullableNumeric,
  unit: Type.Optional(NullableString),
  abs_value: Type.Optional(NullableNumeric)
}, {
  title: 'HaptikNumberRange',
  description: 'A range of numbers; an open end is null, and a lone number is abs_value',
  examples: [{ min_value: '200', max_value: null, unit: null, abs_value: null }]
}), 'a number range ({ min_value, max_value, unit?, abs_value? })', (value): NumberRangeValue => {
  const range = value as Raw
  return {
    ...range,
    min_value: readNullableNumber(range.min_value),
    max_value: readNullableNumber(range.max_value),
    unit: (range.unit ?? null) as string | null,
    abs_value: readNullableNumber(range.abs_value)
  }
})

/** What a currency entity delivers: the amount and its unit. */
export interface CurrencyValue {
  value: number
  unit: string
}

// Haptik's entities doc (docs/bot-builder/basic/entities.md): {"unit": "rupees", "value": "50.00"};
// chatbot_ner has no currency detector: it is the number detector with unit_type=currency.
const Currency = entry(Type.Object({ value: Numeric, unit: Type.String() }, {
  title: 'HaptikCurrency',
  description: 'An amount of money and its unit',
  examples: [{ unit: 'rupees', value: '50.00' }]
}), 'an amount of money ({ value, unit })', (value): CurrencyValue => {
  const amount = value as Raw
  return { ...amount, value: readNumber(amount.value) } as CurrencyValue
})

/** What a budget entity delivers. 0 means no bound on that side. */
export interface BudgetValue {
  /** The lowest amount, or 0 for no lower bound. */
  min_budget: number
  /** The highest amount, or 0 for no upper bound ("under 2k" gives { min_budget: 0, max_budget: 2000 }). */
  max_budget: number
  /** `normal_budget`, or `text_budget` (from the entity's dictionary, always 0 and 0). */
  type: 'normal_budget' | 'text_budget' | (string & {})
}

// chatbot_ner ner_v1/detectors/numeral/budget/budget_detection.py: JSON integers,
// each side 0 unless said (a bare amount is a maximum).
const Budget = entry(Type.Object({ min_budget: Numeric, max_budget: Numeric, type: Type.String() }, {
  title: 'HaptikBudget',
  description: 'A budget: 0 on a side means no bound there',
  examples: [{ min_budget: 0, max_budget: 6000, type: 'normal_budget' }]
}), 'a budget ({ min_budget, max_budget, type })', (value): BudgetValue => {
  const budget = value as Raw
  return { ...budget, min_budget: readNumber(budget.min_budget), max_budget: readNumber(budget.max_budget) } as BudgetValue
})

// ---- Dates and times -----------------------------------------------------------

/**
 * The kinds of a date entity (`value.type`): an exact date, one said relative
 * to today, or one of a repeated series (`everyday`, `weekdays`, … give one
 * detection per day).
 */
export type DateKind =
  | 'date' | 'today' | 'tomorrow' | 'yesterday' | 'day_after' | 'day_before' | 'after_n_days'
  | 'day_in_next_week' | 'day_within_one_week' | 'possible_day' | 'past'
  | 'everyday' | 'weekdays' | 'repeat_weekdays' | 'weekends' | 'repeat_weekends' | 'repeat_day'
  | (string & {})

/** What a date entity delivers. */
export interface DateValue {
  value: { dd: number, mm: number, yy: number, type: DateKind }
  /** A date said alone. */
  normal: boolean
  /** Said as a start or an end: "from the 2nd", "return on the 5th". */
  from: boolean
  to: boolean
  /** The first or last date of a range: "2nd jan to 5th". */
  start_range: boolean
  end_range: boolean
}

// chatbot_ner ner_v2/detectors/temporal/constant.py (the kinds) and
// ner_v2/detectors/temporal/date/date_detection.py (unzip_convert_date_dictionaries:
// { value: { dd, mm, yy, type }, from, to, start_range, end_range, normal });
// before 2017, v1 sent the flat { dd, mm, yy, type }.
const DateParts = Type.Object({
  dd: Type.Integer({ minimum: 1, maximum: 31 }),
  mm: Type.Integer({ minimum: 1, maximum: 12 }),
  yy: Type.Integer(),
  type: Type.String()
})
const DateFlags = ['from', 'to', 'start_range', 'end_range'] as const

const DateEntity = entry(Type.Union([
  Type.Object({
    value: DateParts,
    normal: Type.Optional(Type.Boolean()),
    from: Type.Optional(Type.Boolean()),
    to: Type.Optional(Type.Boolean()),
    start_range: Type.Optional(Type.Boolean()),
    end_range: Type.Optional(Type.Boolean())
  }),
  DateParts
], {
  title: 'HaptikDate',
  description: 'A date, exact or relative ("tomorrow"), and whether it starts or ends a range; a missing flag is false',
  examples: [{ value: { dd: 23, mm: 12, yy: 2026, type: 'date' }, normal: true, from: false, to: false, start_range: false, end_range: false }]
}), 'a date ({ value: { dd, mm, yy, type }, normal?, from?, to?, start_range?, end_range? })', (value): DateValue => {
  const raw = value as Raw
  const date = typeof raw.value === 'object' ? raw : { value: raw }
  const flags = Object.fromEntries(DateFlags.map(flag => [flag, date[flag] === true]))
  const normal = typeof date.normal === 'boolean' ? date.normal : !DateFlags.some(flag => flags[flag])
  return { ...date, ...flags, normal } as unknown as DateValue
})

/**
 * How a time was said: `am`/`pm` (12-hour), `hrs` (24-hour), `df` (from now:
 * "in 15 mins"), `ndf` (before now), `ev` (every: "every 16 minutes").
 */
export type TimeKind = 'am' | 'pm' | 'hrs' | 'df' | 'ndf' | 'ev' | (string & {})

/** What a time entity delivers. */
export interface TimeValue {
  hh: number
  mm: number
  nn: TimeKind
  /** The time zone the NER read or was given (v2), e.g. "Asia/Kolkata"; null when none. */
  tz?: string | null
  /** In a range ("from 12:30 am to 2:30 pm"): which end; the two ends are two detections. */
  range?: 'start' | 'end' | (string & {})
  /** In a range: `departure` or `return`, when said. */
  time_type?: string | null
}

// chatbot_ner ner_v2/detectors/temporal/time/en/time_detection.py and
// time_ner_tests.yaml: { hh, mm, nn, tz }, range ends with { range, time_type };
// before 2020-04 relative times sent hh or mm as strings.
const TimeEntity = entry(Type.Object({
  hh: Type.Union([Type.Integer({ minimum: 0 }), Type.String({ pattern: '^[0-9]+$' })]),
  mm: Type.Union([Type.Integer({ minimum: 0 }), Type.String({ pattern: '^[0-9]+$' })]),
  nn: Type.String(),
  tz: Type.Optional(NullableString),
  range: Type.Optional(Type.String()),
  time_type: Type.Optional(NullableString)
}, {
  title: 'HaptikTime',
  description: 'A time of day (am, pm, hrs), an offset from now (df, ndf) or a repeat (ev); a range is two detections, its start and its end',
  examples: [{ hh: 12, mm: 35, nn: 'am', tz: 'America/New_York' }]
}), 'a time ({ hh, mm, nn, tz?, range?, time_type? })', (value): TimeValue => {
  const time = value as Raw
  return { ...time, hh: Number(time.hh), mm: Number(time.mm) } as TimeValue
})

// ---- Places and people ----------------------------------------------------------

/** What a city entity delivers. */
export interface CityValue {
  value: string
  /** Said as where a trip starts: "from Mumbai". */
  from: boolean
  /** Said as where it ends: "to Mumbai". */
  to: boolean
  via: boolean
  /** Said alone. */
  normal: boolean
}

// chatbot_ner ner_v1/detectors/textual/city/city_detection.py: { value, from, to, via, normal };
// an unparsed value is { value } alone, and Haptik's docs send bare strings.
const CityFlags = ['from', 'to', 'via'] as const
const City = entry(Type.Union([
  Type.String(),
  Type.Object({
    value: Type.String(),
    from: Type.Optional(Type.Boolean()),
    to: Type.Optional(Type.Boolean()),
    via: Type.Optional(Type.Boolean()),
    normal: Type.Optional(Type.Boolean())
  })
], {
  title: 'HaptikCity',
  description: 'A city, and whether it was said as a source, a destination or a stop; a missing flag is false',
  examples: [{ value: 'Mumbai', from: false, to: true, via: false, normal: false }]
}), 'a city ("x" or { value, from?, to?, via?, normal? })', (value): CityValue => {
  const city = asObject(value)
  const flags = Object.fromEntries(CityFlags.map(flag => [flag, city[flag] === true]))
  const normal = typeof city.normal === 'boolean' ? city.normal : !CityFlags.some(flag => flags[flag])
  return { ...city, ...flags, normal } as unknown as CityValue
})

/** What a person-name entity delivers. */
export interface PersonNameValue {
  first_name: string
  middle_name: string | null
  last_name: string | null
  datastore_verified?: boolean
  model_verified?: boolean
}

/**
 * A name said as one string, split as chatbot_ner's NameDetector.get_format_name
 * splits it (ner_v1/detectors/textual/name/name_detection.py): the first word,
 * the last, and everything between as the middle name.
 */
function splitName (name: string): PersonNameValue {
  const words = name.trim().split(/\s+/)
  return {
    first_name: words[0],
    middle_name: words.length > 2 ? words.slice(1, -1).join(' ') : null,
    last_name: words.length > 1 ? words[words.length - 1] : null
  }
}

const PersonName = entry(Type.Union([
  Type.String({ minLength: 1 }),
  Type.Object({
    first_name: Type.String(),
    middle_name: Type.Optional(NullableString),
    last_name: Type.Optional(NullableString),
    datastore_verified: Type.Optional(Type.Boolean()),
    model_verified: Type.Optional(Type.Boolean())
  })
], {
  title: 'HaptikPersonName',
  description: "A person's name, split; a missing part is null",
  examples: [{ first_name: 'yash', middle_name: null, last_name: 'doshi', datastore_verified: true, model_verified: false }]
}), 'a name ("x y" or { first_name, middle_name?, last_name? })', (value): PersonNameValue => {
  if (typeof value === 'string') return splitName(value)
  const name = value as Raw
  return { ...name, middle_name: name.middle_name ?? null, last_name: name.last_name ?? null } as PersonNameValue
})

/**
 * TypeBox schemas of the values Haptik's entity types deliver, for either
 * TypeBox. Declare a step's entity with one and its handler receives the typed
 * value, whichever of its shapes Haptik sent (a bare string, chatbot_ner's
 * object, older builds' keys).
 *
 * @example
 * ```ts
 * entities: Type.Object({ travel_date: Entities.Date, destination: Entities.City, notes: Type.Optional(Entities.Text) })
 * ```
 */
export const Entities = {
  /** Words and phrases (a dictionary entity): `{ value, datastore_verified?, model_verified? }`. Location entities are this too. */
  Text,
  /** A regex entity (PNR, coupon code, order id, …): the matched string. */
  Regex: dualSchema(Regex),
  /** An email address, as a string. */
  Email: dualSchema(Email),
  /** Digits kept as a string (OTP, PIN, account or order number): every digit and leading zero. */
  Digits: dualSchema(Digits),
  /** A phone number: `{ value, country_calling_code? }`. */
  Phone,
  /** A number and its unit: `{ value: 30, unit: null }`. Refused past ±Number.MAX_SAFE_INTEGER rather than rounded. */
  Number: NumberEntity,
  /** A range of numbers: `{ min_value, max_value, unit, abs_value }`, open ends null. */
  NumberRange,
  /** An amount of money: `{ value: 50, unit: 'rupees' }`. */
  Currency,
  /** A budget: `{ min_budget, max_budget, type }`, where 0 means no bound. */
  Budget,
  /** A date: `{ value: { dd, mm, yy, type }, normal, from, to, start_range, end_range }`. */
  Date: DateEntity,
  /** A time: `{ hh, mm, nn, tz?, range?, time_type? }`; declare `Type.Array(Entities.Time)` for a time range. */
  Time: TimeEntity,
  /** A city: `{ value, from, to, via, normal }`. */
  City,
  /** A person's name: `{ first_name, middle_name, last_name }`. */
  PersonName
} as const
