import { exampleRequest, type AnyStep, type HaptikEnvelope, type HaptikStep, type HaptikUser, type RawOf } from '../index.js'
import { undeclaredEntities } from './entity-names.js'

/** How a value was detected: `detection`, `original_text` and any extra field (e.g. `language`). */
export interface DetectionFields {
  detection?: string | undefined
  original_text?: string | undefined
  [extra: string]: unknown
}

/** One detection of an entity, the way Haptik lists it. */
export interface Detection extends DetectionFields {
  entity_value: unknown
}

/**
 * The entity values a builder takes for a step, typed from the step's schema:
 * what its handler sees as `entities`, where a catalog entity takes any shape
 * Haptik sends (e.g. `{ value: 'Pune' }` for `Entities.City`). Any values for
 * a step named by a string.
 */
export type EntityValues<S> = S extends HaptikStep<infer Entities, any, any, any, any>
  ? UndefinedAllowed<RawOf<Entities>>
  : Record<string, unknown>

/**
 * `T`, where an optional field may also be given as `undefined` (and is then
 * left out). Spelled out as a plain object type (`& {}`), so that editors and
 * compiler messages show its fields rather than the aliases that made it.
 */
export type UndefinedAllowed<T> = { [K in keyof T]: {} extends Pick<T, K> ? T[K] | undefined : T[K] } & {}

/**
 * Fields to set in a built request, over the defaults. `user` is merged into
 * the default user, `entities` into the built entities (give detection lists,
 * e.g. made with `detection()`); any other field replaces the default. A field
 * set to `undefined` is left out of the request.
 */
export interface RequestOverrides {
  step?: string | undefined
  node?: string | undefined
  event?: string | undefined
  user?: UndefinedAllowed<HaptikUser> & Record<string, unknown> | undefined
  conversation_no?: number | undefined
  conversation_details?: Record<string, unknown> | undefined
  user_details?: Record<string, unknown> | undefined
  env_variables?: Record<string, string> | undefined
  entities?: Record<string, Detection[] | undefined> | undefined
  [extra: string]: unknown
}

/** The user of built requests: a Web SDK user with a Haptik-style user name (the docs' example requests have it too). */
export const DEFAULT_USER: Readonly<HaptikUser> = Object.freeze(exampleRequest('').user as HaptikUser)

function textOf (value: unknown): string {
  if (typeof value === 'string') return value
  if (typeof value !== 'object' || value === null) return String(value)
  const inner = (value as { value?: unknown }).value
  return typeof inner === 'string' || typeof inner === 'number' ? String(inner) : JSON.stringify(value)
}

/**
 * One detection of an entity value, as Haptik sends it: found in the user's
 * `message` by default, with the value's text as `original_text`.
 *
 * @example
 * ```ts
 * detection('a@b.co', { detection: 'user_profile' })
 * // { detection: 'user_profile', original_text: 'a@b.co', entity_value: 'a@b.co' }
 * ```
 */
export function detection (value: unknown, fields: DetectionFields = {}): Detection {
  return { detection: 'message', original_text: textOf(value), entity_value: value, ...fields }
}

/**
 * A realistic Haptik request body for a step, from plain entity values:
 * `{ product_name: 'speaker' }` becomes
 * `{ product_name: [{ detection: 'message', original_text: 'speaker', entity_value: 'speaker' }] }`
 * inside a full envelope (event, user, conversation number, details,
 * environment variables). Array entities get one detection per value.
 * Given the step itself, the entity values are type-checked against its
 * schema, and an entity it does not declare (a misspelt name) throws a
 * TypeError naming it and the declared one it most likely meant; send such
 * an entity on purpose with `overrides.entities`.
 *
 * @example
 * ```ts
 * haptikRequest(productPrice, { product_name: 'speaker' }, { user: { language_code: 'hi' } })
 * ```
 */
export function haptikRequest<S extends AnyStep | string> (
  step: S,
  ...[entities, overrides]: S extends string ? [entities?: EntityValues<S>, overrides?: RequestOverrides] : [entities: EntityValues<S>, overrides?: RequestOverrides]
): HaptikEnvelope {
  return buildRequest(step, entities as Record<string, unknown> | undefined, overrides, 'haptikRequest')
}

/** `haptikRequest` for a step or a step name alike (`callStep`'s way in); `caller` names it in errors. */
export function buildRequest (step: AnyStep | string, entities: Record<string, unknown> = {}, overrides: RequestOverrides = {}, caller = 'callStep'): HaptikEnvelope {
  const undeclared = typeof step === 'string' ? undefined : undeclaredEntities(step, entities)
  if (undeclared !== undefined) {
    throw new TypeError(`${caller}: ${undeclared}. To send an entity the step does not declare, give its detections in overrides.entities.`)
  }
  const { user, entities: entityOverrides, ...fields } = overrides
  const request = exampleRequest(step, entities)
  const body: Record<string, unknown> = {
    ...request,
    user: 'user' in overrides && user === undefined ? undefined : { ...request.user, ...user },
    entities: { ...request.entities, ...entityOverrides },
    ...fields
  }
  // Exactly what goes on the wire: `undefined` fields disappear, as in JSON.
  return JSON.parse(JSON.stringify(body))
}
