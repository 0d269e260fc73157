import { errorCodes, type FastifyRequest, type FastifySchemaCompiler, type FastifySchemaValidationError } from 'fastify'
import { Type, type TSchema } from '@sinclair/typebox'
import { AnyStepEnvelopeSchema, DetectionSchema, entityValueSchema, listBounds } from './request-schema.js'
import { isThenable } from '../untrusted.js'
import { listItems, propertiesOf, requiredOf, type JsonSchema, type ObjectSchema } from '../schema-reading.js'

// A step's request body is validated in parts, each with its own schema and
// the route's validator (Fastify's Ajv with the app's options, or the app's
// own compiler): the envelope every step shares, then the `entities` object
// (which entities are required, and which are declared: Ajv's
// `removeAdditional: 'all'` removes the others), then each entity's list of
// detections. A part several steps
// declare alike (the envelope, Entities.Date, a Type.String()) is one schema,
// compiled once per registration when the server starts; a part only one step
// declares is compiled on that step's first call. So startup does not grow
// with the bot, and a step's first call compiles only what is its own.
//
// The parts are checked in the order Ajv checks the whole envelope (its own
// fields, then `required`, then each entity in declared order), with the same
// coercion and defaults in place, and their issues carry the paths of the
// whole body: the first issue is the one the whole envelope's schema gives.

/** What a validator that answers later gets: the entities cannot be left unchecked. */
const asyncValidatorError = Object.assign(new Error('fastify-haptik checks entities synchronously: the validator compiler returned a promise for an entity schema'), { statusCode: 500 })

/** A compiled validator, as Fastify calls it. */
type Validator = ((data: unknown, context?: { parentData: object, parentDataProperty: string }) => unknown) & { errors?: unknown, schemaEnv?: unknown }

/** One part of a step's body and the schema it is checked with. */
export interface BodyPart {
  /** The entity the part is (its list of detections), or undefined for the `entities` object itself. */
  readonly entity: string | undefined
  readonly schema: TSchema
  /** Where the part is in the body (a JSON Pointer), and in the whole envelope's schema. */
  readonly instancePath: string
  readonly schemaPath: string
  /** Compiled when the server starts, even if no other step declares it (the catalog's entities). */
  readonly eager: boolean
  /** Its validator, once compiled (the registration's, for every step that declares the part alike). */
  validate?: Validator | undefined
}

/**
 * The envelope every step shares, with `entities` any object: the step
 * routes' body schema, which Fastify compiles once and validates as usual;
 * the entities are checked part by part.
 */
export const SHARED_ENVELOPE: TSchema = AnyStepEnvelopeSchema

/** Schemas by their JSON text: one schema, and one compiled validator, for the parts several steps declare alike. */
export class SchemaPool {
  readonly #schemas = new Map<string, TSchema>()

  /** The pool's schema with the same JSON Schema keywords, or this one. */
  shared (schema: TSchema): TSchema {
    const key = JSON.stringify(schema)
    const known = this.#schemas.get(key)
    if (known !== undefined) return known
    this.#schemas.set(key, schema)
    return schema
  }
}

const escapePointer = (name: string) => name.replaceAll('~', '~0').replaceAll('/', '~1')

/**
 * The parts of the body of a step with these entities, made once at
 * registration; nothing is compiled. `eager` says which declared entity
 * values are compiled at startup whoever declares them.
 */
export function bodyParts (entities: ObjectSchema, pool: SchemaPool, eager: (value: JsonSchema) => boolean): BodyPart[] {
  const required = new Set(requiredOf(entities))
  // The whole envelope's `entities` (request-schema.ts) without the lists: required in declared order, as Type.Object lists them.
  const declared = propertiesOf(entities).map(([name]) => name)
  const names = declared.filter(name => required.has(name))
  const object = Type.Unsafe({ type: 'object', ...(names.length > 0 ? { required: names } : {}), properties: Object.fromEntries(declared.map(name => [name, {}])) })
  const parts: BodyPart[] = [{ entity: undefined, schema: pool.shared(object), instancePath: '/entities', schemaPath: '#/properties/entities', eager: false }]
  for (const [name, declared] of propertiesOf(entities)) {
    // The whole envelope's list of detections (request-schema.ts), without its description: the same checks.
    const value = listItems(declared) ?? declared
    const detections = Type.Array(DetectionSchema(entityValueSchema(value)), listBounds(declared, required.has(name)))
    const pointer = escapePointer(name)
    parts.push({
      entity: name,
      schema: pool.shared(detections),
      instancePath: `/entities/${pointer}`,
      schemaPath: `#/properties/entities/properties/${encodeURIComponent(pointer)}`,
      eager: eager(value)
    })
  }
  return parts
}

