import type { RouteHandlerMethod } from 'fastify'

/**
 * The handler of `GET` on a step URL. Haptik's docs ask for a server that
 * accepts GET and POST, and their sample server answers GET
 * (docs/bot-builder/integrations/integrating-apis.md): this one says what the
 * URL serves and how Haptik calls it. No step runs.
 */
export function describeStepUrl (steps: readonly string[]): RouteHandlerMethod {
  const answer = {
    steps,
    message: `This URL serves the Haptik ${steps.length === 1 ? 'step' : 'steps'} ${steps.map(step => `"${step}"`).join(', ')}: ` +
      'Haptik calls it with a POST signed with the step secret (X-Hub-Signature).'
  }
  return async function describeHaptikStepUrl () {
    return answer
  }
}
