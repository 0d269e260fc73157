import { Type, type TSchema } from '@sinclair/typebox'
import type { FastifySchema } from 'fastify'
import {
  DetectionSchema,
  entityValueSchema,
  EnvelopeSchema,
  HaptikUserSchema,
  listBounds
} from '../wire/request-schema.js'
import { HslMessageSchema } from '../hsl/index.js'
import { errorExample, replyExamples, requestExamples, type NamedExample } from './examples.js'
import type { ServedStep } from '../step/served-step.js'
import type { OpenapiOptions } from '../options.js'
import { definedFields } from '../reply/json-values.js'
import { DISPATCH_LABEL } from '../wire/step-names.js'
import { isScalarSchema, keywordsOf, listItems, propertiesOf, requiredOf, type ObjectSchema } from '../wire/schema-reading.js'
import { DetailsSchema, ReplySchema, StringDetailsSchema } from '../reply/reply-schema.js'

// What the step routes look like in @fastify/swagger's output. The plugin does
// not depend on @fastify/swagger: it hands each route a `swaggerTransform`
// (route config that @fastify/swagger reads) which adds the shared components
// once and returns the route's documentation schema.

/**
 * The schema of a route the OpenAPI document leaves out. A variable, not a
 * literal: `hide` is typed only where @fastify/swagger is installed.
 */
export const HIDDEN_FROM_DOCS: FastifySchema = { hide: true } as FastifySchema

/** Name of the security scheme for `X-Hub-Signature` in `components.securitySchemes`. */
export const SECURITY_SCHEME = 'haptikSignature'

const COMPONENTS = '#/components/schemas/'
const ref = (name: string) => ({ $ref: COMPONENTS + name })

function withoutTitle ({ title: _title, ...schema }: Record<string, unknown>): object {
  return schema
}

/** How schemas are written for the document's OpenAPI version. */
type Dialect = (schema: unknown) => unknown
const asIs: Dialect = schema => schema

const SCHEMA_MAPS = new Set(['properties', 'patternProperties', 'definitions', '$defs'])
const SCHEMA_LISTS = new Set(['anyOf', 'allOf', 'oneOf', 'prefixItems'])
const DATA_KEYWORDS = new Set(['default', 'enum', 'example'])

/** `anyOf` with a `{ type: 'null' }` member, in 3.0: the other members, `nullable: true`. */
function nullableOf (members: unknown[]): Record<string, unknown> | undefined {
  const others = members.filter(member => (member as { type?: unknown }).type !== 'null')
  if (others.length === members.length) return undefined
  const converted = others.map(toOpenapi30) as Array<Record<string, unknown>>
  return converted.length === 1 ? { ...converted[0], nullable: true } : { anyOf: converted, nullable: true }
}

/**
 * A copy of a JSON schema in OpenAPI 3.0's dialect: `examples` become
 * `example`, `const` a one-value `enum`, a null member of `anyOf` becomes
 * `nullable`, and `patternProperties` (TypeBox records) `additionalProperties`.
 * Keywords are recognised by position, never inside `properties` names.
 * OpenAPI 3.1 takes JSON Schema as it is.
 */
function toOpenapi30 (schema: unknown): unknown {
  const converted: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(schema as object)) {
    if (key === 'examples' && Array.isArray(value)) converted.example = value[0]
    else if (key === 'const') converted.enum = [value]
    else if (key === 'anyOf' && Array.isArray(value) && nullableOf(value) !== undefined) Object.assign(converted, nullableOf(value))
    else if (key === 'patternProperties') converted.additionalProperties = toOpenapi30(Object.values(value as object)[0])
    else if (SCHEMA_MAPS.has(key)) converted[key] = Object.fromEntries(Object.entries(value as object).map(([name, member]) => [name, toOpenapi30(member)]))
    else if (SCHEMA_LISTS.has(key) && Array.isArray(value)) converted[key] = value.map(toOpenapi30)
    else if (typeof value === 'object' && value !== null && !Array.isArray(value) && !DATA_KEYWORDS.has(key)) converted[key] = toOpenapi30(value)
    else converted[key] = value
  }
  return converted
}

