import { errorCodes, type FastifyRequest, type FastifySchemaCompiler, type FastifySchemaValidationError } from 'fastify'
import { Type, type TSchema } from '@sinclair/typebox'
import { AnyStepEnvelopeSchema, DetectionSchema, entityValueSchema, listBounds } from './request-schema.js'
import { isThenable } from '../untrusted.js'
import { listItems, propertiesOf, requiredOf, type JsonSchema, type ObjectSchema } from '../schema-reading.js'

// Parts are checked in the order Ajv checks the whole envelope, with the same coercion, and issues carry
// the whole body's paths: the first issue is the one the whole envelope's schema gives.

const asyncValidatorError = Object.assign(new Error('fastify-haptik checks entities synchronously: the validator compiler returned a promise for an entity schema'), { statusCode: 500 })

type Validator = ((data: unknown, context?: { parentData: object, parentDataProperty: string }) => unknown) & { errors?: unknown, schemaEnv?: unknown }

export interface BodyPart {
  /** undefined for the `entities` object itself. */
  readonly entity: string | undefined
  readonly schema: TSchema
  readonly instancePath: string
  readonly schemaPath: string
  /** Compiled when the server starts, even if no other step declares it (the catalog's entities). */
  readonly eager: boolean
  validate?: Validator | undefined
}

/** The step routes' body schema, `entities` any object: the entities are checked part by part. */
export const SHARED_ENVELOPE: TSchema = AnyStepEnvelopeSchema

/** Schemas by their JSON text: one schema, and one compiled validator, for the parts several steps declare alike. */
export class SchemaPool {
  readonly #schemas = new Map<string, TSchema>()

  shared (schema: TSchema): TSchema {
    const key = JSON.stringify(schema)
    const known = this.#schemas.get(key)
    if (known !== undefined) return known
    this.#schemas.set(key, schema)
    return schema
  }
}

const escapePointer = (name: string) => name.replaceAll('~', '~0').replaceAll('/', '~1')

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

/** A failure as Fastify makes one, for the error handler and the app's onError hooks. */
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

function inBody (result: unknown, part: BodyPart): unknown {
  if (!Array.isArray(result)) return result
  return (result as Issue[]).map(issue => ({
    ...issue,
    instancePath: part.instancePath + (issue.instancePath ?? ''),
    ...(typeof issue.schemaPath === 'string' ? { schemaPath: part.schemaPath + issue.schemaPath.slice(1) } : {})
  }))
}

/** What failed, as Fastify reads a result: `false`, a custom validator's `{ error }`, or its `{ value }` replacing `parent[key]`. */
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

interface Use { readonly schema: TSchema, readonly url: string }

/** Values that are data, not schemas: a `pattern` key in them is no regular expression. */
const DATA_KEYWORDS = new Set(['default', 'examples', 'const', 'enum'])

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

export class RequestValidation {
  readonly #validators = new Map<TSchema, Validator>()
  #compiler: FastifySchemaCompiler<unknown> | undefined

  /** onReady: compiles the envelope, eager parts and shared parts; a refused schema throws at startup, as a route's would. */
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
    // The parts left for a step's first call: their patterns and formats are tried now.
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

  #envelope (request: FastifyRequest): unknown {
    const validate = this.#validator(SHARED_ENVELOPE, request.method, request.url)
    const parent = request as unknown as Record<string, unknown>
    const result = validate.schemaEnv === undefined ? validate(request.body) : validate(request.body, { parentData: parent, parentDataProperty: 'body' })
    return result === true ? undefined : failureOf(validate, result, parent, 'body')
  }

  /** No parent for Ajv: it could only wrap a scalar sent for a list, which fails all the same. */
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

  /** The dispatch route: the envelope too. */
  validate (request: FastifyRequest, parts: readonly BodyPart[]): Error | null {
    const failure = this.#envelope(request) ?? this.#entities(request, parts)
    return failure === undefined ? null : validationFailure(failure)
  }

  /** The step routes: the envelope's own failure first, should an app's `onRoute` hook have changed the route's schema. */
  validateEntities (request: FastifyRequest, parts: readonly BodyPart[]): Error | null {
    const failure = this.#entities(request, parts)
    if (failure === undefined) return null
    return validationFailure(this.#envelope(request) ?? failure)
  }
}
