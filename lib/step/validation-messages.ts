import type { FastifySchemaValidationError } from 'fastify'
import { InvalidEntityError, InvalidEnvelopeError } from '../errors.js'
import { describeType } from '../json-values.js'
import { isScalarSchema, keywordsOf, listItems, type JsonSchema } from '../schema-reading.js'
import type { AnyStep } from './define-step.js'
import { firstNonFinite, nonFiniteMessage } from './finite-numbers.js'
import { cap } from '../untrusted.js'
import { expectedEntityValue, isUnparsedText } from './catalog-entry.js'

export function missingField (name: string): string {
  return `the request has no "${name}" field; expected a Haptik step request`
}

export function notAStepRequest (body: unknown): string {
  return `the body must be a Haptik step request (a JSON object), got ${describeType(body)}`
}

function unescapePointer (token: string): string {
  return token.replaceAll('~1', '/').replaceAll('~0', '~')
}

interface RefusedBody {
  readonly validated: unknown
  readonly sent: unknown
}

/** The value at an Ajv path, as validated and as sent (the validator coerces "30" to 30 and 4521 to "4521"). */
function valuesAt ({ validated, sent }: RefusedBody, pointer: string): { validated: unknown, sent: unknown } {
  const tokens = pointer.split('/').slice(1).map(unescapePointer)
  let value = validated
  for (const token of tokens) value = (value as Record<string, unknown>)[token]
  let original = sent
  for (const token of tokens) {
    // The validator coerces scalars and fills in defaults, so the sent body has every path an issue names; kept for safety.
    /* c8 ignore next */
    if (typeof original !== 'object' || original === null || !Object.hasOwn(original, token)) return { validated: value, sent: value }
    original = (original as Record<string, unknown>)[token]
  }
  return { validated: value, sent: original }
}

const MAX_NAMED = 3

/** Undeclared entities, for a missing one's message: a name spelled differently in the bot builder is likely. */
function undeclaredNote (entities: { properties: Record<string, unknown> }, sent: unknown): string {
  // The validator found `entities` an object: the sent body has that same object.
  const given = (sent as { entities: Record<string, unknown> }).entities
  const undeclared = Object.keys(given).filter(name => !Object.hasOwn(entities.properties, name))
  if (undeclared.length === 0) return ''
  const named = undeclared.slice(0, MAX_NAMED).map(name => `"${cap(name)}"`).join(', ')
  const more = undeclared.length > MAX_NAMED ? ` and ${undeclared.length - MAX_NAMED} more` : ''
  return `; the request has ${undeclared.length === 1 ? 'an entity' : 'entities'} the step does not declare: ${named}${more} (check the entity names in the bot builder)`
}

function entityMessage (step: AnyStep, issue: FastifySchemaValidationError, body: RefusedBody): string | undefined {
  const entities = step.entities as { properties: Record<string, JsonSchema> }
  if (issue.instancePath === '/entities' && issue.keyword === 'required') {
    const name = (issue.params as { missingProperty: string }).missingProperty
    return `entity "${name}" is required but Haptik sent no detection for it; expected ${expectedEntityValue(entities.properties[name])}${undeclaredNote(entities, body.sent)}`
  }
  const match = /^\/entities\/([^/]+)(?:\/(\d+)(\/.*)?)?$/.exec(issue.instancePath)
  if (match === null) return undefined
  const name = unescapePointer(match[1])
  const declared = entities.properties[name]
  if (match[2] === undefined) {
    return issue.keyword === 'minItems'
      ? `entity "${name}" is required but its list of detections is empty; expected ${expectedEntityValue(declared)}`
      : `entity "${name}" must be a list of detections ({ entity_value, detection, original_text })`
  }
  const detection = `entity "${name}" (detection ${match[2]})`
  const rest = match[3] ?? ''
  if (!rest.startsWith('/entity_value')) {
    return `${detection}: ${rest === '' ? 'must be an object' : `field "${cap(rest.slice(1), 'path')}" ${issue.message as string}`}`
  }
  const valueSchema = listItems(declared) ?? declared
  const { validated, sent: value } = valuesAt(body, `/entities/${match[1]}/${match[2]}/entity_value`)
  if (isUnparsedText(valueSchema, value)) {
    return `${detection} must be ${expectedEntityValue(valueSchema)}, got only the text the user typed ({ value: string }): Haptik's NER could not read it`
  }
  const wrapped = isScalarSchema(valueSchema) && isValueWrapper(value)
  // Non-finite as validated: "1e400" was sent as text and read as Infinity.
  const nonFinite = firstNonFinite(isScalarSchema(valueSchema) && isValueWrapper(validated) ? validated.value : validated)
  if (nonFinite !== undefined) return detection + nonFiniteMessage(nonFinite)
  const got = wrapped ? `{ value: ${describeType(value.value)} }` : describeType(value) + brokenRule(issue, valueSchema)
  return `${detection} must be ${expectedEntityValue(valueSchema)}, got ${got}`
}

const BROKEN: Readonly<Record<string, string>> = { '>=': '<', '>': '<=', '<=': '>', '<': '>=' }

/** The declared schema's rule a value broke (` < 1`), never the value; nothing for a rule of a part of it. */
function brokenRule ({ keyword, params, instancePath }: FastifySchemaValidationError, schema: JsonSchema): string {
  if (!instancePath.endsWith('/entity_value') || !Object.hasOwn(keywordsOf(schema), keyword)) return ''
  const { comparison, limit, type, multipleOf } = params as Record<string, unknown>
  if (typeof comparison === 'string' && Object.hasOwn(BROKEN, comparison)) return ` ${BROKEN[comparison]} ${String(limit)}`
  if (keyword === 'type' && type === 'integer') return ' that is not an integer'
  if (keyword === 'multipleOf') return ` that is not a multiple of ${String(multipleOf)}`
  if (keyword === 'minLength') return ` shorter than ${String(limit)} characters`
  if (keyword === 'maxLength') return ` longer than ${String(limit)} characters`
  if (keyword === 'pattern') return ' that does not match the pattern'
  return ''
}

function isValueWrapper (value: unknown): value is { value: unknown } {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && Object.keys(value).length === 1 && 'value' in value
}

function envelopeMessage (issue: FastifySchemaValidationError, body: RefusedBody): string {
  if (issue.instancePath === '') {
    if (issue.keyword === 'required') return missingField((issue.params as { missingProperty: string }).missingProperty)
    return notAStepRequest(body.sent)
  }
  const path = issue.instancePath.slice(1).replaceAll('/', '.')
  const { validated, sent } = valuesAt(body, issue.instancePath)
  const nonFinite = firstNonFinite(validated, path)
  if (nonFinite !== undefined) return nonFiniteMessage(nonFinite).trimStart()
  return `field "${cap(path, 'path')}" ${issue.message as string}, got ${describeType(sent)}`
}

export function validationError (step: AnyStep, issues: FastifySchemaValidationError[], body: RefusedBody): Error {
  // Ajv lists the failing branches of a union before the union itself: the first issue is the deepest.
  const issue = issues[0]
  const label = `Step "${step.name}"`
  const entity = entityMessage(step, issue, body)
  return entity === undefined
    ? new InvalidEnvelopeError(label, envelopeMessage(issue, body))
    : new InvalidEntityError(label, entity)
}