/** A reply message: plain text, or an HSL message as a JSON string (3.1 can say so in the schema). */
function messageSchema (dialect: Dialect): object {
  const description = 'Plain text, or a rich message (components.schemas.HslMessage) as a JSON string'
  return dialect === asIs
    ? { description, anyOf: [{ type: 'string' }, { type: 'string', contentMediaType: 'application/json', contentSchema: ref('HslMessage') }] }
    : { type: 'string', description }
}

type JsonSchema = Record<string, unknown>

/** A core TypeBox schema as plain JSON, for the document. */
function json (schema: TSchema): JsonSchema & { properties: Record<string, unknown> } {
  return JSON.parse(JSON.stringify(schema))
}

/**
 * A schema with its titled HSL parts (HslText, HslActionable, …) moved to
 * `components`, each replaced by a reference, the outermost kept.
 */
function hoist (node: unknown, components: Record<string, object>, root = true): unknown {
  if (Array.isArray(node)) return node.map(member => hoist(member, components, false))
  if (typeof node !== 'object' || node === null) return node
  const converted = Object.fromEntries(Object.entries(node).map(([key, value]) => [key, hoist(value, components, false)]))
  const { title } = converted
  if (root || typeof title !== 'string' || !title.startsWith('Hsl')) return converted
  components[title] ??= withoutTitle(converted)
  return ref(title)
}

/** `HslMessage`, one of the HSL types, each a component, as are their parts (actionables, cards, fields). */
function hslComponents (dialect: Dialect): Record<string, object> {
  const components: Record<string, object> = {}
  const message = hoist(dialect(json(HslMessageSchema)), components) as Record<string, unknown>
  components.HslMessage = { ...withoutTitle(message), description: 'A rich message in Haptik Standard Language (HSL), of one of these types' }
  return components
}

/**
 * The shared schemas, derived from the ones the routes validate with (so the
 * docs cannot drift from them), in the document's dialect.
 */
function componentSchemas (dialect: Dialect): Record<string, object> {
  const detection = json(DetectionSchema(Type.Unknown({ description: 'The value: a string, or an object whose shape depends on the entity type' })))
  const request = json(EnvelopeSchema(Type.Object({})))
  request.properties.user = ref('HaptikUser')
  request.properties.entities = { type: 'object', description: 'One list of detections per entity', additionalProperties: { type: 'array', items: ref('HaptikDetection') } }
  const reply = dialect(json(ReplySchema(DetailsSchema, StringDetailsSchema))) as ReturnType<typeof json>
  reply.properties.response = { type: 'array', items: messageSchema(dialect), description: 'Messages shown to the user, in order' }
  return {
    HaptikUser: withoutTitle(dialect(json(HaptikUserSchema)) as Record<string, unknown>),
    HaptikDetection: { ...(dialect(detection) as object), description: 'One detection of an entity' },
    HaptikRequest: { ...withoutTitle(dialect(request) as Record<string, unknown>), description: 'What Haptik POSTs to a step integration URL' },
    HaptikReply: { ...withoutTitle(reply), description: 'What the step answers; HTTP 200 always' },
    ...hslComponents(dialect),
    HaptikError: {
      type: 'object',
      description: 'A refused request (Haptik shows a bot break)',
      required: ['statusCode', 'code', 'error', 'message'],
      properties: {
        statusCode: { type: 'integer' },
        code: { type: 'string', enum: Object.values(ERROR_RESPONSES).flatMap(({ codes }) => codes) },
        error: { type: 'string' },
        message: { type: 'string' }
      }
    }
  }
}

