import { isScalarSchema, listItems, propertiesOf, type ObjectSchema } from './schema.js'

/** How one declared entity is read out of Haptik's list of detections. */
export interface EntityReader {
  readonly name: string
  /** Declared as an array: every detection's value, not only the first. */
  readonly all: boolean
  /** Declared as a scalar: `{"value": x}` becomes `x`. */
  readonly unwrap: boolean
}

/** Works out once, at registration, how to read each declared entity. */
export function entityReaders (entities: ObjectSchema): EntityReader[] {
  return propertiesOf(entities).map(([name, declared]) => {
    const items = listItems(declared)
    return { name, all: items !== undefined, unwrap: isScalarSchema(items ?? declared) }
  })
}

interface Detection { entity_value: unknown }

function valueOf (detection: Detection, unwrap: boolean): unknown {
  const value = detection.entity_value
  return unwrap && typeof value === 'object' && value !== null
    ? (value as { value: unknown }).value
    : value
}

/**
 * Haptik's `{name: [{detection, original_text, entity_value}, …]}` as plain
 * values: the first detection of each entity (all of them for array entities),
 * scalars unwrapped. Entities sent with no detection are left out.
 */
export function readEntities (
  readers: readonly EntityReader[],
  entities: Record<string, readonly Detection[] | undefined>
): Record<string, unknown> {
  const values: Record<string, unknown> = {}
  for (const { name, all, unwrap } of readers) {
    const detections = entities[name]
    if (detections === undefined || detections.length === 0) continue
    values[name] = all
      ? detections.map(detection => valueOf(detection, unwrap))
      : valueOf(detections[0], unwrap)
  }
  return values
}
