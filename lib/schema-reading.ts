import { OptionalKind, ReadonlyKind, type Kind, type Static as StaticV034, type TSchema as TSchemaV034 } from '@sinclair/typebox'
import type { Static as StaticV1, TSchema as TSchemaV1 } from 'typebox'

/** A TypeBox object schema, from `@sinclair/typebox` 0.34 or `typebox` 1.x. */
export interface ObjectSchema {
  readonly type: 'object'
  readonly properties: object
}

/** The static type of a schema of either TypeBox: 0.34's phantom `static`, or 1.x's `Static`. */
export type StaticOf<S> = S extends { static: unknown }
  ? (S & { params: [] })['static']
  : S extends TSchemaV1 ? StaticV1<S> : unknown

/**
 * A catalog schema both TypeBoxes read: 0.34 from `static`, 1.x from `~unsafe` (as its `Type.Unsafe`).
 * `Raw` is what Haptik sends, when the handler's value is read from it.
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

/** An object schema's static type, with what Haptik sends for each catalog entity. */
export type RawOf<S extends ObjectSchema> = {
  [K in keyof StaticOf<S>]: K extends keyof S['properties'] ? RawValue<S['properties'][K], StaticOf<S>[K]> : StaticOf<S>[K]
}

type RawValue<Schema, Value> = Schema extends { readonly '~raw': infer Raw }
  ? Raw
  : Schema extends { readonly items: { readonly '~raw': infer Raw } } ? Raw[] : Value

/** Any JSON Schema: a TypeBox schema of either version, or a plain one. */
export type JsonSchema = object

export function keywordsOf (schema: JsonSchema): Readonly<Record<string, unknown>> {
  return schema as Readonly<Record<string, unknown>>
}

/** The item schema of a list schema (`Type.Array(...)`, not a tuple), or undefined. */
export function listItems (schema: JsonSchema): JsonSchema | undefined {
  const { type, items } = keywordsOf(schema)
  return type === 'array' && typeof items === 'object' && items !== null && !Array.isArray(items) ? items : undefined
}

const SCALAR_TYPES = new Set(['string', 'number', 'integer', 'boolean'])

/** A scalar schema (or a union of scalars): such entity values also arrive as `{"value": x}`. */
export function isScalarSchema (schema: JsonSchema): boolean {
  const { type, anyOf, const: constant, enum: values } = keywordsOf(schema)
  if (typeof type === 'string') return SCALAR_TYPES.has(type)
  if (constant !== undefined) return constant !== null && typeof constant !== 'object'
  if (Array.isArray(values)) return values.every(value => value !== null && typeof value !== 'object')
  return Array.isArray(anyOf) && anyOf.length > 0 && anyOf.every(isScalarSchema)
}

export function propertiesOf (schema: ObjectSchema): Array<[string, JsonSchema]> {
  return Object.entries(schema.properties)
}

export function requiredOf (schema: ObjectSchema): readonly string[] {
  const { required } = keywordsOf(schema)
  return Array.isArray(required) ? required : []
}

/** A schema without 0.34's optional and readonly markers: a detection that is there has a value. */
export function withoutModifiers (schema: JsonSchema): TSchemaV034 {
  const { [OptionalKind]: _optional, [ReadonlyKind]: _readonly, ...declared } = schema as TSchemaV034
  return declared as TSchemaV034
}
