import { dualSchema } from '../schema-reading.js'
import { NumberEntity, NumberRange, Currency, Budget } from './catalog-numbers.js'
import { City, PersonName } from './catalog-places.js'
import { Digits, Email, Phone, Regex, Text } from './catalog-text.js'
import { DateEntity, TimeEntity } from './catalog-time.js'

/**
 * Schemas of Haptik's entity types, for either TypeBox: the handler receives the typed value, whichever shape Haptik sent.
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
