import { Type, type Static, type TString, type TUnsafe } from '@sinclair/typebox'
import { dualSchema } from './schema.js'

// The values Haptik's entity types deliver in `entity_value`. Haptik documents
// the text and currency shapes; the others are inferred from its open-source
// NER (hellohaptik/chatbot_ner), so every object here tolerates extra keys.
// Numeric strings ("30") are coerced to numbers by Fastify's validator.

// Null first: Fastify's validator coerces types, and would turn null into "" or 0 for a string or number branch tried first.
const nullable = <T extends ReturnType<typeof Type.Number> | TString>(schema: T) => Type.Union([Type.Null(), schema])

/** A string schema whose static type suggests the known values without refusing others. */
function openString<T extends string> (description: string, examples: T[]): TUnsafe<T | (string & {})> {
  return Type.Unsafe<T | (string & {})>(Type.String({ description, examples }))
}

/** The relative kinds of a date entity (`type`). */
export type DateKind =
  | 'date' | 'today' | 'tomorrow' | 'yesterday' | 'day_after' | 'day_before' | 'after_n_days'
  | 'day_in_next_week' | 'day_within_one_week' | 'everyday' | 'past' | 'possible_day'

/** How a time entity was said: 12-hour (`am`/`pm`), 24-hour (`hrs`), relative (`df`, "in 15 mins"), … */
export type TimeKind = 'am' | 'pm' | 'hrs' | 'df' | 'ndf' | 'ev'

const Text = Type.String({ description: 'Words and phrases: the normalised text', examples: ['Mainland China'] })
const Regex = Type.String({ description: 'A regex entity: the matched text', examples: ['AB1234'] })
const Phone = Type.String({ description: 'A phone number, digits only', examples: ['919820334455'] })
const Email = Type.String({ description: 'An email address', examples: ['asha@example.com'] })

const NumberEntity = Type.Object({
  value: Type.Number({ description: 'The number (Haptik sends it as a string)' }),
  unit: Type.Optional(nullable(Type.String({ description: 'e.g. rupees, kg' })))
}, { description: 'A number, with its unit when one was said', examples: [{ value: 30, unit: null }] })

const NumberRange = Type.Object({
  min_value: nullable(Type.Number()),
  max_value: nullable(Type.Number()),
  unit: Type.Optional(nullable(Type.String()))
}, { description: 'A range of numbers; either end may be open (null)', examples: [{ min_value: 12, max_value: null, unit: null }] })

const DateEntity = Type.Object({
  value: Type.Object({
    dd: Type.Integer({ minimum: 1, maximum: 31 }),
    mm: Type.Integer({ minimum: 1, maximum: 12 }),
    yy: Type.Integer(),
    type: openString<DateKind>('date, today, tomorrow, yesterday, day_after, day_before, after_n_days, day_in_next_week, day_within_one_week, everyday, past, possible_day', ['date'])
  }),
  normal: Type.Optional(Type.Boolean()),
  from: Type.Optional(Type.Boolean()),
  to: Type.Optional(Type.Boolean()),
  start_range: Type.Optional(Type.Boolean()),
  end_range: Type.Optional(Type.Boolean())
}, {
  description: 'A date, absolute or relative ("tomorrow"), and whether it starts or ends a range',
  examples: [{ value: { dd: 23, mm: 12, yy: 2019, type: 'date' }, normal: true, from: false, to: false, start_range: false, end_range: false }]
})

const TimeEntity = Type.Object({
  hh: Type.Integer({ minimum: 0 }),
  mm: Type.Integer({ minimum: 0 }),
  nn: openString<TimeKind>('am, pm, hrs (24-hour), df (relative: "in 15 mins"), ndf, ev', ['pm'])
}, { description: 'A time of day, or an offset from now when nn is df', examples: [{ hh: 12, mm: 30, nn: 'pm' }] })