const ERROR_RESPONSES: Record<string, { codes: string[], text: string }> = {
  400: { text: 'Malformed request', codes: ['FST_HAPTIK_INVALID_JSON', 'FST_HAPTIK_INVALID_ENVELOPE', 'FST_HAPTIK_INVALID_ENTITY', 'FST_HAPTIK_STEP_MISMATCH', 'FST_HAPTIK_UNKNOWN_STEP', 'FST_HAPTIK_INVALID_CONTENT_LENGTH'] },
  401: { text: 'Signature check failed', codes: ['FST_HAPTIK_MISSING_SIGNATURE', 'FST_HAPTIK_MALFORMED_SIGNATURE', 'FST_HAPTIK_INVALID_SIGNATURE', 'FST_HAPTIK_SECRET_NOT_FOUND'] },
  413: { text: 'Body over the limit', codes: ['FST_HAPTIK_BODY_TOO_LARGE'] },
  415: { text: 'Not UTF-8 JSON', codes: ['FST_HAPTIK_UNSUPPORTED_MEDIA_TYPE'] },
  500: { text: 'Unexpected error', codes: ['FST_HAPTIK_INTERNAL'] }
}

/** What a route's signature setup is, for the errors it can answer. */
export interface RouteAuth {
  /** Some step of the route checks signatures. */
  readonly signed: boolean
  /** Some step of the route takes its secret from a function. */
  readonly resolvers: boolean
}

/** Whether a step answers entities that do not match with FST_HAPTIK_INVALID_ENTITY (its other option is the failure path). */
const rejectsEntities = ({ definition: step, invalidEntities }: ServedStep) => invalidEntities === 'reject' && propertiesOf(step.entities).length > 0

/** JSON content of a response: its schema and named examples. */
function jsonContent (schema: object, examples: Record<string, NamedExample>) {
  return { 'application/json': { schema, examples } }
}

/**
 * The error responses of a route, each with an example per code it can
 * answer: a step route never says UNKNOWN_STEP, the dispatch route never
 * STEP_MISMATCH, and only steps with entities and `invalidEntities: 'reject'`
 * say INVALID_ENTITY.
 */
function errorResponses ({ signed, resolvers }: RouteAuth, documented: readonly ServedStep[], dispatch: boolean, bodyLimit: number): Record<string, object> {
  const impossible = new Set([dispatch ? 'FST_HAPTIK_STEP_MISMATCH' : 'FST_HAPTIK_UNKNOWN_STEP'])
  if (!resolvers) impossible.add('FST_HAPTIK_SECRET_NOT_FOUND')
  const rejecting = documented.filter(rejectsEntities).map(({ definition }) => definition)
  if (rejecting.length === 0) impossible.add('FST_HAPTIK_INVALID_ENTITY')
  const steps = documented.map(({ definition }) => definition)
  const context = { route: dispatch ? DISPATCH_LABEL : `Step "${steps[0].name}"`, dispatch, steps, rejecting, bodyLimit }
  const responses: Record<string, object> = {}
  for (const [status, { text, codes }] of Object.entries(ERROR_RESPONSES)) {
    if (status === '401' && !signed) continue
    const possible = codes.filter(code => !impossible.has(code))
    responses[status] = {
      description: `${text}: ${possible.join(', ')}`,
      content: jsonContent(ref('HaptikError'), Object.fromEntries(possible.map(code => [code, errorExample(code, context)])))
    }
  }
  return responses
}

/**
 * A copy of a plain JSON schema where each union of literals of one type is
 * one `enum`, e.g. `{ type: 'string', enum: ['speaker', 'powerbank'] }`: the
 * same values, which swagger-ui shows as a list instead of nested unions.
 */
function literalsAsEnums (schema: JsonSchema): JsonSchema {
  const { anyOf, properties, items } = schema as { anyOf?: JsonSchema[], properties?: Record<string, JsonSchema>, items?: JsonSchema }
  if (anyOf !== undefined && anyOf.every(member => member.const !== undefined && member.type === anyOf[0].type)) {
    const { anyOf: _members, ...rest } = schema
    return { ...rest, type: anyOf[0].type, enum: anyOf.map(member => member.const) }
  }
  const copy = { ...schema }
  if (anyOf !== undefined) copy.anyOf = anyOf.map(literalsAsEnums)
  if (properties !== undefined) copy.properties = Object.fromEntries(Object.entries(properties).map(([name, member]) => [name, literalsAsEnums(member)]))
  if (items !== undefined) copy.items = literalsAsEnums(items)
  return copy
}

