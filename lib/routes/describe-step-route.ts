import type { FastifyInstance, RouteHandlerMethod } from 'fastify'
import { HIDDEN_FROM_DOCS } from '../openapi/swagger-transform.js'

/**
 * The handler of `GET` on a step URL. Haptik's docs ask for a server that
 * accepts GET and POST, and their sample server answers GET
 * (docs/bot-builder/integrations/integrating-apis.md): this one says what the
 * URL serves and how Haptik calls it. No step runs.
 */
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

/**
 * Answers `GET {prefix}{path}` with what the URL serves, unless the app
 * already serves that GET itself (a route declared before the plugin). The
 * dispatch route's URL is the prefix itself, with and without its trailing
 * slash; without a prefix it is the app's `/`, which is the app's own.
 */
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
