import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { notAStepRequest } from '../step/validation-messages.js'
import { InvalidEnvelopeError, UnknownStepError } from '../errors.js'
import { dispatchTransform, type DocumentationOptions } from '../openapi/swagger-transform.js'
import { authorizeStep, checkSignature } from '../wire/signature-check.js'
import { DISPATCH_LABEL, namedStep, stepKey } from '../wire/step-names.js'
import { admission } from '../step/admission.js'
import { runStep } from '../step/run-step.js'
import type { ServedStep } from '../step/served-step.js'
import { stepUrlRoute } from './describe-step-route.js'
import { eventRoute, signersOf } from './event-route.js'
import type { Registration } from './registration.js'
import { DetailsSchema, ReplySchema } from '../reply/reply-schema.js'
import { cap } from '../untrusted.js'

/** `POST {prefix}/`: the body names the step (ignoring case); signature, validation and typing are the step's. */
export function dispatchRoute (fastify: FastifyInstance, steps: readonly ServedStep[], settings: DocumentationOptions, registration: Registration): void {
  const targets = new Map(steps.map(step => [step.key, step]))
  const names = steps.map(({ name }) => name)
  const known = names.map(name => JSON.stringify(name)).join(', ')

  function handleHaptikDispatch (request: FastifyRequest, reply: FastifyReply) {
    // A request without a body never met the JSON parser, which checks signatures.
    const unverified = checkSignature(request)
    if (unverified !== null) throw unverified
    const body = request.body
    if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new InvalidEnvelopeError(DISPATCH_LABEL, notAStepRequest(body))
    const name = namedStep(body)
    const target = name === undefined ? undefined : targets.get(stepKey(name))
    if (target === undefined) {
      throw new UnknownStepError(name === undefined
        ? `${DISPATCH_LABEL}: the request names no step (no "step" or "node" field); known steps: ${known}`
        : `${DISPATCH_LABEL}: no step ${JSON.stringify(cap(name))} is served here; known steps: ${known}`)
    }
    const refused = authorizeStep(request, target.auth) ?? admission(target, registration.validation, request, true)
    if (refused !== null) throw refused
    return runStep(target, registration, request, reply)
  }

  eventRoute(fastify, {
    path: '/',
    label: DISPATCH_LABEL,
    signers: steps,
    bodyLimit: settings.bodyLimit,
    config: { haptikDispatch: true, swaggerTransform: dispatchTransform(steps, signersOf(steps), settings) },
    schema: { response: { 200: ReplySchema(DetailsSchema, DetailsSchema) } },
    handler: handleHaptikDispatch
  }, registration)
  stepUrlRoute(fastify, '/', names)
}
