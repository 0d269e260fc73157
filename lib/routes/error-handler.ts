import { STATUS_CODES } from 'node:http'
import type { FastifyError, FastifyReply, FastifyRequest, FastifySchemaValidationError } from 'fastify'
import { missingField, notAStepRequest } from '../step/validation-messages.js'
import { BodyTooLargeError, cap, InternalError, InvalidContentLengthError, InvalidEntityError, InvalidEnvelopeError, safeError, UnsupportedMediaTypeError } from '../errors.js'
import { expectedEntityValue, isUnparsedText } from '../step/catalog.js'
import { firstNonFinite, nonFiniteMessage } from '../step/finite-numbers.js'
import { checkSignature } from '../wire/signature-check.js'
import { answerInvalidEntity, stepMismatch, type PreparedStep } from '../step/run-step.js'
import { isScalarSchema, listItems, type JsonSchema } from '../wire/schema-reading.js'
import { requestedStep, stepKey } from '../wire/step-names.js'
import type { AnyStep } from '../step/define-step.js'
import type { Telemetry } from '../telemetry.js'
import type { BodyDeadlines } from '../wire/body-deadline.js'
import type { Lifecycle } from '../step/run-step.js'
import { describeType } from '../reply/json-values.js'

function unescapePointer (token: string): string {
  return token.replaceAll('~1', '/').replaceAll('~0', '~')
}

/**
 * The value an Ajv instance path points at in the body Ajv just validated, so
 * every step of the path exists. Its type goes into messages, never the value.
 */
function valueAt (body: unknown, pointer: string): unknown {
  let value = body
  for (const token of pointer.split('/').slice(1)) {
    value = (value as Record<string, unknown>)[unescapePointer(token)]
  }
  return value
}

const LONGEST_FIELD = 120

function entityMessage (step: AnyStep, issue: FastifySchemaValidationError, body: unknown): string | undefined {
  const entities = step.entities as { properties: Record<string, JsonSchema> }
  if (issue.instancePath === '/entities' && issue.keyword === 'required') {
    const name = (issue.params as { missingProperty: string }).missingProperty
    return `entity "${name}" is required but Haptik sent no detection for it; expected ${expectedEntityValue(entities.properties[name])}`
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
    return `${detection}: ${rest === '' ? 'must be an object' : `field "${cap(rest.slice(1), LONGEST_FIELD)}" ${issue.message as string}`}`
  }
  const valueSchema = listItems(declared) ?? declared
  const value = valueAt(body, `/entities/${match[1]}/${match[2]}/entity_value`)
  if (isUnparsedText(valueSchema, value)) {
    return `${detection} must be ${expectedEntityValue(valueSchema)}, got only the text the user typed ({ value: string }): Haptik's NER could not read it`
  }
  // A scalar may come wrapped as { value }: say what was inside.
  const wrapped = isScalarSchema(valueSchema) && isValueWrapper(value)
  const nonFinite = firstNonFinite(wrapped ? value.value : value)
  if (nonFinite !== undefined) return detection + nonFiniteMessage(nonFinite)
  const got = wrapped ? `{ value: ${describeType(value.value)} }` : describeType(value)
  return `${detection} must be ${expectedEntityValue(valueSchema)}, got ${got}`
}

function isValueWrapper (value: unknown): value is { value: unknown } {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && Object.keys(value).length === 1 && 'value' in value
}

function envelopeMessage (issue: FastifySchemaValidationError, body: unknown): string {
  if (issue.instancePath === '') {
    if (issue.keyword === 'required') return missingField((issue.params as { missingProperty: string }).missingProperty)
    return notAStepRequest(body)
  }
  const path = issue.instancePath.slice(1).replaceAll('/', '.')
  const value = valueAt(body, issue.instancePath)
  const nonFinite = firstNonFinite(value, path)
  if (nonFinite !== undefined) return nonFiniteMessage(nonFinite).trimStart()
  return `field "${cap(path, LONGEST_FIELD)}" ${issue.message as string}, got ${describeType(value)}`
}

function validationError (step: AnyStep, issues: FastifySchemaValidationError[], body: unknown): Error {
  // Ajv lists the failing branches of a union before the union itself: the first issue is the deepest.
  const issue = issues[0]
  const label = `Step "${step.name}"`
  const entity = entityMessage(step, issue, body)
  return entity === undefined
    ? new InvalidEnvelopeError(label, envelopeMessage(issue, body))
    : new InvalidEntityError(label, entity)
}

