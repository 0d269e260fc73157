import { catalogEntry } from './catalog.js'
import { describeType } from './describe-schema.js'
import { InvalidEntityError } from './errors.js'
import { isScalarSchema, listItems, propertiesOf, type ObjectSchema } from './schema.js'

/** How one declared entity is read out of Haptik's list of detections. */
export interface EntityReader {
  readonly name: string
  /** Declared as an array: every detection's value, not only the first. */
  readonly all: boolean
  /** Declared as a scalar: `{"value": x}` becomes `x`. */
  readonly unwrap: boolean
  /** Declared as a catalog entity: its shapes become the typed value. */
  readonly decode: ((value: unknown) => unknown) | undefined
}

/** Works out once, at registration, how to read each declared entity. */
export function entityReaders (entities: ObjectSchema): EntityReader[] {
  return propertiesOf(entities).map(([name, declared]) => {
    const items = listItems(declared)
    const value = items ?? declared
    return { name, all: items !== undefined, unwrap: isScalarSchema(value), decode: catalogEntry(value)?.decode }
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
  return reader.unwrap && typeof value === 'object' && value !== null
    ? (value as { value: unknown }).value
    : value
}

/**
 * Haptik's `{name: [{detection, original_text, entity_value}, …]}` as plain
 * values: the first detection of each entity (all of them for array entities),
 * scalars unwrapped, catalog entities read into their typed form. Entities sent
 * with no detection are left out. Throws FST_HAPTIK_INVALID_ENTITY for a value
 * the schema accepts but that cannot be read exactly (a number past 2^53).
 */
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
