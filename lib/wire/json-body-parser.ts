import { isUtf8 } from 'node:buffer'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import secureJson from 'secure-json-parse'
import { InvalidJsonError, UnsupportedMediaTypeError } from '../errors.js'
import { checkSignature } from './signature-check.js'
import { routeLabel } from './step-names.js'
import type { BodyDeadlines } from './body-deadline.js'
import { cap } from '../untrusted.js'

type ParserDone = (error: Error | null, body?: unknown) => void

// Searched for as bytes: a string needle is encoded again on every search.
const PROTO = Buffer.from('__proto__')
const CONSTRUCTOR = Buffer.from('constructor')
const ASCII_ESCAPE = Buffer.from('\\u00')

/**
 * Could the bytes spell `__proto__` or `constructor`, escaped or not (`\u00XX`: Python's escaped Hindi or
 * emoji stays on the fast path)? If not, JSON.parse is as safe as secure-json-parse, and cheaper.
 */
export function mayPoison (body: Buffer): boolean {
  return body.includes(PROTO) || body.includes(CONSTRUCTOR) || body.includes(ASCII_ESCAPE)
}

const POISON_TEXT = ['__proto__', 'constructor', '\\u00']
const REFUSE_POISON = { protoAction: 'error', constructorAction: 'error' } as const
const FORBIDDEN_KEY = 'Object contains forbidden prototype property'

/** Why parsing failed, in words that never quote the text. */
const failureReason = (error: unknown, otherwise: string) =>
  (error as Error).message === FORBIDDEN_KEY ? 'it has a "__proto__" or "constructor.prototype" key' : otherwise

/** JSON text a store kept, parsed as a body is; the error never quotes the text. */
export function parseJsonText (text: string): unknown {
  try {
    return POISON_TEXT.some(needle => text.includes(needle)) ? secureJson.parse(text, undefined, REFUSE_POISON) : JSON.parse(text)
  } catch (error) {
    throw new Error(failureReason(error, 'it is not JSON'))
  }
}

/** JSON.parse of the bytes as secure-json-parse reads them: a leading byte order mark is skipped. */
function parsePlain (body: Buffer): unknown {
  const text = body.toString()
  return JSON.parse(text.charCodeAt(0) === 0xFEFF ? text.slice(1) : text)
}

/** The body before the validator coerced it ("30" to 30), for messages naming the type sent. */
export function receivedBody (request: FastifyRequest): unknown {
  return request.rawBody == null ? request.body : parsePlain(request.rawBody)
}

/** Why JSON did not parse, for messages: V8's own reasons quote the body. */
export const INVALID_JSON_REASON = 'unexpected or missing characters'

/** A charset other than UTF-8, or a parameter twice (`charset=utf-8; charset=latin1` reads differently elsewhere). */
function contentTypeProblem (contentType: string | undefined): string | undefined {
  if (contentType === undefined || !contentType.includes(';')) return undefined
  const names = new Set<string>()
  let charset: string | undefined
  for (const parameter of contentType.split(';').slice(1)) {
    const equals = parameter.indexOf('=')
    const name = (equals === -1 ? parameter : parameter.slice(0, equals)).trim().toLowerCase()
    if (name === '') continue
    if (names.has(name)) return `the Content-Type gives the parameter "${cap(name)}" twice`
    names.add(name)
    if (name === 'charset') charset = parameter.slice(equals + 1).trim().replace(/^"(.*)"$/, '$1').toLowerCase()
  }
  return charset === undefined || charset === 'utf-8' || charset === 'utf8' ? undefined : 'only UTF-8 JSON is supported (charset=utf-8)'
}

/** The routes' only content-type parser: the signature is checked on `request.rawBody` before anything reads it. */
export function jsonBodyParser (fastify: FastifyInstance, deadlines: BodyDeadlines) {
  const { onProtoPoisoning = 'error', onConstructorPoisoning = 'error' } = fastify.initialConfig
  const parseOptions = { protoAction: onProtoPoisoning, constructorAction: onConstructorPoisoning }

  return function parseHaptikBody (request: FastifyRequest, body: Buffer, done: ParserDone): void {
    deadlines.done(request)
    const problem = contentTypeProblem(request.headers['content-type'])
    if (problem !== undefined) {
      done(new UnsupportedMediaTypeError(problem))
      return
    }
    request.rawBody = body
    const signatureError = checkSignature(request)
    if (signatureError !== null) {
      done(signatureError)
      return
    }
    if (body.length === 0) {
      done(new InvalidJsonError(routeLabel(request), 'the body is empty'))
      return
    }
    // The JSON parser would quietly turn invalid bytes into U+FFFD.
    if (!isUtf8(body)) {
      done(new InvalidJsonError(routeLabel(request), 'it is not valid UTF-8'))
      return
    }
    try {
      done(null, mayPoison(body) ? secureJson.parse(body, undefined, parseOptions) : parsePlain(body))
    } catch (error) {
      // Only the poisoning message is free of the body.
      done(new InvalidJsonError(routeLabel(request), failureReason(error, INVALID_JSON_REASON)))
    }
  }
}
