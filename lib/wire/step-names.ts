import type { FastifyRequest } from 'fastify'

/** How messages name the dispatch route before its step is known. */
export const DISPATCH_LABEL = 'Dispatch route'

/**
 * Case is ignored: the bot builder shows system names in capitals (docs/bot-builder/basic/creating-nodes.md).
 * "KLI::KLI::VALIDATE_OTP" is the step its last part names (docs/bot-builder/integrations/assets/RunCode.png).
 */
export function stepKey (name: string): string {
  const namespace = name.lastIndexOf('::')
  return (namespace === -1 ? name : name.slice(namespace + 2)).toLowerCase()
}

/** `step`, else `node` when `step` is absent (older bots). */
export function namedStep (body: unknown): string | undefined {
  if (typeof body !== 'object' || body === null) return undefined
  const { step, node } = body as { step?: unknown, node?: unknown }
  if (typeof step === 'string') return step
  return step === undefined && typeof node === 'string' ? node : undefined
}

export function requestedStep (request: FastifyRequest): string | undefined {
  const { haptikStep, haptikRoute } = request.routeOptions.config
  // The webhook and signup routes serve no step, whatever their bodies say.
  return haptikStep ?? (haptikRoute === undefined ? namedStep(request.body) : undefined)
}

/** How error messages name the route: `Step "x"`, or the dispatch route before its step is known. */
export function routeLabel (request: FastifyRequest): string {
  const { haptikRoute } = request.routeOptions.config
  if (haptikRoute !== undefined) return haptikRoute
  const step = requestedStep(request)
  return step === undefined ? DISPATCH_LABEL : `Step "${step}"`
}
