import type { FastifyInstance, preValidationHookHandler } from 'fastify'
import { swaggerTransform, type DocumentationOptions } from '../openapi/swagger-transform.js'
import { definedFields } from '../reply/json-values.js'
import type { StepRuntime } from '../step/context.js'
import { digitsSentAsNumber } from '../step/entities.js'
import { stepMismatch, stepRouteHandler } from '../step/run-step.js'
import type { ServedStep } from '../step/served-step.js'
import type { BodyDeadlines } from '../wire/body-deadline.js'
import type { SecretLookup } from '../wire/secret-lookup.js'
import { signatureHooks } from '../wire/signature-check.js'
import { stepUrlRoute } from './describe-step-route.js'

/** What the routes of one registration of the plugin share at run time. */
export interface Registration extends StepRuntime {
  readonly lookup: SecretLookup
  readonly deadlines: BodyDeadlines
  closing: boolean
}

/** The route settings every step route shares: the body's limits, and what the docs say. */
export type RouteSettings = DocumentationOptions

/** A preValidation hook for a step with `Entities.Digits`: numbers are refused before the validator turns them into text. */
function digitsHook (step: ServedStep): { preValidation?: preValidationHookHandler } {
  if (step.digits.length === 0) return {}
  return {
    preValidation: function refuseHaptikDigitsAsNumbers (request, _reply, done) {
      // A call for another step is that, before its entities are looked at.
      const refused = stepMismatch(step, request.body) ?? digitsSentAsNumber(step.label, step.digits, request.body)
      if (refused === null) done()
      else done(refused)
    }
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
      body: step.bodySchema,
      response: { 200: step.replySchema }
    },
    ...registration.deadlines.withHook(hooks.routeOptions()),
    ...digitsHook(step),
    handler: stepRouteHandler(step, registration)
  })
  stepUrlRoute(fastify, definition.path, [step.name])
}
