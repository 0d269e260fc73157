import type { FastifyRequest } from 'fastify'

/** How messages name the dispatch route before its step is known. */
export const DISPATCH_LABEL = 'Dispatch route'

/**
 * The step a body names, by the rule the envelope schemas apply: `step` when
 * it is a string, else `node` when `step` is absent (older bots).
 */
export function namedStep (body: unknown): string | undefined {
  if (typeof body !== 'object' || body === null) return undefined
  const { step, node } = body as { step?: unknown, node?: unknown }
  if (typeof step === 'string') return step
  return step === undefined && typeof node === 'string' ? node : undefined
}

/**
 * The step a request on the plugin's routes is for: the route's own, or on
 * the dispatch route the one the body names, once parsed.
 */
export function requestedStep (request: FastifyRequest): string | undefined {
  return request.routeOptions.config.haptikStep ?? namedStep(request.body)
}

/** How error messages name the route: `Step "x"`, or the dispatch route before its step is known. */
export function routeLabel (request: FastifyRequest): string {
  const step = requestedStep(request)
  return step === undefined ? DISPATCH_LABEL : `Step "${step}"`
}
