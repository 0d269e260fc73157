import type { FastifyRequest } from 'fastify'
import { InvalidEnvelopeError, StepMismatchError } from '../errors.js'
import { failureReply } from '../reply/failure-policy.js'
import type { HaptikReply } from '../reply/normalize-reply.js'
import { cap } from '../untrusted.js'
import type { RequestValidation } from '../wire/request-validation.js'
import type { HaptikEnvelope } from '../wire/request-schema.js'
import { checkSignature, matchedSecret } from '../wire/signature-check.js'
import { namedStep, stepKey } from '../wire/step-names.js'
import type { StepRuntime } from './context.js'
import { digitsSentAsNumber } from './entities.js'
import { nonFiniteEnvelopeField, nonFiniteMessage } from './finite-numbers.js'
import type { ServedStep } from './served-step.js'

/**
 * What refuses a call before its handler runs, or null, on the step and dispatch routes alike. The
 * signature is checked again (memoized) whatever validator the app configured; Digits sent as numbers
 * before the validator turns them into text; the envelope only on the dispatch route, which Fastify does not validate.
 */
export function admission (step: ServedStep, validation: RequestValidation, request: FastifyRequest, withEnvelope: boolean): Error | null {
  return checkSignature(request) ??
    stepMismatch(step, request.body) ??
    (step.digits.length === 0 ? null : digitsSentAsNumber(step.label, step.digits, request.body)) ??
    (withEnvelope ? validation.validate(request, step.bodyParts) : validation.validateEntities(request, step.bodyParts)) ??
    nonFinite(step, request.body as HaptikEnvelope)
}

function nonFinite (step: ServedStep, envelope: HaptikEnvelope): Error | null {
  const field = nonFiniteEnvelopeField(envelope)
  return field === undefined ? null : new InvalidEnvelopeError(step.label, nonFiniteMessage(field).trimStart())
}

/** A body naming another step than the route's (naming none is the route's). */
export function stepMismatch (step: { name: string, key: string }, body: unknown): Error | null {
  const called = namedStep(body)
  return called === undefined || called === step.name || stepKey(called) === step.key ? null : new StepMismatchError(step.name, cap(called))
}

function languageOf (body: unknown): string | undefined {
  const language = (body as { user?: { language_code?: unknown } }).user?.language_code
  return typeof language === 'string' ? language : undefined
}

/** Entities that do not match are the user's input, not a broken integration: the failure path, and a warning. */
export function answerInvalidEntity (step: ServedStep, runtime: StepRuntime, request: FastifyRequest, error: Error & { code: string }): HaptikReply {
  const call = runtime.telemetry.start(step.name, step.environment, request)
  call.outcome = 'invalid-entity'
  request.log.warn({ step: step.name, code: error.code }, error.message)
  const reply = failureReply(step.invalidEntityMessage, languageOf(request.body))
  runtime.telemetry.end(call, reply.response.length, matchedSecret(request))
  return reply
}
