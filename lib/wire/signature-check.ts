import type { KeyObject } from 'node:crypto'
import type { FastifyRequest, onRequestHookHandler, preParsingHookHandler } from 'fastify'
import {
  InvalidSignatureError, MalformedSignatureError, MissingSignatureError,
  SecretNotFoundError, UnsupportedMediaTypeError
} from '../errors.js'
import type { SecretLookup } from './secret-lookup.js'
import type { StepAuth } from './secrets.js'
import { parseSignature, SIGNATURE_HEADER, signs, type SignatureProblem } from './signature.js'

// The signature of the step routes: a preParsing hook reads the header before
// the body is read (a missing or malformed one is refused at once) and sets up
// the request's check; the JSON parser, which holds the exact bytes, runs it
// (one HMAC-SHA1 of the body per candidate secret) before anything parses them.

/** Per-request signature check, kept on the request under this symbol. */
export const kSignature = Symbol('fastify-haptik.signature')

type SignedAuth = Exclude<StepAuth, { kind: 'unsigned' }>

/** One secret a request may be signed with: its key, whose it is, and its place in that list of secrets. */
interface Candidate {
  readonly key: KeyObject
  readonly auth: SignedAuth
  readonly position: number
}

const NONE: readonly Candidate[] = Object.freeze([])
const EMPTY = Buffer.alloc(0)

/**
 * How a route checks signatures: against the secrets of one step, or, on the
 * dispatch route, of every step it may dispatch to.
 */
interface SignaturePlan {
  /** The distinct secrets configurations of the route's signed steps. */
  readonly auths: readonly SignedAuth[]
  /** Some step of the route accepts unsigned calls: a failed check waits until the step is known. */
  readonly unsigned: boolean
}

/** Every key of the given auths, each with where it came from. */
function candidatesOf (auths: ReadonlyArray<{ auth: SignedAuth, keys: readonly KeyObject[] }>): readonly Candidate[] {
  return auths.flatMap(({ auth, keys }) => keys.map((key, position) => ({ key, auth, position })))
}

/** One request's signature check: the secrets it may be signed with, the header's digest, and which secrets signed the body. */
class SignatureCheck {
  /** The digest the header carries. */
  expected: Buffer | undefined
  /** Why the header could not be read, when the verdict waits for the step (`deferred`). */
  problem: SignatureProblem | undefined
  /** On the dispatch route, the chosen step's auth: only its secrets count. */
  step: StepAuth | undefined
  #signers: readonly Candidate[] | undefined

  constructor (
    readonly candidates: readonly Candidate[],
    /** The route also serves unsigned steps: a failed check waits until the step is known. */
    readonly deferred: boolean
  ) {}

  /** The candidates whose HMAC of the exact bytes is the header's digest (none for a body-less request's empty ones); computed once. */
  signers (request: FastifyRequest): readonly Candidate[] {
    this.#signers ??= this.expected === undefined ? NONE : signersOf(this.expected, this.candidates, request.rawBody ?? EMPTY)
    return this.#signers
  }
}

/** The candidates that signed the body: one HMAC of the whole body per candidate, none skipped. */
function signersOf (expected: Buffer, candidates: readonly Candidate[], body: Buffer): readonly Candidate[] {
  if (candidates.length === 1) return signs(expected, candidates[0].key, body) ? candidates : NONE
  return candidates.filter(({ key }) => signs(expected, key, body))
}

/** The check of requests on routes whose steps are all served unsigned (`allowUnsigned`): it passes, and names no secret. */
const UNSIGNED: SignatureCheck = Object.freeze(new SignatureCheck(NONE, false)) as SignatureCheck

/** A request on the plugin's routes, which carry the check (kept out of Fastify's public types). */
type CheckedRequest = FastifyRequest & { [kSignature]: SignatureCheck | null }

const checkOf = (request: FastifyRequest) => (request as CheckedRequest)[kSignature]
const setCheck = (request: FastifyRequest, check: SignatureCheck) => { (request as CheckedRequest)[kSignature] = check }

const ENCODING_MESSAGE = 'a Content-Encoding other than identity is not supported; Haptik sends plain JSON'

