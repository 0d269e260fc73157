import type { Hmac, KeyObject } from 'node:crypto'
import type { FastifyReply, FastifyRequest, preParsingHookHandler, onRequestHookHandler, preValidationHookHandler } from 'fastify'
import {
  InvalidSignatureError, MalformedSignatureError, MissingSignatureError,
  SecretNotFoundError, UnsupportedMediaTypeError
} from './errors.js'
import type { StepAuth } from './options.js'
import { matchesAny, parseSignature, SIGNATURE_HEADER, startDigests, toKeys, type SignatureProblem } from './signature.js'

/** Per-request signature state, kept on the request under this symbol. */
export const kSignature = Symbol('fastify-haptik.signature')

interface SignatureState {
  keys: readonly KeyObject[] | null
  expected: Buffer | null
  digests: Hmac[] | null
  verified: boolean
}

declare module 'fastify' {
  interface FastifyRequest {
    [kSignature]: SignatureState | null
  }
}

const PROBLEMS: Record<Exclude<SignatureProblem, 'missing'>, string> = {
  repeated: 'the header was sent more than once',
  'wrong-prefix': 'expected it to start with "sha1="',
  'wrong-length': 'expected "sha1=" and 40 hex digits',
  'not-hex': 'expected hex digits after "sha1="'
}

function signatureError (problem: SignatureProblem): Error {
  return problem === 'missing' ? new MissingSignatureError() : new MalformedSignatureError(PROBLEMS[problem])
}

/**
 * Route-level onRequest hook for steps whose secret is a function: resolves the
 * request's secret(s) before the body is read.
 */
export function resolveSecretHook (auth: Extract<StepAuth, { kind: 'resolver' }>, step: string): onRequestHookHandler {
  return async function resolveHaptikSecret (request: FastifyRequest) {
    const secrets = await auth.resolve(request)
    if (secrets === undefined || (Array.isArray(secrets) && secrets.length === 0)) {
      throw new SecretNotFoundError(step)
    }
    request[kSignature] = { keys: toKeys(secrets), expected: null, digests: null, verified: false }
  }
}

/**
 * Route-level preParsing hook: rejects a missing or malformed signature before
 * reading the body, then feeds every body chunk to one HMAC per candidate
 * secret as it streams in, up to `bodyLimit` bytes (Fastify enforces the limit
 * itself; this only stops hashing what will be refused anyway).
 */
export function captureHook (auth: StepAuth, bodyLimit: number): preParsingHookHandler {
  const staticKeys = auth.kind === 'keys' ? auth.keys : null
  // Callback style on purpose: done() must run synchronously so Fastify's own
  // body reader attaches to the stream before the first chunk flows.
  return function captureHaptikBody (request, _reply, payload, done) {
    const encoding = request.headers['content-encoding']
    if (encoding !== undefined && encoding !== 'identity') {
      done(new UnsupportedMediaTypeError(`Content-Encoding "${encoding}" is not supported; Haptik sends plain JSON`))
      return
    }
    const expected = parseSignature(request.headers[SIGNATURE_HEADER])
    if (typeof expected === 'string') {
      done(signatureError(expected))
      return
    }
    const state = request[kSignature] ?? { keys: staticKeys, expected: null, digests: null, verified: false }
    const digests = startDigests(state.keys as readonly KeyObject[])
    state.expected = expected
    state.digests = digests
    request[kSignature] = state

    let received = 0
    payload.on('data', function digestChunk (chunk: Buffer) {
      received += chunk.length
      if (received > bodyLimit) {
        payload.removeListener('data', digestChunk)
        return
      }
      for (const digest of digests) digest.update(chunk)
    })
    done()
  }
}

const UNSIGNED: SignatureState = Object.freeze({ keys: null, expected: null, digests: null, verified: true })

/** preParsing hook of steps served unsigned (`allowUnsigned`): marks the request as such. */
export const markUnsignedHook: preParsingHookHandler = function markHaptikUnsigned (request, _reply, _payload, done) {
  request[kSignature] = UNSIGNED
  done()
}

/**
 * Compares the streamed digest with the header, once. Returns the error to
 * answer with, or null when the signature is good or the step is served
 * unsigned. Fails closed: a request no hook has seen is refused.
 */
export function checkSignature (request: FastifyRequest): Error | null {
  const state = request[kSignature]
  if (state === null || state.digests === null) {
    return state === UNSIGNED ? null : new MissingSignatureError()
  }
  if (state.verified) return null
  state.verified = true
  return matchesAny(state.expected as Buffer, state.digests) ? null : new InvalidSignatureError()
}

/**
 * Route-level preValidation hook for signed steps. The JSON parser checks the
 * signature before parsing; this catches requests Fastify did not parse
 * (no body, no content type), so nothing unsigned ever reaches validation.
 */
export const verifyUnparsedHook: preValidationHookHandler = function verifyHaptikSignature (
  request: FastifyRequest, _reply: FastifyReply, done: (error?: Error) => void
) {
  const error = checkSignature(request)
  if (error === null) done()
  else done(error)
}
