import type { FastifyInstance, FastifySchema, RouteHandlerMethod } from 'fastify'
import type { StepAuth } from '../wire/secrets.js'
import { signatureHooks } from '../wire/signature-check.js'
import type { Registration } from './registration.js'

/** A signed POST route of the plugin: a step's, the dispatch route, the webhook, the signup check. */
interface EventRoute {
  readonly path: string
  /** How messages and docs name the route. */
  readonly label: string
  /** Whose secrets sign its calls: a step's, every step's on the dispatch route, or UNSIGNED_AUTH. */
  readonly signers: ReadonlyArray<{ readonly auth: StepAuth }>
  readonly bodyLimit: number
  /** Route config for other plugins (@fastify/rate-limit, say), and the docs' `swaggerTransform`. */
  readonly config: Record<string, unknown>
  readonly schema?: FastifySchema | undefined
  readonly handler: RouteHandlerMethod
}

export function eventRoute (fastify: FastifyInstance, { path, label, signers, bodyLimit, config, schema, handler }: EventRoute, registration: Registration): void {
  fastify.route({
    method: 'POST',
    url: path,
    bodyLimit,
    config,
    ...(schema === undefined ? {} : { schema }),
    ...registration.deadlines.withHook(signatureHooks(signers, label, registration.lookup)),
    handler
  })
}

export function signersOf (steps: ReadonlyArray<{ readonly auth: StepAuth }>): { signed: boolean, resolvers: boolean } {
  return { signed: steps.some(({ auth }) => auth.kind !== 'unsigned'), resolvers: steps.some(({ auth }) => auth.kind === 'resolver') }
}