const City = Type.Object({
  value: Type.String({ description: 'The normalised city name' }),
  from: Type.Optional(Type.Boolean({ description: 'Said as a source: "from Mumbai"' })),
  to: Type.Optional(Type.Boolean({ description: 'Said as a destination: "to Mumbai"' })),
  via: Type.Optional(Type.Boolean()),
  normal: Type.Optional(Type.Boolean())
}, { description: 'A city, and whether it was said as a source, destination or stop', examples: [{ value: 'Mumbai', from: false, to: true, via: false, normal: false }] })

const Budget = Type.Object({
  min_budget: Type.Number(),
  max_budget: Type.Number(),
  type: openString<'normal_budget' | 'text_budget'>('normal_budget, …', ['normal_budget'])
}, { description: 'A budget range', examples: [{ min_budget: 2000, max_budget: 3000, type: 'normal_budget' }] })

const PersonName = Type.Object({
  first_name: nullable(Type.String()),
  middle_name: Type.Optional(nullable(Type.String())),
  last_name: Type.Optional(nullable(Type.String()))
}, { description: "A person's name, split", examples: [{ first_name: 'yash', middle_name: null, last_name: 'doshi' }] })

const Currency = Type.Object({
  unit: Type.String({ description: 'e.g. rupees, dollars' }),
  value: Type.Number({ description: 'The amount (Haptik sends it as a string, e.g. "350.00")' })
}, { description: 'An amount of money', examples: [{ unit: 'dollars', value: 350 }] })

/**
 * TypeBox schemas of the values Haptik's entity types deliver. Declare a
 * step's entity with one and the handler receives its typed value.
 *
 * @example
 * ```ts
 * entities: Type.Object({ travel_date: Entities.Date, destination: Entities.City, notes: Type.Optional(Entities.Text) })
 * ```
 */
export const Entities = {
  /** Words and phrases (Haptik's text/dictionary entity): a string, whether sent as `"x"` or `{"value": "x"}`. Example: `'Mainland China'`. */
  Text: dualSchema(Text),
  /** A regex entity (PNR, order id, …): the matched string. Example: `'AB1234'`. */
  Regex: dualSchema(Regex),
  /** A phone number, digits only. Example: `'919820334455'`. */
  Phone: dualSchema(Phone),
  /** An email address. Example: `'asha@example.com'`. */
  Email: dualSchema(Email),
  /** A number with its unit. Example: `{ value: 30, unit: null }`. */
  Number: dualSchema(NumberEntity),
  /** A range of numbers. Example: `{ min_value: 12, max_value: null, unit: null }`. */
  NumberRange: dualSchema(NumberRange),
  /** A date, absolute or relative. Example: `{ value: { dd: 23, mm: 12, yy: 2019, type: 'date' }, normal: true }`. */
  Date: dualSchema(DateEntity),
  /** A time: `nn` is `am`, `pm`, `hrs` (24-hour) or `df` (relative). Example: `{ hh: 12, mm: 30, nn: 'pm' }`. */
  Time: dualSchema(TimeEntity),
  /** A city with `from`/`to`/`via`. Example: `{ value: 'Mumbai', to: true }`. */
  City: dualSchema(City),
  /** A budget range. Example: `{ min_budget: 2000, max_budget: 3000, type: 'normal_budget' }`. */
  Budget: dualSchema(Budget),
  /** A person's name. Example: `{ first_name: 'yash', middle_name: null, last_name: 'doshi' }`. */
  PersonName: dualSchema(PersonName),
  /** An amount of money. Example: `{ unit: 'dollars', value: 350 }`. */
  Currency: dualSchema(Currency)
} as const

export type NumberValue = Static<typeof NumberEntity>
export type NumberRangeValue = Static<typeof NumberRange>
export type DateValue = Static<typeof DateEntity>
export type TimeValue = Static<typeof TimeEntity>
export type CityValue = Static<typeof City>
export type BudgetValue = Static<typeof Budget>
export type PersonNameValue = Static<typeof PersonName>
export type CurrencyValue = Static<typeof Currency>
