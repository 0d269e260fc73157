import { exampleRequest, type AnyStep, type HaptikEnvelope, type HaptikStep, type HaptikUser, type RawOf } from '../index.js'
import { undeclaredEntities } from './entity-names.js'

export interface DetectionFields {
  detection?: string | undefined
  original_text?: string | undefined
  [extra: string]: unknown
}

export interface Detection extends DetectionFields {
  entity_value: unknown
}

/** A step's entity values as its handler sees them (a catalog entity in any shape Haptik sends); any for a name. */
export type EntityValues<S> = S extends HaptikStep<infer Entities, any, any, any, any>
  ? UndefinedAllowed<RawOf<Entities>>
  : Record<string, unknown>

/** `T`, where an optional field may be `undefined` (left out); `& {}` makes editors show its fields, not aliases. */
export type UndefinedAllowed<T> = { [K in keyof T]: {} extends Pick<T, K> ? T[K] | undefined : T[K] } & {}

/** Fields over a built request's: `user` and `entities` (detection lists) merged, others replaced, `undefined` left out. */
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

/** The user of built requests: a Web SDK user with a Haptik-style user name, as in the docs' examples. */
export const DEFAULT_USER: Readonly<HaptikUser> = Object.freeze(exampleRequest('').user as HaptikUser)

function textOf (value: unknown): string {
  if (typeof value === 'string') return value
  if (typeof value !== 'object' || value === null) return String(value)
  const inner = (value as { value?: unknown }).value
  return typeof inner === 'string' || typeof inner === 'number' ? String(inner) : JSON.stringify(value)
}

/** One detection of an entity value, as Haptik sends it: from the `message` by default, its text as `original_text`. */
export function detection (value: unknown, fields: DetectionFields = {}): Detection {
  return { detection: 'message', original_text: textOf(value), entity_value: value, ...fields }
}

/**
 * A realistic Haptik request body for a step from plain entity values, one detection per value, in a full envelope.
 * Given the step, an entity it does not declare throws a TypeError (send one on purpose with `overrides.entities`).
 */
export function haptikRequest<S extends AnyStep | string> (
  step: S,
  ...[entities, overrides]: S extends string ? [entities?: EntityValues<S>, overrides?: RequestOverrides] : [entities: EntityValues<S>, overrides?: RequestOverrides]
): HaptikEnvelope {
  return buildRequest(step, entities as Record<string, unknown> | undefined, overrides, 'haptikRequest')
}

/** `haptikRequest` for a step or a name alike; `caller` names it in errors. */
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
  return JSON.parse(JSON.stringify(body)) // what goes on the wire: no `undefined` fields
}
