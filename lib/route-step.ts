import type { FastifyRequest } from 'fastify'

/**
 * The step a request on the plugin's routes is for: the route's own, or on
 * the dispatch route the one the body names (`step`, else `node`), once parsed.
 */
export function requestedStep (request: FastifyRequest): string | undefined {
  const configured = request.routeOptions.config.haptikStep
  if (configured !== undefined) return configured
  const body = request.body as { step?: unknown, node?: unknown } | null | undefined
  const name = typeof body === 'object' && body !== null ? body.step ?? body.node : undefined
  return typeof name === 'string' ? name : undefined
}

/** How error messages name the route: `Step "x"`, or the dispatch route before its step is known. */
export function routeLabel (request: FastifyRequest): string {
  const step = requestedStep(request)
  return step === undefined ? 'Dispatch route' : `Step "${step}"`
}
