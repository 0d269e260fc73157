import type { KeyObject } from 'node:crypto'
import type { FastifyRequest, onRequestHookHandler, preParsingHookHandler } from 'fastify'
import {
  InvalidSignatureError, MalformedSignatureError, MissingSignatureError,
  SecretNotFoundError, UnsupportedMediaTypeError
} from '../errors.js'
import type { SecretLookup } from './secret-lookup.js'
import type { StepAuth } from './secrets.js'
import { matchingKeys, parseSignature, SIGNATURE_HEADER, type SignatureProblem } from './signature.js'

// The signature of the step routes: a preParsing hook reads the header before
// the body is read (a missing or malformed one is refused at once) and sets up
// the request's check; the JSON parser, which holds the exact bytes, runs it
// (one HMAC-SHA1 of the body per candidate secret) before anything parses them.

const NONE: readonly number[] = Object.freeze([])
const EMPTY = Buffer.alloc(0)

/** Per-request signature state, kept on the request under this symbol. */
export const kSignature = Symbol('fastify-haptik.signature')

type SignedAuth = Exclude<StepAuth, { kind: 'unsigned' }>

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

/** The candidate keys of a request: each with the index of its auth in the plan and its position in that auth's secrets. */
interface Candidates {
  readonly keys: readonly KeyObject[]
  readonly owners: readonly number[]
  readonly positions: readonly number[]
}

interface SignatureState {
  readonly candidates: Candidates
  /** The digest the header carries, or why it could not be read. */
  expected: Buffer | null
  problem: SignatureProblem | null
  /** Indexes in `candidates.keys` of the keys that signed the body; null until checked. */
  matched: readonly number[] | null
  /** On the dispatch route, the index in `plan.auths` of the chosen step's secrets (0 on a step route; -1 for an unsigned step). */
  authorized: number
  /** The route also serves unsigned steps: a failed check waits until the step is known. */
  readonly deferred: boolean
}

/** A request on the plugin's routes, which carry the signature state (kept out of Fastify's public types). */
type SignedRequest = FastifyRequest & { [kSignature]: SignatureState | null }

const stateOf = (request: FastifyRequest) => (request as SignedRequest)[kSignature]
const setState = (request: FastifyRequest, state: SignatureState) => { (request as SignedRequest)[kSignature] = state }

const newState = (candidates: Candidates, deferred: boolean): SignatureState =>
  ({ candidates, expected: null, problem: null, matched: null, authorized: 0, deferred })

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

/** Flattens keys by auth, remembering where each came from. */
function candidatesOf (keysByAuth: ReadonlyArray<readonly KeyObject[]>): Candidates {
  const keys: KeyObject[] = []
  const owners: number[] = []
  const positions: number[] = []
  keysByAuth.forEach((list, owner) => list.forEach((key, position) => {
    keys.push(key)
    owners.push(owner)
    positions.push(position)
  }))
  return { keys, owners, positions }
}

const NO_CANDIDATES = candidatesOf([])

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
      setState(request, newState(NO_CANDIDATES, true))
      return
    }
    const keysByAuth: Array<readonly KeyObject[]> = []
    for (const auth of plan.auths) keysByAuth.push(auth.kind === 'keys' ? auth.keys : await lookup.keys(auth, request, label))
    const candidates = candidatesOf(keysByAuth)
    // On a route that also serves unsigned steps, the step decides once it is known.
    if (candidates.keys.length === 0 && !plan.unsigned) throw new SecretNotFoundError(label)
    setState(request, newState(candidates, plan.unsigned))
  }
}

/**
 * Route-level preParsing hook: refuses a compressed body, and a missing or
 * malformed signature before the body is read (unless the route also serves
 * unsigned steps), and keeps the header's digest for the check.
 */
