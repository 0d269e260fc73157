import { STATUS_CODES } from 'node:http'
import { missingField, notAStepRequest } from '../step/validation-messages.js'
import * as errors from '../errors.js'
import type { StepExample } from '../step/step-examples.js'
import { INVALID_JSON_REASON } from '../wire/json-body-parser.js'
import { normalizeReply } from '../reply/normalize-reply.js'
import { listItems, propertiesOf } from '../schema-reading.js'
import { pickText } from '../reply/languages.js'
import { exampleRequest } from './sample-request.js'
import type { AnyStep } from '../step/define-step.js'
import type { ServedStep } from '../step/served-step.js'
import { describeType } from '../json-values.js'
import { exampleOf } from './example-values.js'
import { expectedEntityValue } from '../step/catalog-entry.js'

/** An OpenAPI Example Object: what the docs page lists under its summary. */
export interface NamedExample {
  summary: string
  value: unknown
}

const examplesOf = (step: AnyStep): ReadonlyArray<StepExample<Record<string, unknown>, unknown>> => step.examples ?? []

/** The step's examples as `example1`, `example2`, …, each value made by `valueOf`. */
function numbered (step: AnyStep, valueOf: (example: StepExample<Record<string, unknown>, unknown>) => unknown): Record<string, NamedExample> {
  return Object.fromEntries(examplesOf(step).map((example, index) =>
    [`example${index + 1}`, { summary: example.summary ?? `A call of step "${step.name}"`, value: valueOf(example) }]))
}

/** The request examples of a step route: one per step example, else one built from the schemas. */
export function requestExamples (step: AnyStep): Record<string, NamedExample> {
  return examplesOf(step).length === 0
    ? { example1: { summary: 'Generated from the schemas: a call with entity values built from them', value: exampleRequest(step) } }
    : numbered(step, example => exampleRequest(step, example.entities))
}

const HANDOFF_REPLY = { status: false, response: [] }

/** For steps that give no examples: the shape of a reply, with details built from the step's schemas. */
function builtReply (step: AnyStep): object {
  const conversationDetails = exampleOf(step.conversationDetails, 'value') as Record<string, unknown>
  const userDetails = exampleOf(step.userDetails, 'value') as Record<string, unknown>
  return {
    status: true,
    response: [`(generated: a message of step ${step.name})`],
    ...(Object.keys(conversationDetails).length > 0 ? { conversation_details: conversationDetails } : {}),
    ...(Object.keys(userDetails).length > 0 ? { user_details: userDetails } : {})
  }
}

/** The 200 examples of a step: its own example replies (else the shape of a reply) and the failure path. */
export function replyExamples ({ definition: step, fallbackMessage, invalidEntities, invalidEntityMessage, timeout, replies: { onFailure } }: ServedStep): Record<string, NamedExample> {
  const generated = step.handsOver === true
    ? { summary: 'A hand-over to an agent (generated: the step declares handsOver; status false, no messages)', value: HANDOFF_REPLY }
    : { summary: 'Generated from the schemas: the shape of a reply, not one the step gives (give the step examples to show real ones)', value: builtReply(step) }
  const replies = examplesOf(step).length === 0 ? { example1: generated } : numbered(step, example => normalizeReply(example.reply, step.name))
  replies.failure = onFailure === 'handoff'
    ? { summary: `Failure path: the handler threw or took over ${timeout} ms, and the chat is handed over to an agent (onFailure: 'handoff')`, value: HANDOFF_REPLY }
    : { summary: `Failure path: the handler threw or took over ${timeout} ms (status false, the fallback message)`, value: { status: false, response: [pickText(fallbackMessage, undefined)] } }
  if (invalidEntities === 'failure' && propertiesOf(step.entities).length > 0) {
    replies.invalidEntity = {
      summary: "Failure path: the user's entities do not match the step's schema (status false, the invalid-entity message)",
      value: { status: false, response: [pickText(invalidEntityMessage, undefined)] }
    }
  }
  return replies
}

