import type { FastifyInstance, FastifyRequest } from 'fastify'
import { UnknownPathError } from '../errors.js'
import { HIDDEN_FROM_DOCS } from '../openapi/swagger-transform.js'
import { cap } from '../untrusted.js'

/** The step URLs served under each prefix of each server: a prefix may hold several registrations. */
const servedUnder = new WeakMap<object, Map<string, string[]>>()

/** FST_HAPTIK_UNKNOWN_PATH under `fastify.prefix`; none without one, which would take the app's 404s. */
export function unknownPathRoute (fastify: FastifyInstance, served: readonly string[]): void {
  const { prefix } = fastify
  if (prefix === '') return
  let prefixes = servedUnder.get(fastify.server)
  if (prefixes === undefined) {
    prefixes = new Map()
    servedUnder.set(fastify.server, prefixes)
  }
  const known = prefixes.get(prefix)
  if (known !== undefined) {
    known.push(...served)
    return
  }
  const urls = [...served]
  prefixes.set(prefix, urls)
  const refuse = async function refuseUnknownPath (request: FastifyRequest) {
    throw new UnknownPathError(`${request.method} ${JSON.stringify(cap(request.url.split('?')[0], 'path'))}`, urls.join(', '))
  }
  // The hook answers before the body is read (a not-found handler would parse it); a route needs a handler all the same.
  fastify.route({ method: ['DELETE', 'GET', 'HEAD', 'PATCH', 'POST', 'PUT', 'OPTIONS'], url: '/*', schema: HIDDEN_FROM_DOCS, onRequest: refuse, handler: refuse })
}