interface Issue { instancePath?: string, schemaPath?: string, message?: string }

/**
 * A validation failure as Fastify makes one (FST_ERR_VALIDATION, 400, the
 * issues, `validationContext`), with its default message: for the step
 * routes' error handler and the app's onError hooks.
 */
function validationFailure (result: unknown): Error {
  if (result instanceof Error) {
    const error = result as Error & { statusCode?: number, code?: string, validationContext?: string }
    error.statusCode ??= 400
    error.code ??= 'FST_ERR_VALIDATION'
    error.validationContext ??= 'body'
    return error
  }
  const issues = result as Issue[]
  const error = new Error(issues.map(issue => `body${issue.instancePath ?? ''} ${issue.message as string}`).join(', '))
  return Object.assign(error, { statusCode: 400, code: 'FST_ERR_VALIDATION', validation: issues as FastifySchemaValidationError[], validationContext: 'body' })
}

/** A part's issues, with their paths in the whole body and envelope schema. */
function inBody (result: unknown, part: BodyPart): unknown {
  if (!Array.isArray(result)) return result
  return (result as Issue[]).map(issue => ({
    ...issue,
    instancePath: part.instancePath + (issue.instancePath ?? ''),
    ...(typeof issue.schemaPath === 'string' ? { schemaPath: part.schemaPath + issue.schemaPath.slice(1) } : {})
  }))
}

/**
 * What failed, as Fastify reads a validator's result, or undefined: `false`
 * (the validator's errors), a custom validator's `{ error }`, or its
 * `{ value }`, which replaces `parent[key]`.
 */
function failureOf (validate: Validator, result: unknown, parent: Record<string, unknown>, key: string): unknown {
  // `false` without errors is a pass to Fastify too.
  if (result === false) return validate.errors ?? undefined
  if (typeof result !== 'object' || result === null) return undefined
  // Fastify awaits an async validator's answer; the parts are checked before the handler, at once.
  if (isThenable(result)) return asyncValidatorError
  const { error } = result as { error?: unknown }
  if (error !== undefined && error !== null && error !== false) return error
  if ('value' in result) parent[key] = result.value
  return undefined
}

/** Where a part's validator is compiled for: the route of a step that declares it. */
interface Use { readonly schema: TSchema, readonly url: string }

/** Values that are data, not schemas: a `pattern` key in them is no regular expression. */
const DATA_KEYWORDS = new Set(['default', 'examples', 'const', 'enum'])

/** Each regular expression and format a schema names, as a schema of its own, by its text. */
function probesOf (schema: unknown, url: string, probes: Map<string, Use>): void {
  if (typeof schema !== 'object' || schema === null) return
  const probe = (key: string, keyword: 'pattern' | 'format', value: string) => {
    if (!probes.has(key)) probes.set(key, { schema: Type.Unsafe({ type: 'string', [keyword]: value }), url })
  }
  for (const [key, value] of Object.entries(schema)) {
    if (DATA_KEYWORDS.has(key)) continue
    if ((key === 'pattern' || key === 'format') && typeof value === 'string') probe(`${key}:${value}`, key, value)
    if (key === 'patternProperties' && typeof value === 'object' && value !== null) for (const pattern of Object.keys(value)) probe(`pattern:${pattern}`, 'pattern', pattern)
    probesOf(value, url, probes)
  }
}

/** The validators of one registration's routes, compiled once and shared by its steps. */
export class RequestValidation {
  readonly #validators = new Map<TSchema, Validator>()
  #compiler: FastifySchemaCompiler<unknown> | undefined

