import type { FastifyInstance, RouteHandlerMethod } from 'fastify'
import { swaggerTransform, type DocumentationOptions } from '../openapi/swagger-transform.js'
import { definedFields } from '../json-values.js'
import { admission } from '../step/admission.js'
import { runStep } from '../step/run-step.js'
import type { ServedStep } from '../step/served-step.js'
import { SHARED_ENVELOPE } from '../wire/request-validation.js'
import { stepUrlRoute } from './describe-step-route.js'
import { eventRoute, signersOf } from './event-route.js'
import type { Registration } from './registration.js'

/** Admission in the handler, not a hook: an app's `onRoute` hook may replace a route's hooks. */
function stepHandler (step: ServedStep, registration: Registration): RouteHandlerMethod {
  return function handleHaptikStepRoute (request, reply) {
    const refused = admission(step, registration.validation, request, false)
    if (refused !== null) throw refused
    return runStep(step, registration, request, reply)
  }
}

/** `POST {prefix}{path}` for one step, and GET on its URL describing it. */
export function stepRoute (fastify: FastifyInstance, step: ServedStep, settings: DocumentationOptions, registration: Registration): void {
  const { definition } = step
  eventRoute(fastify, {
    path: definition.path,
    label: step.label,
    signers: [step],
    bodyLimit: settings.bodyLimit,
    config: { haptikStep: step.name, swaggerTransform: swaggerTransform(step, signersOf([step]), settings) },
    schema: {
      ...definedFields({ summary: definition.summary, description: definition.description, tags: definition.tags }),
      body: SHARED_ENVELOPE,
      response: { 200: step.replySchema }
    },
    handler: stepHandler(step, registration)
  }, registration)
  stepUrlRoute(fastify, definition.path, [step.name])
}
