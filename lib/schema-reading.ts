import { OptionalKind, ReadonlyKind, type Kind, type Static as StaticV034, type TSchema as TSchemaV034 } from '@sinclair/typebox'
import type { Static as StaticV1, TSchema as TSchemaV1 } from 'typebox'

// Step schemas come from either TypeBox: `@sinclair/typebox` 0.34 (with
// @fastify/type-provider-typebox 5) or `typebox` 1.x (with the provider's 6.x).
// At run time both are plain JSON Schema, read by keyword, never by TypeBox's
// own markers; these types read the static type of either.

/** A TypeBox object schema, from `@sinclair/typebox` 0.34 or `typebox` 1.x. */
export interface ObjectSchema {
  readonly type: 'object'
  readonly properties: object
}

/**
 * The static type of a TypeBox schema of either version: 0.34 carries it as
 * the phantom `static` property (read as its own `Static` does), 1.x
 * computes it with `Static`.
 */
export type StaticOf<S> = S extends { static: unknown }
  ? (S & { params: [] })['static']
  : S extends TSchemaV1 ? StaticV1<S> : unknown

/**
 * A schema the plugin ships (the entity catalog), typed so that both
 * TypeBoxes read its value type: 0.34 from `static`, 1.x from `~unsafe` (as
 * for its own `Type.Unsafe`). Either's `Type.Object`, `Type.Optional` and
 * `Type.Array` take it. `Raw` is what Haptik sends, when the handler's value
 * is read from it (the testing kit takes either).
 */
export interface DualSchema<Value, Raw = Value> {
  readonly [Kind]: string
  readonly params: unknown[]
  readonly static: Value
  readonly '~unsafe': Value
  readonly '~raw': Raw
  readonly description?: string
  readonly examples?: readonly unknown[]
}

/** Types a schema built with `@sinclair/typebox` 0.34 for use with either TypeBox. */
export function dualSchema<S extends TSchemaV034> (schema: S): DualSchema<StaticV034<S>> {
  return schema as unknown as DualSchema<StaticV034<S>>
}

/**
 * An object schema's static type, where each catalog entity (alone or in a
 * list) takes what Haptik sends rather than what the handler reads.
 */
export type RawOf<S extends ObjectSchema> = {
  [K in keyof StaticOf<S>]: K extends keyof S['properties'] ? RawValue<S['properties'][K], StaticOf<S>[K]> : StaticOf<S>[K]
}

type RawValue<Schema, Value> = Schema extends { readonly '~raw': infer Raw }
  ? Raw
  : Schema extends { readonly items: { readonly '~raw': infer Raw } } ? Raw[] : Value

/** Any JSON Schema: a TypeBox schema of either version, or a plain one. */
export type JsonSchema = object

/** A schema's keywords, for reading. */
export function keywordsOf (schema: JsonSchema): Readonly<Record<string, unknown>> {
  return schema as Readonly<Record<string, unknown>>
}

/** The item schema of a list schema (`Type.Array(...)`, not a tuple), or undefined. */
export function listItems (schema: JsonSchema): JsonSchema | undefined {
  const { type, items } = keywordsOf(schema)
  return type === 'array' && typeof items === 'object' && items !== null && !Array.isArray(items) ? items : undefined
}

const SCALAR_TYPES = new Set(['string', 'number', 'integer', 'boolean'])

/**
 * Whether a schema is a single scalar value (string, number, boolean, a
 * literal, or a union of those): such entity values also arrive wrapped as
 * `{"value": x}` and are unwrapped.
 */
export function isScalarSchema (schema: JsonSchema): boolean {
  const { type, anyOf, const: constant, enum: values } = keywordsOf(schema)
  if (typeof type === 'string') return SCALAR_TYPES.has(type)
  if (constant !== undefined) return constant !== null && typeof constant !== 'object'
  if (Array.isArray(values)) return values.every(value => value !== null && typeof value !== 'object')
  return Array.isArray(anyOf) && anyOf.length > 0 && anyOf.every(isScalarSchema)
}

/** The declared properties of an object schema, by name. */
export function propertiesOf (schema: ObjectSchema): Array<[string, JsonSchema]> {
  return Object.entries(schema.properties)
}

/** The names an object schema requires. */
export function requiredOf (schema: ObjectSchema): readonly string[] {
  const { required } = keywordsOf(schema)
  return Array.isArray(required) ? required : []
}

/**
 * A declared schema without @sinclair/typebox 0.34's optional and readonly
 * markers (1.x keeps its own out of sight): an optional entity may be absent,
 * but the value of a detection that is there is not optional.
 */
export function withoutModifiers (schema: JsonSchema): TSchemaV034 {
  const { [OptionalKind]: _optional, [ReadonlyKind]: _readonly, ...declared } = schema as TSchemaV034
  return declared as TSchemaV034
}
