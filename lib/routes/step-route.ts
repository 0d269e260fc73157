import type { FastifyInstance, FastifyRequest, RouteHandlerMethod } from 'fastify'
import { swaggerTransform, type DocumentationOptions } from '../openapi/swagger-transform.js'
import { definedFields } from '../reply/json-values.js'
import type { StepRuntime } from '../step/context.js'
import { digitsSentAsNumber } from '../step/entities.js'
import { runStep, stepMismatch } from '../step/run-step.js'
import type { ServedStep } from '../step/served-step.js'
import type { BodyDeadlines } from '../wire/body-deadline.js'
import type { SecretLookup } from '../wire/secret-lookup.js'
import { SHARED_ENVELOPE, type RequestValidation } from '../wire/request-validation.js'
import { signatureHooks } from '../wire/signature-check.js'
import { stepUrlRoute } from './describe-step-route.js'

/** What the routes of one registration of the plugin share at run time. */
export interface Registration extends StepRuntime {
  readonly lookup: SecretLookup
  readonly deadlines: BodyDeadlines
  readonly validation: RequestValidation
  closing: boolean
}

/** The route settings every step route shares: the body's limits, and what the docs say. */
export type RouteSettings = DocumentationOptions

/**
 * What refuses a call before its step runs, or null: a body naming another
 * step (that, before its entities are looked at), `Entities.Digits` sent as
 * numbers (before the validator turns them into text), then the entities,
 * part by part.
 */
function refusal (step: ServedStep, validation: RequestValidation, request: FastifyRequest): Error | null {
  return stepMismatch(step, request.body) ??
    (step.digits.length === 0 ? null : digitsSentAsNumber(step.label, step.digits, request.body)) ??
    validation.validateEntities(request, step.bodyParts)
}

/**
 * The step's handler: checks the call is for this step and its entities,
 * once Fastify has validated the envelope every step shares, then runs the
 * step. In the handler, not in a hook: a hook costs per request, and an
 * app's `onRoute` hook may replace a route's hooks, which must not let an
 * unchecked entity through.
 */
function stepHandler (step: ServedStep, registration: Registration): RouteHandlerMethod {
  return function handleHaptikStepRoute (request, reply) {
    const refused = refusal(step, registration.validation, request)
    if (refused !== null) throw refused
    return runStep(step, registration, request, reply)
  }
}

/** `POST {prefix}{path}` for one step, and GET on its URL describing it. */
export function stepRoute (fastify: FastifyInstance, step: ServedStep, settings: RouteSettings, registration: Registration): void {
  const { bodyLimit } = settings
  const { definition } = step
  const hooks = signatureHooks([step], step.label, registration.lookup)
  // A variable, not a literal: `swaggerTransform` is typed only where @fastify/swagger is installed.
  const config = { haptikStep: step.name, swaggerTransform: swaggerTransform(step, { signed: hooks.signed, resolvers: step.auth.kind === 'resolver' }, settings) }
  fastify.route({
    method: 'POST',
    url: definition.path,
    bodyLimit,
    config,
    schema: {
      ...definedFields({ summary: definition.summary, description: definition.description, tags: definition.tags }),
      body: SHARED_ENVELOPE,
      response: { 200: step.replySchema }
    },
    ...registration.deadlines.withHook(hooks.routeOptions()),
    handler: stepHandler(step, registration)
  })
  stepUrlRoute(fastify, definition.path, [step.name])
}
