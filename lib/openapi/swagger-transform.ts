import type { FastifySchema } from 'fastify'
import { definedFields } from '../json-values.js'
import type { ServedStep } from '../step/served-step.js'
import { EnvelopeSchema, entityValueSchema, listBounds } from '../wire/request-schema.js'
import { isScalarSchema, keywordsOf, listItems, propertiesOf, requiredOf, type ObjectSchema } from '../schema-reading.js'
import { DISPATCH_LABEL } from '../wire/step-names.js'
import { addComponents, dialectOf, errorResponses, json, ref, SECURITY_SCHEME, STATUS_OF, type Dialect, type OpenapiDocument, type TransformInput } from './components.js'
import { errorExample, replyExamples, requestExamples, STEP_ERROR_CODES, type NamedExample } from './examples.js'
import { WebhooksNeedOpenapi31 } from '../warnings.js'

/** The schema of a route the OpenAPI document leaves out (`hide` is typed only where @fastify/swagger is installed). */
export const HIDDEN_FROM_DOCS: FastifySchema = { hide: true } as FastifySchema

/** What a route's signature setup is: some step checks signatures; some takes its secret from a function. */
type RouteAuth = Readonly<{ signed: boolean, resolvers: boolean }>

/** Documentation options of the plugin (`openapi`). */
export interface OpenapiOptions {
  /** Also describe each step under the OpenAPI 3.1 `webhooks` section. Default: `false`. */
  webhooks?: boolean | undefined
}

/** What the docs of the routes need from the plugin's options. */
export interface DocumentationOptions { readonly openapi: OpenapiOptions, readonly bodyLimit: number, readonly bodyTimeout: number, readonly secretTimeout: number }

const jsonContent = (schema: object, examples: Record<string, NamedExample>) => ({ 'application/json': { schema, examples } })

/**
 * The error responses of a route, an example per code it can answer: a step route never says UNKNOWN_STEP, the dispatch route never
 * STEP_MISMATCH, only a secret function finds no secret or is slow or busy, only steps rejecting entities say INVALID_ENTITY.
 */
function errorResponsesOf ({ signed, resolvers }: RouteAuth, documented: readonly ServedStep[], dispatch: boolean, options: DocumentationOptions) {
  const steps = documented.map(({ definition }) => definition)
  const rejecting = documented.filter(({ definition, invalidEntities }) => invalidEntities === 'reject' && propertiesOf(definition.entities).length > 0).map(({ definition }) => definition)
  const impossible = new Set([dispatch ? 'FST_HAPTIK_STEP_MISMATCH' : 'FST_HAPTIK_UNKNOWN_STEP', ...(rejecting.length === 0 ? ['FST_HAPTIK_INVALID_ENTITY'] : [])])
  if (!resolvers) for (const code of ['FST_HAPTIK_SECRET_NOT_FOUND', 'FST_HAPTIK_SECRET_TIMEOUT', 'FST_HAPTIK_SECRET_BUSY']) impossible.add(code)
  const context = { ...options, route: dispatch ? DISPATCH_LABEL : `Step "${steps[0].name}"`, dispatch, steps, rejecting }
  const possible = STEP_ERROR_CODES.filter(code => !impossible.has(code) && (signed || STATUS_OF[code] !== 401))
  return errorResponses(possible, codes => ({ content: jsonContent(ref('HaptikError'), Object.fromEntries(codes.map(code => [code, errorExample(code, context)]))) }))
}

type JsonSchema = Record<string, unknown>

/** A copy of a JSON schema where each union of literals of one type is one `enum`, which swagger-ui shows as a list. */
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

const SIGNATURE_TEXT = 'Haptik signs every call: `X-Hub-Signature: sha1=<hex>` is the HMAC-SHA1 of the exact request body, ' +
  'keyed with the step secret set in the bot builder. A call without a valid signature is refused with 401 before the step runs.'

const TRY_IT_OUT_TEXT = '**Try it out:** click **Authorize** and enter the step secret (not a signature) as the `haptikSignature` value, ' +
  'then **Try it out** and **Execute**. Docs pages set up with fastify-haptik\'s `haptikSwaggerUiConfig()` sign the exact body ' +
  'in your browser (HMAC-SHA1 with WebCrypto), so the secret never leaves the page; on other pages, enter a `sha1=` signature of the exact body instead.'

const REPLY_TEXT = 'The reply shown to the user (the failure path answers 200 too)'