function entitiesSchema (entities: ObjectSchema, dialect: Dialect): object {
  const required = requiredOf(entities)
  const properties: Record<string, object> = {}
  for (const [name, declared] of propertiesOf(entities)) {
    const value = listItems(declared) ?? declared
    // Says what a scalar entity holds, over the shared detection's generic description.
    const entityValue = isScalarSchema(value)
      ? { description: `${(keywordsOf(value).description as string | undefined) ?? 'The value'}: alone, or as { "value": … }`, ...json(entityValueSchema(value)) }
      : json(entityValueSchema(value))
    properties[name] = {
      type: 'array',
      description: (declared as { description?: string }).description,
      ...listBounds(declared, required.includes(name)),
      items: { allOf: [ref('HaptikDetection'), { type: 'object', properties: { entity_value: dialect(literalsAsEnums(entityValue)) } }] }
    }
  }
  // OpenAPI 3.0 refuses an empty `required` list.
  return { type: 'object', ...(required.length > 0 ? { required } : {}), properties }
}

/** How Haptik signs, for the descriptions of signed routes. */
const SIGNATURE_TEXT = 'Haptik signs every call: `X-Hub-Signature: sha1=<hex>` is the HMAC-SHA1 of the exact request body, ' +
  'keyed with the step secret set in the bot builder. A call without a valid signature is refused with 401 before the step runs.'

/** How to call a signed route from the docs page. */
const TRY_IT_OUT_TEXT = '**Try it out:** click **Authorize** and enter the step secret (not a signature) as the `haptikSignature` value, ' +
  'then **Try it out** and **Execute**. Docs pages set up with fastify-haptik\'s `haptikSwaggerUiConfig()` sign the exact body ' +
  'in your browser (HMAC-SHA1 with WebCrypto), so the secret never leaves the page; on other pages, enter a `sha1=` signature of the exact body instead.'

/** What the description of a route says about signatures: nothing when it is not signed. */
const signatureTexts = (signed: boolean, ...texts: string[]) => signed ? texts : []

function paragraphs (...texts: Array<string | undefined>): string | undefined {
  const given = texts.filter(text => text !== undefined)
  return given.length === 0 ? undefined : given.join('\n\n')
}

/** The documentation schema of a step route, its own schemas written in the document's dialect. */
function documentationSchema (documented: ServedStep, auth: RouteAuth, bodyLimit: number, dialect: Dialect) {
  const { definition: step } = documented
  const { signed } = auth
  return {
    summary: step.summary ?? `Haptik step "${step.name}"`,
    ...definedFields({ description: paragraphs(step.description, ...signatureTexts(signed, SIGNATURE_TEXT, TRY_IT_OUT_TEXT)), tags: step.tags }),
    ...(signed ? { security: [{ [SECURITY_SCHEME]: [] }] } : {}),
    body: {
      allOf: [ref('HaptikRequest'), { type: 'object', required: ['entities'], properties: { entities: entitiesSchema(step.entities, dialect) } }],
      'x-examples': requestExamples(step)
    },
    response: {
      200: {
        description: 'The reply shown to the user (the failure path answers 200 too)',
        content: jsonContent({
          allOf: [ref('HaptikReply'), {
            type: 'object',
            properties: { conversation_details: dialect(step.conversationDetails), user_details: dialect(step.userDetails) }
          }]
        }, replyExamples(documented))
      },
      ...errorResponses(auth, [documented], false, bodyLimit)
    }
  }
}

function dialectOf (document: OpenapiDocument): Dialect {
  return document.openapi.startsWith('3.0') ? toOpenapi30 : asIs
}

/** Adds the shared schemas and, for signed routes, the security scheme, once. */
function addComponents (document: OpenapiDocument, signed: boolean): void {
  for (const [name, component] of Object.entries(componentSchemas(dialectOf(document)))) {
    document.components.schemas[name] ??= component
  }
  if (signed) {
    document.components.securitySchemes ??= {}
    document.components.securitySchemes[SECURITY_SCHEME] ??= {
      type: 'apiKey',
      in: 'header',
      name: 'X-Hub-Signature',
      description: 'Haptik sends `sha1=` and the hex HMAC-SHA1 of the exact request body, keyed with the step secret set in the bot builder. ' +
        'On docs pages set up with `haptikSwaggerUiConfig()`, enter the step secret itself: the page signs each body with it in the browser.'
    }
  }
}

