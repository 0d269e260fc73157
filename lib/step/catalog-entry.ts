import { Type, type Static, type TSchema } from '@sinclair/typebox'
import { keywordsOf, type DualSchema, type JsonSchema } from '../schema-reading.js'
import { describeSchema } from './schema-description.js'

// Haptik's docs show bare strings (docs/bot-builder/integrations/integration-parameters.md). An entity
// the NER could not parse arrives as `{"value": "<text>"}` (chatbot_ner ner_v2/detectors/base_detector.py
// `detect`; a date only when its structured value could not be read, ner_v2/detectors/temporal/date/
// date_detection.py `detect`) and matches no structured shape: the invalid-entity path.

interface CatalogEntry {
  /** For messages: what the entry accepts, in a few words. */
  readonly expected: string
  /** Haptik's value as the handler receives it; throws saying what was expected when it cannot be read exactly. */
  readonly decode: (value: unknown) => unknown
}

/** Decoders by the `title` their schema carries, which survives TypeBox's Optional and Array. */
const entries = new Map<string, CatalogEntry>()

export function catalogEntry (schema: JsonSchema): CatalogEntry | undefined {
  const { title } = keywordsOf(schema)
  return typeof title === 'string' ? entries.get(title) : undefined
}

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

export function entry<S extends TSchema, Value> (schema: S, expected: string, decode: (value: unknown) => Value): DualSchema<Value, Static<S>> {
  entries.set(schema.title as string, { expected, decode })
  return schema as unknown as DualSchema<Value, Static<S>>
}

export type Raw = Record<string, unknown>

const NUMERIC = '^-?[0-9]+(\\.[0-9]+)?$'
const NUMERIC_TEXT = new RegExp(NUMERIC)

/** A number sent as a JSON number or as its digits ("30", "11.2"): chatbot_ner sends strings. */
export const Numeric = Type.Union([Type.String({ pattern: NUMERIC }), Type.Number()])

/** A number read exactly, or refused: past Number.MAX_SAFE_INTEGER it would be rounded. */
export function readNumber (value: unknown): number {
  const number = Number(value)
  if (!Number.isFinite(number) || Math.abs(number) > Number.MAX_SAFE_INTEGER) {
    throw new Error(`a number from -${Number.MAX_SAFE_INTEGER} to ${Number.MAX_SAFE_INTEGER}, read exactly (for account numbers and other long digit strings, use Entities.Digits)`)
  }
  return number
}

export const readNullableNumber = (value: unknown): number | null => value === null || value === undefined ? null : readNumber(value)

// Null first: Fastify's validator coerces types, and would turn null into "" or 0 for a string or number branch tried first.
export const NullableString = Type.Union([Type.Null(), Type.String()])
export const NullableNumeric = Type.Union([Type.Null(), Numeric])

/** The value of a one-string shape: the bare string Haptik's docs show, or chatbot_ner's `{ value }`. */
export const asObject = (value: unknown): Raw => typeof value === 'string' ? { value } : value as Raw

/** The flags as booleans, a missing one false; `normal` when none is set, unless it was sent. */
export function withFlags (raw: Raw, names: readonly string[]): Raw {
  const flags = Object.fromEntries(names.map(flag => [flag, raw[flag] === true]))
  const normal = typeof raw.normal === 'boolean' ? raw.normal : !names.some(flag => flags[flag])
  return { ...raw, ...flags, normal }
}