/** The paragraphs given, with the signature's when the route is signed. */
function paragraphs (signed: boolean, first: string | undefined, ...signature: string[]): string | undefined {
  const given = [first, ...(signed ? signature : [])].filter(text => text !== undefined)
  return given.length === 0 ? undefined : given.join('\n\n')
}

const securityOf = (signed: boolean) => signed ? { security: [{ [SECURITY_SCHEME]: [] }] } : {}

/** The documentation schema of a step route, its own schemas written in the document's dialect. */
function documentationSchema (documented: ServedStep, auth: RouteAuth, options: DocumentationOptions, dialect: Dialect) {
  const { definition: step } = documented
  return {
    summary: step.summary ?? `Haptik step "${step.name}"`,
    ...definedFields({ description: paragraphs(auth.signed, step.description, SIGNATURE_TEXT, TRY_IT_OUT_TEXT), tags: step.tags }),
    ...securityOf(auth.signed),
    body: {
      allOf: [ref('HaptikRequest'), { type: 'object', required: ['entities'], properties: { entities: entitiesSchema(step.entities, dialect) } }],
      'x-examples': requestExamples(step)
    },
    response: {
      200: {
        description: REPLY_TEXT,
        content: jsonContent({
          allOf: [ref('HaptikReply'), { type: 'object', properties: { conversation_details: dialect(step.conversationDetails), user_details: dialect(step.userDetails) } }]
        }, replyExamples(documented))
      },
      ...errorResponsesOf(auth, [documented], false, options)
    }
  }
}

/** The `swaggerTransform` route config of a step route: @fastify/swagger calls it while it builds the document. */
export function swaggerTransform (documented: ServedStep, auth: RouteAuth, options: DocumentationOptions) {
  const { webhooks = false } = options.openapi
  const { definition: step } = documented
  return function documentHaptikStep ({ schema, url, openapiObject: document }: TransformInput) {
    // Swagger 2.0 documents get the envelope with the step's entities inline (the route validates it in parts).
    if (document === undefined) {
      if (webhooks) WebhooksNeedOpenapi31('Swagger 2.0')
      return { schema: { ...schema, body: EnvelopeSchema(step.entities) }, url }
    }
    const openapiObject = document as OpenapiDocument
    const docs = documentationSchema(documented, auth, options, dialectOf(openapiObject))
    addComponents(openapiObject, auth.signed)
    if (webhooks && !openapiObject.openapi.startsWith('3.1')) WebhooksNeedOpenapi31(`OpenAPI ${openapiObject.openapi}`)
    if (webhooks && openapiObject.openapi.startsWith('3.1')) {
      openapiObject.webhooks ??= {}
      openapiObject.webhooks[step.name] = {
        post: {
          summary: docs.summary,
          description: paragraphs(auth.signed, step.description ?? `What Haptik sends when the bot reaches step "${step.name}".`, SIGNATURE_TEXT),
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
export function dispatchTransform (documented: readonly ServedStep[], auth: RouteAuth, options: DocumentationOptions) {
  const steps = documented.map(({ definition }) => definition)
  return function documentHaptikDispatch ({ schema, url, openapiObject: document }: TransformInput) {
    if (document === undefined) return { schema, url }
    const openapiObject = document as OpenapiDocument
    addComponents(openapiObject, auth.signed)
    const bodies = documented.map(one => documentationSchema(one, auth, options, dialectOf(openapiObject)).body)
    const replies: Record<string, NamedExample> = {}
    for (const one of documented) {
      const { example1, failure } = replyExamples(one)
      replies[one.name] = { ...example1, summary: `Step "${one.name}": ${example1.summary}` }
      replies[`${one.name}_failure`] = { ...failure, summary: `Step "${one.name}": ${failure.summary}` }
    }
    const description = `One URL for every step (Haptik's absolute-URL mode): the body's "step" (or "node") picks ${steps.map(step => `"${step.name}"`).join(', ')}.`
    return {
      schema: {
        ...schema,
        summary: 'Haptik steps, by name',
        description: paragraphs(auth.signed, description, SIGNATURE_TEXT, TRY_IT_OUT_TEXT),
        ...securityOf(auth.signed),
        body: {
          anyOf: bodies.map(({ allOf }) => ({ allOf })),
          'x-examples': Object.fromEntries(bodies.map((body, index) => {
            const { summary, value } = body['x-examples'].example1
            return [steps[index].name, { summary: `Step "${steps[index].name}": ${summary}`, value }]
          }))
        },
        response: { 200: { description: REPLY_TEXT, content: jsonContent(ref('HaptikReply'), replies) }, ...errorResponsesOf(auth, documented, true, options) }
      },
      url
    }
  }
}
