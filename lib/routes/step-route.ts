import type { FastifyInstance, preValidationHookHandler } from 'fastify'
import { swaggerTransform, type DocumentationOptions } from '../openapi/swagger-transform.js'
import { definedFields } from '../reply/json-values.js'
import type { StepRuntime } from '../step/context.js'
import { digitsSentAsNumber } from '../step/entities.js'
import { stepMismatch, stepRouteHandler } from '../step/run-step.js'
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
 * Validates a step's entities before Fastify validates the envelope every
 * step shares (after the app's preValidation hooks, as Fastify's own
 * validation): `Entities.Digits` sent as numbers are refused before the
 * validator turns them into text, then the entities are checked part by part.
 */
function validateEntities (step: ServedStep, validation: RequestValidation): preValidationHookHandler {
  return function validateHaptikEntities (request, _reply, done) {
    // A call for another step is that, before its entities are looked at.
    const refused = step.digits.length === 0 ? null : stepMismatch(step, request.body) ?? digitsSentAsNumber(step.label, step.digits, request.body)
    const error = refused ?? validation.validateEntities(request, step.bodyParts)
    if (error === null) done()
    else done(error)
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
    preValidation: validateEntities(step, registration.validation),
    handler: stepRouteHandler(step, registration)
  })
  stepUrlRoute(fastify, definition.path, [step.name])
}
