import type { FastifyInstance, FastifyRequest } from 'fastify'
import { UnsupportedMediaTypeError } from './errors.js'
import { checkSignature } from './raw-body.js'

type ParserDone = (error: Error | null, body?: unknown) => void
type JsonParser = (request: FastifyRequest, body: Buffer, done: ParserDone) => void

const CHARSET = /;\s*charset\s*=\s*"?([^";\s]+)/i

/** The charset a content type names, lower-cased, or undefined when it names none. */
function charsetOf (contentType: string | undefined): string | undefined {
  if (contentType === undefined || !contentType.includes(';')) return undefined
  return CHARSET.exec(contentType)?.[1]?.toLowerCase()
}

/**
 * The step routes' only content-type parser: keeps the exact bytes as
 * `request.rawBody`, checks the signature before anything reads them, then
 * parses with Fastify's own JSON parser (prototype-poisoning safe).
 */
export function jsonBodyParser (fastify: FastifyInstance): JsonParser {
  const { onProtoPoisoning, onConstructorPoisoning } = fastify.initialConfig
  const parseJson = fastify.getDefaultJsonParser(onProtoPoisoning ?? 'error', onConstructorPoisoning ?? 'error') as unknown as JsonParser
  return function parseHaptikBody (request, body, done) {
    const charset = charsetOf(request.headers['content-type'])
    if (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8') {
      done(new UnsupportedMediaTypeError(`charset "${charset}" is not supported; send UTF-8 JSON`))
      return
    }
    request.rawBody = body
    const signatureError = checkSignature(request)
    if (signatureError !== null) {
      done(signatureError)
      return
    }
    parseJson(request, body, done)
  }
}
