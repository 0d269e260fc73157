import type { KeyObject } from 'node:crypto'
import type { FastifyRequest, onRequestHookHandler, preParsingHookHandler } from 'fastify'
import {
  InvalidSignatureError, MalformedSignatureError, MissingSignatureError,
  SecretNotFoundError, UnsupportedMediaTypeError
} from '../errors.js'
import type { SecretLookup } from './secret-lookup.js'
import type { StepAuth } from './secrets.js'
import { parseSignature, SIGNATURE_HEADER, signs, type SignatureProblem } from './signature.js'

export const kSignature = Symbol('fastify-haptik.signature')

type SignedAuth = Exclude<StepAuth, { kind: 'unsigned' }>

interface Candidate {
  readonly key: KeyObject
  readonly auth: SignedAuth
  readonly position: number
}

const NONE: readonly Candidate[] = Object.freeze([])
const EMPTY = Buffer.alloc(0)

interface SignaturePlan {
  readonly auths: readonly SignedAuth[]
  /** Some step of the route accepts unsigned calls: a failed check waits until the step is known. */
  readonly unsigned: boolean
}

function candidatesOf (auths: ReadonlyArray<{ auth: SignedAuth, keys: readonly KeyObject[] }>): readonly Candidate[] {
  return auths.flatMap(({ auth, keys }) => keys.map((key, position) => ({ key, auth, position })))
}

class SignatureCheck {
  expected: Buffer | undefined
  /** Why the header could not be read, when the verdict waits for the step (`deferred`). */
  problem: SignatureProblem | undefined
  /** On the dispatch route, the chosen step's auth: only its secrets count. */
  step: StepAuth | undefined
  #signers: readonly Candidate[] | undefined

  constructor (
    readonly candidates: readonly Candidate[],
    readonly deferred: boolean
  ) {}

  signers (request: FastifyRequest): readonly Candidate[] {
    this.#signers ??= this.expected === undefined ? NONE : signersOf(this.expected, this.candidates, request.rawBody ?? EMPTY)
    return this.#signers
  }
}

/** One HMAC of the whole body per candidate, none skipped. */
function signersOf (expected: Buffer, candidates: readonly Candidate[], body: Buffer): readonly Candidate[] {
  if (candidates.length === 1) return signs(expected, candidates[0].key, body) ? candidates : NONE
  return candidates.filter(({ key }) => signs(expected, key, body))
}

const UNSIGNED: SignatureCheck = Object.freeze(new SignatureCheck(NONE, false)) as SignatureCheck

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

function headerProblem (request: FastifyRequest, plan: SignaturePlan, expected: Buffer | SignatureProblem): Error | null {
  if (!plainEncoding(request)) return new UnsupportedMediaTypeError(ENCODING_MESSAGE)
  return typeof expected === 'string' && !plan.unsigned ? signatureError(expected) : null
}

/** Resolves a secret function's keys before the body is read, once the headers show the request may be signed. */
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

const markUnsignedHook: preParsingHookHandler = function markHaptikUnsigned (request, _reply, _payload, done) {
  if (!plainEncoding(request)) {
    done(new UnsupportedMediaTypeError(ENCODING_MESSAGE))
    return
  }
  setCheck(request, UNSIGNED)
  done()
}

/** Fails closed: a request no hook has seen is refused; with unsigned steps on the route, `authorizeStep` decides. */
export function checkSignature (request: FastifyRequest): Error | null {
  const check = checkOf(request)
  if (check === null) return new MissingSignatureError()
  // A header problem was refused in preParsing unless the verdict is deferred.
  if (check === UNSIGNED || check.deferred || check.signers(request).length > 0) return null
  return new InvalidSignatureError()
}

/** On the dispatch route, once the step is known: whether a secret of that step signed the body. */
export function authorizeStep (request: FastifyRequest, auth: StepAuth): Error | null {
  const check = checkOf(request) as SignatureCheck
  // The shared check of all-unsigned routes is frozen, and names no secret already.
  if (check !== UNSIGNED) check.step = auth
  if (auth.kind === 'unsigned') return null
  if (check.signers(request).some(signer => signer.auth === auth)) return null
  return check.problem === undefined ? new InvalidSignatureError() : signatureError(check.problem)
}

/** The position of the secret that signed the request in the step's list, never the secret itself. */
export function matchedSecret (request: FastifyRequest): number | undefined {
  const check = checkOf(request) as SignatureCheck
  const { step } = check
  // The check has run: the call reached its handler, or its entities were looked at.
  return check.signers(request).find(signer => step === undefined || signer.auth === step)?.position
}

/** The signature hooks of a route serving these steps, as route options. */
export function signatureHooks (steps: ReadonlyArray<{ readonly auth: StepAuth }>, label: string, lookup: SecretLookup): { onRequest?: onRequestHookHandler, preParsing: preParsingHookHandler } {
  const auths = [...new Set(steps.map(({ auth }) => auth))].filter((auth): auth is SignedAuth => auth.kind !== 'unsigned')
  if (auths.length === 0) return { preParsing: markUnsignedHook }
  const plan: SignaturePlan = { auths, unsigned: steps.some(({ auth }) => auth.kind === 'unsigned') }
  return auths.some(auth => auth.kind === 'resolver')
    ? { onRequest: resolveSecretsHook(plan, label, lookup), preParsing: readSignatureHook(plan) }
    : { preParsing: readSignatureHook(plan) }
}