/** What an error example can name: the route (`Step "x"` or `Dispatch route`), its steps, those that reject entities, the limits. */
type ErrorExampleContext = Readonly<{ route: string, dispatch: boolean, steps: readonly AnyStep[], rejecting: readonly AnyStep[], bodyLimit: number, bodyTimeout: number, secretTimeout: number }>

type ErrorLike = Error & { code: string, statusCode: number }

/** The entity error of an object sent for the first declared entity of the first rejecting step (an object is never coerced). */
function entityError ([step]: readonly AnyStep[]): Error {
  const [name, declared] = propertiesOf(step.entities)[0]
  const value = listItems(declared) ?? declared
  return new errors.InvalidEntityError(`Step "${step.name}"`, `entity "${name}" (detection 0) must be ${expectedEntityValue(value)}, got ${describeType({})}`)
}

// The codes a step route can answer, in the docs' order, each made with the constructor the route throws.
const ERROR_EXAMPLES: Record<string, (context: ErrorExampleContext) => Error> = {
  FST_HAPTIK_INVALID_JSON: ({ route }) => new errors.InvalidJsonError(route, INVALID_JSON_REASON),
  // The dispatch route names the step once the body does: its own envelope error is a body that is no object.
  FST_HAPTIK_INVALID_ENVELOPE: ({ route, dispatch }) => new errors.InvalidEnvelopeError(route, dispatch ? notAStepRequest([]) : missingField('entities')),
  FST_HAPTIK_INVALID_ENTITY: ({ rejecting }) => entityError(rejecting),
  FST_HAPTIK_STEP_MISMATCH: ({ steps }) => new errors.StepMismatchError(steps[0].name, 'another_step'),
  FST_HAPTIK_UNKNOWN_STEP: ({ route, steps }) => new errors.UnknownStepError(`${route}: no step "another_step" is served here; known steps: ${steps.map(step => JSON.stringify(step.name)).join(', ')}`),
  FST_HAPTIK_INVALID_CONTENT_LENGTH: () => new errors.InvalidContentLengthError(),
  FST_HAPTIK_MISSING_SIGNATURE: () => new errors.MissingSignatureError(),
  FST_HAPTIK_MALFORMED_SIGNATURE: () => new errors.MalformedSignatureError('expected "sha1=" and 40 hex digits'),
  FST_HAPTIK_INVALID_SIGNATURE: () => new errors.InvalidSignatureError(),
  FST_HAPTIK_SECRET_NOT_FOUND: ({ route }) => new errors.SecretNotFoundError(route),
  FST_HAPTIK_BODY_TOO_LARGE: ({ bodyLimit }) => new errors.BodyTooLargeError(bodyLimit),
  FST_HAPTIK_BODY_TIMEOUT: ({ bodyTimeout }) => new errors.BodyTimeoutError(bodyTimeout),
  FST_HAPTIK_SECRET_TIMEOUT: ({ route, secretTimeout }) => new errors.SecretTimeoutError(route, `took longer than ${secretTimeout} ms`),
  FST_HAPTIK_SECRET_BUSY: ({ route }) => new errors.SecretBusyError(route),
  FST_HAPTIK_UNSUPPORTED_MEDIA_TYPE: () => new errors.UnsupportedMediaTypeError('send the body as application/json'),
  FST_HAPTIK_INTERNAL: () => new errors.InternalError()
}

export const STEP_ERROR_CODES = Object.keys(ERROR_EXAMPLES)

/** The error body a route answers with for a code, as its error handler writes it. */
export function errorExample (code: string, context: ErrorExampleContext): NamedExample {
  const error = ERROR_EXAMPLES[code](context) as ErrorLike
  return {
    summary: code,
    value: { statusCode: error.statusCode, code: error.code, error: STATUS_CODES[error.statusCode], message: error.message }
  }
}
