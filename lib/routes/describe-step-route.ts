import type { FastifyInstance, RouteHandlerMethod } from 'fastify'
import { HIDDEN_FROM_DOCS } from '../openapi/swagger-transform.js'

/** `GET` on a step URL: Haptik's sample server answers GET (docs/bot-builder/integrations/integrating-apis.md). */
function describeStepUrl (steps: readonly string[]): RouteHandlerMethod {
  const answer = {
    steps,
    message: `This URL serves the Haptik ${steps.length === 1 ? 'step' : 'steps'} ${steps.map(step => `"${step}"`).join(', ')}: ` +
      'Haptik calls it with a POST signed with the step secret (X-Hub-Signature).'
  }
  return async function describeHaptikStepUrl () {
    return answer
  }
}

/** `GET {prefix}{path}` unless the app serves it; the dispatch route's is the prefix, with or without its slash. */
export function stepUrlRoute (fastify: FastifyInstance, path: string, steps: readonly string[]): void {
  const { prefix } = fastify
  const taken = (url: string) => fastify.hasRoute({ method: 'GET', url })
  const route = { method: 'GET', url: path, schema: HIDDEN_FROM_DOCS, handler: describeStepUrl(steps) } as const
  if (path !== '/') {
    if (!taken(`${prefix}${path}`)) fastify.route(route)
    return
  }
  if (prefix === '') return
  const withoutSlash = !taken(prefix)
  const withSlash = !taken(`${prefix}/`)
  if (withoutSlash || withSlash) {
    fastify.route({ ...route, prefixTrailingSlash: withoutSlash && withSlash ? 'both' : withSlash ? 'slash' : 'no-slash' })
  }
}
