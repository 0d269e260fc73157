import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { notAStepRequest } from '../step/validation-messages.js'
import { InvalidEnvelopeError, UnknownStepError } from '../errors.js'
import { dispatchTransform } from '../openapi/swagger-transform.js'
import { authorizeStep, checkSignature, signatureHooks } from '../wire/signature-check.js'
import { DISPATCH_LABEL, namedStep, stepKey } from '../wire/step-names.js'
import { digitsSentAsNumber } from '../step/entities.js'
import { runStep } from '../step/run-step.js'
import type { ServedStep } from '../step/served-step.js'
import { stepUrlRoute } from './describe-step-route.js'
import type { Registration, RouteSettings } from './step-route.js'
import { DetailsSchema, ReplySchema } from '../reply/reply-schema.js'
import { cap } from '../untrusted.js'

/**
 * `POST {prefix}/`: for bots whose steps all call one absolute URL. The body
 * names the step (ignoring case, as on the step routes); signature check,
 * validation and typing are the step's own.
 */
export function dispatchRoute (fastify: FastifyInstance, steps: readonly ServedStep[], settings: RouteSettings, registration: Registration): void {
  const { bodyLimit } = settings
  const hooks = signatureHooks(steps, DISPATCH_LABEL, registration.lookup)
  const targets = new Map(steps.map(step => [step.key, step]))
  const names = steps.map(({ name }) => name)
  const known = names.map(name => JSON.stringify(name)).join(', ')

  /**
   * Picks the step the body names, checks the body was signed with that
   * step's secret, validates it as its step route does (the same parts,
   * compiled once for both), and runs it.
   */
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
    const unauthorized = authorizeStep(request, target.auth)
    if (unauthorized !== null) throw unauthorized
    const digits = digitsSentAsNumber(target.label, target.digits, body)
    if (digits !== null) throw digits
    const invalid = registration.validation.validate(request, target.bodyParts)
    if (invalid !== null) throw invalid
    return runStep(target, registration, request, reply)
  }

  const resolvers = steps.some(({ auth }) => auth.kind === 'resolver')
  const config = { haptikDispatch: true, swaggerTransform: dispatchTransform(steps, { signed: hooks.signed, resolvers }, settings) }
  fastify.route({
    method: 'POST',
    url: '/',
    bodyLimit,
    config,
    schema: { response: { 200: ReplySchema(DetailsSchema, DetailsSchema) } },
    ...registration.deadlines.withHook(hooks.routeOptions()),
    handler: handleHaptikDispatch
  })
  stepUrlRoute(fastify, '/', names)
}