interface OpenapiDocument {
  openapi: string
  components: { schemas: Record<string, object>, securitySchemes?: Record<string, object> }
  webhooks?: Record<string, object>
}

/** What the docs of the routes need from the plugin's options. */
export interface DocumentationOptions {
  readonly openapi: OpenapiOptions
  readonly bodyLimit: number
}

/**
 * The `swaggerTransform` route config of a step route: @fastify/swagger calls
 * it while it builds the document.
 */
export function swaggerTransform (documented: ServedStep, auth: RouteAuth, { openapi: { webhooks = false }, bodyLimit }: DocumentationOptions) {
  const { definition: step } = documented
  return function documentHaptikStep ({ schema, url, openapiObject: document }: { schema: FastifySchema, url: string, openapiObject?: unknown }) {
    // Swagger 2.0 documents get the route's own (inline) schema.
    if (document === undefined) return { schema, url }
    const openapiObject = document as OpenapiDocument
    const docs = documentationSchema(documented, auth, bodyLimit, dialectOf(openapiObject))
    addComponents(openapiObject, auth.signed)
    if (webhooks && openapiObject.openapi.startsWith('3.1')) {
      openapiObject.webhooks ??= {}
      openapiObject.webhooks[step.name] = {
        post: {
          summary: docs.summary,
          description: paragraphs(step.description ?? `What Haptik sends when the bot reaches step "${step.name}".`, ...signatureTexts(auth.signed, SIGNATURE_TEXT)),
          tags: docs.tags,
          security: docs.security,
          requestBody: { required: true, content: { 'application/json': { schema: { allOf: docs.body.allOf }, examples: docs.body['x-examples'] } } },
          responses: { 200: docs.response[200] }
        }
      }
    }
    return { schema: { ...schema, ...docs }, url }
  }
}

/** The `swaggerTransform` of the dispatch route: one body per step, picked by `step`. */
export function dispatchTransform (documented: readonly ServedStep[], auth: RouteAuth, bodyLimit: number) {
  const steps = documented.map(({ definition }) => definition)
  return function documentHaptikDispatch ({ schema, url, openapiObject: document }: { schema: FastifySchema, url: string, openapiObject?: unknown }) {
    if (document === undefined) return { schema, url }
    const openapiObject = document as OpenapiDocument
    addComponents(openapiObject, auth.signed)
    const docs = documented.map(one => documentationSchema(one, auth, bodyLimit, dialectOf(openapiObject)))
    const replies: Record<string, NamedExample> = {}
    for (const one of documented) {
      const { example1, failure } = replyExamples(one)
      replies[one.name] = { ...example1, summary: `Step "${one.name}": ${example1.summary}` }
      replies[`${one.name}_failure`] = { ...failure, summary: `Step "${one.name}": ${failure.summary}` }
    }
    return {
      schema: {
        ...schema,
        summary: 'Haptik steps, by name',
        ...definedFields({
          description: paragraphs(
            `One URL for every step (Haptik's absolute-URL mode): the body's "step" (or "node") picks ${steps.map(step => `"${step.name}"`).join(', ')}.`,
            ...signatureTexts(auth.signed, SIGNATURE_TEXT, TRY_IT_OUT_TEXT)
          )
        }),
        ...(auth.signed ? { security: [{ [SECURITY_SCHEME]: [] }] } : {}),
        body: {
          anyOf: docs.map(({ body }) => ({ allOf: body.allOf })),
          'x-examples': Object.fromEntries(docs.map(({ body }, index) => {
            const { summary, value } = body['x-examples'].example1
            return [steps[index].name, { summary: `Step "${steps[index].name}": ${summary}`, value }]
          }))
        },
        response: {
          200: { description: 'The reply shown to the user (the failure path answers 200 too)', content: jsonContent(ref('HaptikReply'), replies) },
          ...errorResponses(auth, documented, true, bodyLimit)
        }
      },
      url
    }
  }
}