  /**
   * Once the routes are compiled (onReady): keeps the routes' validator
   * compiler, and compiles the envelope, the eager parts and every part more
   * than one step declares. Throws Fastify's FST_ERR_SCH_VALIDATION_BUILD for a schema the
   * compiler refuses, as a route's own schema would at startup.
   */
  prepare (compiler: FastifySchemaCompiler<unknown>, steps: ReadonlyArray<{ readonly url: string, readonly parts: readonly BodyPart[] }>): void {
    this.#compiler = compiler
    // A registration for Haptik's webhooks alone has no step route, and nothing to compile.
    if (steps.length === 0) return
    // Each part with the first step that declares it; compiled now if eager, or when a second step declares it too.
    const first = new Map<TSchema, Use>()
    const shared = new Set<Use>([{ schema: SHARED_ENVELOPE, url: steps[0].url }])
    for (const { url, parts } of steps) {
      for (const { schema, eager } of parts) {
        let use = first.get(schema)
        if (use === undefined) {
          use = { schema, url }
          first.set(schema, use)
          if (!eager) continue
        }
        shared.add(use)
      }
    }
    for (const { schema, url } of shared) this.#validator(schema, 'POST', url)
    // The parts left for a step's first call: what the compiler could refuse in
    // them is tried now, one small schema per pattern and format.
    const probes = new Map<string, Use>()
    for (const use of first.values()) if (!shared.has(use)) probesOf(use.schema, use.url, probes)
    for (const { schema, url } of probes.values()) this.#validator(schema, 'POST', url)
  }

  #validator (schema: TSchema, method: string, url: string): Validator {
    let validate = this.#validators.get(schema)
    if (validate === undefined) {
      try {
        validate = (this.#compiler as FastifySchemaCompiler<unknown>)({ schema, method, url, httpPart: 'body' }) as Validator
      } catch (error) {
        // Refused once, refused on every call, without compiling it again.
        const reason = (error as Error).message
        const refused = (): never => { throw Object.assign(new errorCodes.FST_ERR_SCH_VALIDATION_BUILD(method, url, reason), { statusCode: 500 }) }
        this.#validators.set(schema, refused as unknown as Validator)
        return refused()
      }
      this.#validators.set(schema, validate)
    }
    return validate
  }

  /**
   * The envelope's failure, as Fastify validates a route's body (Ajv may
   * replace it, coerced), or undefined. Only called with a body: the dispatch
   * route refuses a request without one first.
   */
  #envelope (request: FastifyRequest): unknown {
    const validate = this.#validator(SHARED_ENVELOPE, request.method, request.url)
    const parent = request as unknown as Record<string, unknown>
    const result = validate.schemaEnv === undefined ? validate(request.body) : validate(request.body, { parentData: parent, parentDataProperty: 'body' })
    return result === true ? undefined : failureOf(validate, result, parent, 'body')
  }

  /**
   * The failure of the first entity part that fails, with its paths in the
   * body, or undefined. No parent is passed to Ajv: the only value it could
   * replace is a scalar sent for a list, which it would wrap in one, and a
   * detection is an object, so that fails all the same.
   */
  #entities (request: FastifyRequest, parts: readonly BodyPart[]): unknown {
    const body = request.body as Record<string, unknown> | null | undefined
    for (const part of parts) {
      // Read again for each part: the `entities` part's validator may have replaced it ({ value }).
      const entities = body?.entities
      // Not an object: the envelope's own check says so (or, for a validator that checks nothing, nothing does).
      if (typeof entities !== 'object' || entities === null) return undefined
      const { entity } = part
      const parent = (entity === undefined ? body : entities) as Record<string, unknown>
      const key = entity ?? 'entities'
      const value = parent[key]
      if (value === undefined) continue
      const validate = part.validate ??= this.#validator(part.schema, request.method, request.url)
      const result = validate(value)
      if (result === true) continue
      const failure = failureOf(validate, result, parent, key)
      if (failure !== undefined) return inBody(failure, part)
    }
    return undefined
  }

  /** A body validated whole (the dispatch route): null, or the failure the whole envelope's schema would give. */
  validate (request: FastifyRequest, parts: readonly BodyPart[]): Error | null {
    const failure = this.#envelope(request) ?? this.#entities(request, parts)
    return failure === undefined ? null : validationFailure(failure)
  }

  /**
   * The entities of a body whose envelope Fastify validated (the step
   * routes: SHARED_ENVELOPE is their body schema): null, or the failure the
   * whole envelope's schema would give, the envelope's own first (should an
   * app's `onRoute` hook have changed the route's schema).
   */
  validateEntities (request: FastifyRequest, parts: readonly BodyPart[]): Error | null {
    const failure = this.#entities(request, parts)
    if (failure === undefined) return null
    return validationFailure(this.#envelope(request) ?? failure)
  }
}
