import { STATUS_CODES } from 'node:http'
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify'
import { BodyTooLargeError, InternalError, InvalidContentLengthError, UnsupportedMediaTypeError } from '../errors.js'
import { answerInvalidEntity, stepMismatch } from '../step/admission.js'
import type { ServedStep } from '../step/served-step.js'
import { validationError } from '../step/validation-messages.js'
import { receivedBody } from '../wire/json-body-parser.js'
import { checkSignature } from '../wire/signature-check.js'
import { requestedStep, stepKey } from '../wire/step-names.js'
import type { Registration } from './registration.js'
import { cap, safeError } from '../untrusted.js'

const PROTOCOL_ERRORS: Record<string, (bodyLimit: number) => Error> = {
  FST_ERR_CTP_INVALID_MEDIA_TYPE: () => new UnsupportedMediaTypeError('send the body as application/json'),
  FST_ERR_CTP_BODY_TOO_LARGE: bodyLimit => new BodyTooLargeError(bodyLimit),
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: () => new InvalidContentLengthError()
}

/** Turns every error on the step routes into a coded, safe HTTP error. */
function toProtocolError (step: ServedStep | undefined, error: FastifyError, request: FastifyRequest, bodyLimit: number): Error {
  if (error.code?.startsWith('FST_HAPTIK_')) return error
  if (error.validation !== undefined) {
    // A request without a body never met the JSON parser, which checks signatures: check it
    // before reporting validation, then whether it is for this step, before its entities.
    return checkSignature(request) ?? stepMismatch(step as ServedStep, request.body) ?? validationError((step as ServedStep).definition, error.validation, { validated: request.body, sent: receivedBody(request) })
  }
  const known = PROTOCOL_ERRORS[error.code]
  if (known !== undefined) return known(bodyLimit)
  // Client errors from Fastify or from the app's own hooks (an allowlist's 403,
  // say) keep their status and message; anything else is a plain 500.
  if ((error.statusCode ?? 500) < 500) return error
  return new InternalError()
}

/** toProtocolError, for any value: what the app's own hooks throw may be hostile to read. */
function protocolErrorOf (step: ServedStep | undefined, error: FastifyError, request: FastifyRequest, bodyLimit: number): FastifyError {
  try {
    return toProtocolError(step, error, request, bodyLimit) as FastifyError
  } catch {
    return new InternalError() as FastifyError
  }
}

/** The bot builder and the server disagree on the secret: logged at `warn`, to stand out. */
const MISCONFIGURATION = new Set(['FST_HAPTIK_INVALID_SIGNATURE', 'FST_HAPTIK_SECRET_NOT_FOUND'])

/** The error handler of the step routes' encapsulated context; `steps` by `stepKey`. */
export function stepErrorHandler (steps: ReadonlyMap<string, ServedStep>, bodyLimit: number, registration: Registration) {
  return function haptikErrorHandler (error: FastifyError, request: FastifyRequest, reply: FastifyReply) {
    registration.deadlines.done(request)
    // Refused before all of it arrived (a bad signature header, a body too slow), or while the
    // server closes: the connection goes with the answer, not held by a client still sending.
    if (request.raw.complete === false || registration.closing) reply.header('connection', 'close')
    const name = requestedStep(request)
    const served = name === undefined ? undefined : steps.get(stepKey(name))
    const answer = protocolErrorOf(served, error, request, bodyLimit)
    if (answer.code === 'FST_HAPTIK_INVALID_ENTITY' && served?.invalidEntities === 'failure') {
      return reply.code(200).send(answerInvalidEntity(served, registration, request, answer))
    }
    const statusCode = answer.statusCode as number
    // Metrics carry only the names of served steps: a name from an unsigned
    // body must not grow their label set. The log shows it, capped.
    registration.telemetry.refused(request, served?.name, served?.environment, answer.code, statusCode)
    const step = served?.name ?? (name === undefined ? undefined : cap(name))
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