// The signature covers the bytes on the wire: compressed bodies are refused, not decoded.
function plainEncoding (request: FastifyRequest): boolean {
  const encoding = request.headers['content-encoding']
  return encoding === undefined || encoding === 'identity'
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

/** What refuses a request by its headers alone, before the body is read: a compressed body, a missing or malformed signature. */
function headerProblem (request: FastifyRequest, plan: SignaturePlan, expected: Buffer | SignatureProblem): Error | null {
  if (!plainEncoding(request)) return new UnsupportedMediaTypeError(ENCODING_MESSAGE)
  return typeof expected === 'string' && !plan.unsigned ? signatureError(expected) : null
}

/**
 * Route-level onRequest hook for routes with a secret function: resolves the
 * request's secret(s) before the body is read, once the headers show the
 * request may be signed (the function may be a lookup in a database or a vault).
 */
function resolveSecretsHook (plan: SignaturePlan, label: string, lookup: SecretLookup): onRequestHookHandler {
  return async function resolveHaptikSecrets (request: FastifyRequest) {
    const expected = parseSignature(request.headers[SIGNATURE_HEADER])
    const problem = headerProblem(request, plan, expected)
    if (problem !== null) throw problem
    // Unsigned, on a route that also serves unsigned steps: no secret could match, so none is looked up.
    if (typeof expected === 'string') {
      setCheck(request, new SignatureCheck(NONE, true))
      return
    }
    const keys: Array<{ auth: SignedAuth, keys: readonly KeyObject[] }> = []
    for (const auth of plan.auths) keys.push({ auth, keys: auth.kind === 'keys' ? auth.keys : await lookup.keys(auth, request, label) })
    const candidates = candidatesOf(keys)
    // On a route that also serves unsigned steps, the step decides once it is known.
    if (candidates.length === 0 && !plan.unsigned) throw new SecretNotFoundError(label)
    setCheck(request, new SignatureCheck(candidates, plan.unsigned))
  }
}

/**
 * Route-level preParsing hook: refuses a compressed body, and a missing or
 * malformed signature before the body is read (unless the route also serves
 * unsigned steps), and keeps the header's digest for the check.
 */
function readSignatureHook (plan: SignaturePlan): preParsingHookHandler {
  // Keys known at registration are listed once; a secret function's, per request (onRequest).
  const known = plan.auths.every(auth => auth.kind === 'keys')
    ? candidatesOf(plan.auths.map(auth => ({ auth, keys: (auth as Extract<SignedAuth, { kind: 'keys' }>).keys })))
    : NONE
  return function readHaptikSignature (request, _reply, _payload, done) {
    const expected = parseSignature(request.headers[SIGNATURE_HEADER])
    const problem = headerProblem(request, plan, expected)
    if (problem !== null) {
      done(problem)
      return
    }
    let check = checkOf(request)
    if (check === null) {
      check = new SignatureCheck(known, plan.unsigned)
      setCheck(request, check)
    }
    if (typeof expected === 'string') check.problem = expected
    else check.expected = expected
    done()
  }
}

/** preParsing hook of routes whose steps are all served unsigned (`allowUnsigned`). */
const markUnsignedHook: preParsingHookHandler = function markHaptikUnsigned (request, _reply, _payload, done) {
  if (!plainEncoding(request)) {
    done(new UnsupportedMediaTypeError(ENCODING_MESSAGE))
    return
  }
  setCheck(request, UNSIGNED)
  done()
}

/**
 * The error to answer with when no candidate secret signed the body, or null.
 * Fails closed: a request no hook has seen is refused. On a route that also
 * serves unsigned steps, the verdict waits for `authorizeStep`.
 */
export function checkSignature (request: FastifyRequest): Error | null {
  const check = checkOf(request)
  if (check === null) return new MissingSignatureError()
  // A header problem was refused in preParsing unless the verdict is deferred.
  if (check === UNSIGNED || check.deferred || check.signers(request).length > 0) return null
  return new InvalidSignatureError()
}

/**
 * On the dispatch route, once the step is known: whether a secret of that
 * step signed the body (a step served unsigned takes any call).
 */
export function authorizeStep (request: FastifyRequest, auth: StepAuth): Error | null {
  const check = checkOf(request) as SignatureCheck
  // The shared check of all-unsigned routes is frozen, and names no secret already.
  if (check !== UNSIGNED) check.step = auth
  if (auth.kind === 'unsigned') return null
  if (check.signers(request).some(signer => signer.auth === auth)) return null
  return check.problem === undefined ? new InvalidSignatureError() : signatureError(check.problem)
}

/**
 * Which configured secret signed the request: its position in the step's list
 * of secrets, or undefined when unsigned. Never the secret itself.
 */
export function matchedSecret (request: FastifyRequest): number | undefined {
  const check = checkOf(request) as SignatureCheck
  const { step } = check
  // The check has run: the call reached its handler, or its entities were looked at.
  return check.signers(request).find(signer => step === undefined || signer.auth === step)?.position
}

/**
 * The signature hooks of a route serving these steps: one step, or all of
 * them on the dispatch route.
 */
export function signatureHooks (steps: ReadonlyArray<{ readonly auth: StepAuth }>, label: string, lookup: SecretLookup) {
  const auths = [...new Set(steps.map(({ auth }) => auth))].filter((auth): auth is SignedAuth => auth.kind !== 'unsigned')
  const plan: SignaturePlan = { auths, unsigned: steps.some(({ auth }) => auth.kind === 'unsigned') }
  const signed = auths.length > 0
  return {
    signed,
    /** The route options that install the hooks. */
    routeOptions: () => signed
      ? auths.some(auth => auth.kind === 'resolver')
        ? { onRequest: resolveSecretsHook(plan, label, lookup), preParsing: readSignatureHook(plan) }
        : { preParsing: readSignatureHook(plan) }
      : { preParsing: markUnsignedHook }
  }
}
