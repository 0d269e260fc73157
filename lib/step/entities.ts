import { InvalidEntityError } from '../errors.js'
import { isScalarSchema, keywordsOf, listItems, propertiesOf, type ObjectSchema } from '../schema-reading.js'
import { firstNonFinite, nonFiniteMessage } from './finite-numbers.js'
import { describeType } from '../json-values.js'
import { catalogEntry } from './catalog-entry.js'
import { DIGITS_TITLE } from './catalog-text.js'

export interface EntityReader {
  readonly name: string
  /** Declared as an array: every detection's value, not only the first. */
  readonly all: boolean
  /** Declared as a scalar: `{"value": x}` becomes `x`. */
  readonly unwrap: boolean
  readonly decode: ((value: unknown) => unknown) | undefined
  /** The declared value may hold a number: checked to be finite. */
  readonly numeric: boolean
}

const NUMBER_TYPES = new Set<unknown>(['number', 'integer'])
const SUBSCHEMAS = ['anyOf', 'oneOf', 'allOf', 'items', 'prefixItems', 'properties', 'patternProperties', 'additionalProperties', 'not', 'if', 'then', 'else']

function mayHoldNumber (schema: unknown, depth = 0): boolean {
  if (typeof schema !== 'object' || schema === null || depth > 32) return false
  const keywords = keywordsOf(schema)
  if ([keywords.type].flat().some(type => NUMBER_TYPES.has(type))) return true
  return SUBSCHEMAS.some(keyword => {
    const inner = keywords[keyword]
    if (Array.isArray(inner)) return inner.some(item => mayHoldNumber(item, depth + 1))
    if (keyword.endsWith('roperties') && typeof inner === 'object' && inner !== null) return Object.values(inner).some(item => mayHoldNumber(item, depth + 1))
    return mayHoldNumber(inner, depth + 1)
  })
}

export function entityReaders (entities: ObjectSchema): EntityReader[] {
  return propertiesOf(entities).map(([name, declared]) => {
    const items = listItems(declared)
    const value = items ?? declared
    const decode = catalogEntry(value)?.decode
    // The catalog's readers check their own numbers.
    return { name, all: items !== undefined, unwrap: isScalarSchema(value), decode, numeric: decode === undefined && mayHoldNumber(value) }
  })
}

interface Detection { entity_value: unknown }

function valueOf (step: string, reader: EntityReader, detection: Detection, index: number): unknown {
  const value = detection.entity_value
  if (reader.decode !== undefined) {
    try {
      return reader.decode(value)
    } catch (error) {
      throw new InvalidEntityError(`Step "${step}"`, `entity "${reader.name}" (detection ${index}) must be ${(error as Error).message}, got ${describeType(value)}`)
    }
  }
  const read = reader.unwrap && typeof value === 'object' && value !== null
    ? (value as { value: unknown }).value
    : value
  if (reader.numeric) {
    const found = firstNonFinite(read)
    if (found !== undefined) throw new InvalidEntityError(`Step "${step}"`, `entity "${reader.name}" (detection ${index})${nonFiniteMessage(found)}`)
  }
  return read
}

/** Haptik's `{name: [{detection, original_text, entity_value}, …]}` as values; entities with no detection left out. */
export function readEntities (
  step: string,
  readers: readonly EntityReader[],
  entities: Record<string, readonly Detection[] | undefined>
): Record<string, unknown> {
  const values: Record<string, unknown> = {}
  for (const reader of readers) {
    const detections = entities[reader.name]
    if (detections === undefined || detections.length === 0) continue
    values[reader.name] = reader.all
      ? detections.map((detection, index) => valueOf(step, reader, detection, index))
      : valueOf(step, reader, detections[0], 0)
  }
  return values
}

/** The entities declared as `Entities.Digits` (alone or in a list): their values must arrive as text. */
export function digitsEntities (entities: ObjectSchema): readonly string[] {
  return propertiesOf(entities)
    .filter(([, declared]) => keywordsOf(listItems(declared) ?? declared).title === DIGITS_TITLE)
    .map(([name]) => name)
}

/** Checked before validation, which would turn 4521 into "4521": a JSON number has lost its leading zeros. */
export function digitsSentAsNumber (label: string, names: readonly string[], body: unknown): Error | null {
  const entities = (body as { entities?: unknown } | null)?.entities
  if (typeof entities !== 'object' || entities === null) return null
  for (const name of names) {
    const detections = (entities as Record<string, unknown>)[name]
    if (!Array.isArray(detections)) continue
    for (const [index, detection] of detections.entries()) {
      const value = (detection as { entity_value?: unknown } | null)?.entity_value
      const inner = typeof value === 'object' && value !== null ? (value as { value?: unknown }).value : value
      if (typeof inner === 'number') {
        return new InvalidEntityError(label, `entity "${name}" (detection ${index}) must be digits as text ("004521"), got a number: a JSON number has lost any leading zeros (declare Entities.Number for numbers)`)
      }
    }
  }
  return null
}
