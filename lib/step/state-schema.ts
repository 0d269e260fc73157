import { InvalidOptionError } from '../errors.js'
import type { JsonSchema, StaticOf } from '../schema-reading.js'

/** A schema with a `default` TypeScript sees, made by `withDefault`. */
export type WithDefault<Schema extends JsonSchema> = Schema & { readonly default: StaticOf<Schema> }

/** What a handler reads as `context.state` (or `userState`): `undefined` before the first save, unless `withDefault`. */
export type StateOf<Schema> = Schema extends JsonSchema
  ? Schema extends { readonly default: unknown } ? StaticOf<Schema> : StaticOf<Schema> | undefined
  : undefined

/**
 * The schema with a `default` TypeScript sees: the step reads its state as a value, never `undefined`.
 * @example
 * ```ts
 * const Cart = withDefault(Type.Object({ items: Type.Array(Type.String()) }), { items: [] })
 * ```
 */
export function withDefault<Schema extends JsonSchema> (schema: Schema, value: StaticOf<Schema>): WithDefault<Schema> {
  if (typeof schema !== 'object' || schema === null) throw new InvalidOptionError('withDefault expects a TypeBox schema and its default value')
  if (value === undefined) throw new InvalidOptionError('withDefault: the default value must not be undefined')
  // A copy with every property as it is (TypeBox 1.x keeps some non-enumerable).
  const copy = Object.create(Object.getPrototypeOf(schema), Object.getOwnPropertyDescriptors(schema)) as Record<string, unknown>
  Object.defineProperty(copy, 'default', { value, enumerable: true, writable: true, configurable: true })
  return copy as WithDefault<Schema>
}
