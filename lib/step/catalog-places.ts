import { Type } from '@sinclair/typebox'
import { asObject, entry, NullableString, withFlags, type Raw } from './catalog-entry.js'

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
const CITY_FLAGS = ['from', 'to', 'via'] as const
export const City = entry(Type.Union([
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
}), 'a city ("x" or { value, from?, to?, via?, normal? })', (value): CityValue => withFlags(asObject(value), CITY_FLAGS) as unknown as CityValue)

export interface PersonNameValue {
  first_name: string
  middle_name: string | null
  last_name: string | null
  datastore_verified?: boolean
  model_verified?: boolean
}

/** Split as chatbot_ner's NameDetector.get_format_name does (ner_v1/detectors/textual/name/name_detection.py). */
function splitName (name: string): PersonNameValue {
  const words = name.trim().split(/\s+/)
  return {
    first_name: words[0],
    middle_name: words.length > 2 ? words.slice(1, -1).join(' ') : null,
    last_name: words.length > 1 ? words[words.length - 1] : null
  }
}

export const PersonName = entry(Type.Union([
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