const PROTOCOL_ERRORS: Record<string, (bodyLimit: number) => Error> = {
  FST_ERR_CTP_INVALID_MEDIA_TYPE: () => new UnsupportedMediaTypeError('send the body as application/json'),
  FST_ERR_CTP_BODY_TOO_LARGE: bodyLimit => new BodyTooLargeError(bodyLimit),
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: () => new InvalidContentLengthError()
}

/** Turns every error on the step routes into a coded, safe HTTP error. */
function toProtocolError (prepared: PreparedStep | undefined, error: FastifyError, request: FastifyRequest, bodyLimit: number): Error {
  if (error.code?.startsWith('FST_HAPTIK_')) return error
  if (error.validation !== undefined) {
    // Validation runs only once the step is known, on the dispatch route too.
    const { compiled, resolved } = prepared as PreparedStep
    // A request without a body never met the JSON parser, which checks signatures:
    // its signature is checked here, before any validation error is reported;
    // then whether it is for this step at all, before its entities are.
    return checkSignature(request) ?? stepMismatch(compiled, request.body) ?? validationError(resolved.step, error.validation, request.body)
  }
  const known = PROTOCOL_ERRORS[error.code]
  if (known !== undefined) return known(bodyLimit)
  // Client errors from Fastify or from the app's own hooks (an allowlist's 403,
  // say) keep their status and message; anything else is a plain 500.
  if ((error.statusCode ?? 500) < 500) return error
  return new InternalError()
}

/** toProtocolError, for any value: what the app's own hooks throw may be hostile to read. */
function protocolErrorOf (prepared: PreparedStep | undefined, error: FastifyError, request: FastifyRequest, bodyLimit: number): FastifyError {
  try {
    return toProtocolError(prepared, error, request, bodyLimit) as FastifyError
  } catch {
    return new InternalError() as FastifyError
  }
}

/**
 * Refusals that mean the bot builder and the server disagree on the secret:
 * logged at `warn`, to stand out from the rest of the traffic.
 */
const MISCONFIGURATION = new Set(['FST_HAPTIK_INVALID_SIGNATURE', 'FST_HAPTIK_SECRET_NOT_FOUND'])

/** The error handler of the step routes' encapsulated context; `steps` by `stepKey`. */
export function stepErrorHandler (steps: ReadonlyMap<string, PreparedStep>, bodyLimit: number, telemetry: Telemetry, deadlines: BodyDeadlines, lifecycle: Lifecycle) {
  return function haptikErrorHandler (error: FastifyError, request: FastifyRequest, reply: FastifyReply) {
    deadlines.done(request)
    if (lifecycle.closing) reply.header('connection', 'close')
    const name = requestedStep(request)
    const prepared = name === undefined ? undefined : steps.get(stepKey(name))
    const answer = protocolErrorOf(prepared, error, request, bodyLimit)
    if (answer.code === 'FST_HAPTIK_INVALID_ENTITY' && prepared?.compiled.invalidEntities === 'failure') {
      return reply.code(200).send(answerInvalidEntity(prepared.compiled, request, answer))
    }
    const statusCode = answer.statusCode as number
    // Metrics carry only the names of served steps: a name from an unsigned
    // body must not grow their label set. The log shows it, capped.
    telemetry.refused(request, prepared?.compiled.name, prepared?.compiled.environment, answer.code, statusCode)
    const step = prepared?.compiled.name ?? (name === undefined ? undefined : cap(name))
    if (statusCode >= 500) {
      // An FST_HAPTIK_INTERNAL that arrives here was logged, with its cause, where it was made.
      if (answer !== error) request.log.error({ err: safeError(error, 'a hook'), step }, 'fastify-haptik: unexpected error')
    } else {
      const level = MISCONFIGURATION.has(answer.code) ? 'warn' : 'info'
      request.log[level]({ step, code: answer.code, statusCode }, answer.message)
    }
    // A plain object, not the Error: Fastify would log it a second time, and only these four fields go out.
    return reply.code(statusCode).send({
      statusCode,
      code: answer.code,
      error: STATUS_CODES[statusCode] as string,
      message: answer.message
    })
  }
}
