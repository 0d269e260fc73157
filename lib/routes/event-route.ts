import type { FastifyInstance, RouteHandlerMethod } from 'fastify'
import type { StepAuth } from '../wire/secrets.js'
import { signatureHooks } from '../wire/signature-check.js'
import type { Registration } from './step-route.js'

/** A POST route of the plugin's other than a step's (the webhook, the signup check). */
export interface EventRoute {
  readonly path: string
  /** How messages and docs name the route. */
  readonly label: string
  readonly auth: StepAuth
  readonly bodyLimit: number
  /** Route config for other plugins (@fastify/rate-limit, say), and the docs' `swaggerTransform`. */
  readonly config: Record<string, unknown>
  readonly handler: RouteHandlerMethod
}

/**
 * `POST {prefix}{path}` with the step routes' body parser, body deadline and
 * signature hooks (the signature checked with `auth`, or none for
 * UNSIGNED_AUTH).
 */
export function eventRoute (fastify: FastifyInstance, { path, label, auth, bodyLimit, config, handler }: EventRoute, registration: Registration): void {
  const hooks = signatureHooks([{ auth }], label, registration.lookup)
  fastify.route({
    method: 'POST',
    url: path,
    bodyLimit,
    config: { ...config, haptikRoute: label },
    ...registration.deadlines.withHook(hooks.routeOptions()),
    handler
  })
}