function readSignatureHook (plan: SignaturePlan): preParsingHookHandler {
  // Keys known at registration are flattened once; a secret function's, per request (onRequest).
  const known = plan.auths.every(auth => auth.kind === 'keys') ? candidatesOf(plan.auths.map(auth => auth.keys)) : undefined
  return function readHaptikSignature (request, _reply, _payload, done) {
    const expected = parseSignature(request.headers[SIGNATURE_HEADER])
    const problem = headerProblem(request, plan, expected)
    if (problem !== null) {
      done(problem)
      return
    }
    let state = stateOf(request)
    if (state === null) {
      state = newState(known as Candidates, plan.unsigned)
      setState(request, state)
    }
    if (typeof expected === 'string') state.problem = expected
    else state.expected = expected
    done()
  }
}

const UNSIGNED: SignatureState = Object.freeze({ candidates: NO_CANDIDATES, expected: null, problem: null, matched: NONE, authorized: -1, deferred: false })

/** preParsing hook of routes whose steps are all served unsigned (`allowUnsigned`). */
const markUnsignedHook: preParsingHookHandler = function markHaptikUnsigned (request, _reply, _payload, done) {
  if (!plainEncoding(request)) {
    done(new UnsupportedMediaTypeError(ENCODING_MESSAGE))
    return
  }
  setState(request, UNSIGNED)
  done()
}

/** Which candidate keys signed the exact bytes (none for a body-less request's empty ones), once per request. */
function matched (state: SignatureState, request: FastifyRequest): readonly number[] {
  state.matched ??= state.expected === null ? NONE : matchingKeys(state.expected, state.candidates.keys, request.rawBody ?? EMPTY)
  return state.matched
}

/**
 * The error to answer with when no candidate secret signed the body, or null.
 * Fails closed: a request no hook has seen is refused. On a route that also
 * serves unsigned steps, the verdict waits for `authorizeStep`.
 */
export function checkSignature (request: FastifyRequest): Error | null {
  const state = stateOf(request)
  if (state === null) return new MissingSignatureError()
  // A header problem was refused in preParsing unless the verdict is deferred.
  if (matched(state, request).length > 0 || state.deferred || state === UNSIGNED) return null
  return new InvalidSignatureError()
}

/**
 * On the dispatch route, once the step is known: whether the secret that
 * signed the body is one of that step's (index in `plan.auths`, or
 * 'unsigned' for a step served unsigned).
 */
export function authorizeStep (request: FastifyRequest, auth: number | 'unsigned'): Error | null {
  const state = stateOf(request) as SignatureState
  if (auth === 'unsigned') {
    // Whatever another step's secret signed (the shared state of all-unsigned routes is frozen, and says so already).
    if (state !== UNSIGNED) state.authorized = -1
    return null
  }
  state.authorized = auth
  if (matched(state, request).some(key => state.candidates.owners[key] === auth)) return null
  return state.problem === null ? new InvalidSignatureError() : signatureError(state.problem)
}

/**
 * Which configured secret signed the request: its position in the step's list
 * of secrets, or undefined when unsigned. Never the secret itself.
 */
export function matchedSecret (request: FastifyRequest): number | undefined {
  const state = stateOf(request) as SignatureState
  const { owners, positions } = state.candidates
  // The check has run: the call reached its handler, or its entities were looked at.
  for (const key of state.matched as readonly number[]) {
    if (owners[key] === state.authorized) return positions[key]
  }
  return undefined
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
    /** Where a step's secrets sit in the plan, for `authorizeStep`. */
    indexOf: (auth: StepAuth): number | 'unsigned' => auth.kind === 'unsigned' ? 'unsigned' : auths.indexOf(auth),
    /** The route options that install the hooks. */
    routeOptions: () => signed
      ? auths.some(auth => auth.kind === 'resolver')
        ? { onRequest: resolveSecretsHook(plan, label, lookup), preParsing: readSignatureHook(plan) }
        : { preParsing: readSignatureHook(plan) }
      : { preParsing: markUnsignedHook }
  }
}
