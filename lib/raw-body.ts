import type { Hmac, KeyObject } from 'node:crypto'
import type { FastifyRequest, onRequestHookHandler, preParsingHookHandler } from 'fastify'
import {
  InternalError, InvalidSignatureError, MalformedSignatureError, MissingSignatureError,
  SecretNotFoundError, UnsupportedMediaTypeError
} from './errors.js'
import type { StepAuth } from './secrets.js'
import { matchingDigests, parseSignature, SIGNATURE_HEADER, startDigests, toKeys, type SignatureProblem } from './signature.js'

const NONE: readonly number[] = Object.freeze([])

/** Per-request signature state, kept on the request under this symbol. */
export const kSignature = Symbol('fastify-haptik.signature')

type SignedAuth = Exclude<StepAuth, { kind: 'unsigned' }>

/**
 * How a route checks signatures: against the secrets of one step, or, on the
 * dispatch route, of every step it may dispatch to.
 */
export interface SignaturePlan {
  /** The distinct secrets configurations of the route's signed steps. */
  readonly auths: readonly SignedAuth[]
  /** Some step of the route accepts unsigned calls: a failed check waits until the step is known. */
  readonly unsigned: boolean
}

interface SignatureState {
  /** Candidate keys, and the index in `plan.auths` each belongs to. */
  keys: readonly KeyObject[]
  owners: readonly number[]
  expected: Buffer | null
  problem: SignatureProblem | null
  digests: Hmac[] | null
  /** Indexes in `plan.auths` whose secret signed the body; null until checked. */
  matched: readonly number[] | null
  /** Each candidate key's position in its auth's list of secrets (for logs: which secret matched). */
  positions: readonly number[]
  /** Indexes in `keys` of the keys that signed the body. */
  matchedKeys: readonly number[]
  /** On the dispatch route, the index in `plan.auths` of the chosen step's secrets (0 on a step route). */
  authorized: number
  /** The route also serves unsigned steps: a failed check waits until the step is known. */
  deferred: boolean
}

/** A request on the plugin's routes, which carry the signature state (kept out of Fastify's public types). */
type SignedRequest = FastifyRequest & { [kSignature]: SignatureState | null }

const stateOf = (request: FastifyRequest) => (request as SignedRequest)[kSignature]
const setState = (request: FastifyRequest, state: SignatureState) => { (request as SignedRequest)[kSignature] = state }

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

interface StaticKeys { keys: KeyObject[], owners: number[], positions: number[] }

/** Keys known at registration, flattened, with the auth each belongs to. */
function staticKeys (plan: SignaturePlan): StaticKeys | null {
  if (plan.auths.some(auth => auth.kind === 'resolver')) return null
  const keys: KeyObject[] = []
  const owners: number[] = []
  const positions: number[] = []
  plan.auths.forEach((auth, index) => {
    (auth as Extract<StepAuth, { kind: 'keys' }>).keys.forEach((key, position) => {
      keys.push(key)
      owners.push(index)
      positions.push(position)
    })
  })
  return { keys, owners, positions }
}

async function resolveKeys (auth: Extract<StepAuth, { kind: 'resolver' }>, request: FastifyRequest): Promise<readonly KeyObject[]> {
  let secrets
  try {
    secrets = await auth.resolve(request)
  } catch (error) {
    // Its message may name a tenant or a vault: logged, never sent.
    request.log.error({ err: error }, 'fastify-haptik: the secret function threw')
    throw new InternalError()
  }
  return secrets === undefined || secrets === null ? [] : toKeys(secrets)
}

/**
 * Route-level onRequest hook for routes with a secret function: resolves the
 * request's secret(s) before the body is read.
 */
function resolveSecretsHook (plan: SignaturePlan, label: string): onRequestHookHandler {
  return async function resolveHaptikSecrets (request: FastifyRequest) {
    const keys: KeyObject[] = []
    const owners: number[] = []
    const positions: number[] = []
    for (const [index, auth] of plan.auths.entries()) {
      const resolved = auth.kind === 'keys' ? auth.keys : await resolveKeys(auth, request)
      resolved.forEach((key, position) => {
        keys.push(key)
        owners.push(index)
        positions.push(position)
      })
    }
    // On a route that also serves unsigned steps, the step decides once it is known.
    if (keys.length === 0 && !plan.unsigned) throw new SecretNotFoundError(label)
    setState(request, { keys, owners, positions, expected: null, problem: null, digests: null, matched: null, matchedKeys: NONE, authorized: 0, deferred: plan.unsigned })
  }
}

/**
 * Route-level preParsing hook: refuses a missing or malformed signature before
 * reading the body (unless the route also serves unsigned steps), then feeds
 * every body chunk to one HMAC per candidate secret as it streams in, up to
 * `bodyLimit` bytes (Fastify enforces the limit; this only stops hashing what
 * will be refused anyway).
 */
function captureHook (plan: SignaturePlan, bodyLimit: number): preParsingHookHandler {
  const known = staticKeys(plan)
  // Callback style on purpose: done() must run synchronously so Fastify's own
  // body reader attaches to the stream before the first chunk flows.
  return function captureHaptikBody (request, _reply, payload, done) {
    if (!plainEncoding(request)) {
      done(new UnsupportedMediaTypeError(ENCODING_MESSAGE))
      return
    }
    const expected = parseSignature(request.headers[SIGNATURE_HEADER])
    if (typeof expected === 'string' && !plan.unsigned) {
      done(signatureError(expected))
      return
    }
    let state = stateOf(request)
    if (state === null) {
      const { keys, owners, positions } = known as StaticKeys
      state = { keys, owners, positions, expected: null, problem: null, digests: null, matched: null, matchedKeys: NONE, authorized: 0, deferred: plan.unsigned }
      setState(request, state)
    }
    if (typeof expected === 'string') {
      state.problem = expected
      done()
      return
    }
    const digests = startDigests(state.keys)
    state.expected = expected
    state.digests = digests

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

const UNSIGNED: SignatureState = Object.freeze({ keys: [], owners: [], positions: [], expected: null, problem: null, digests: null, matched: [], matchedKeys: [], authorized: 0, deferred: false })

/** preParsing hook of routes whose steps are all served unsigned (`allowUnsigned`). */
const markUnsignedHook: preParsingHookHandler = function markHaptikUnsigned (request, _reply, _payload, done) {
  if (!plainEncoding(request)) {
    done(new UnsupportedMediaTypeError(ENCODING_MESSAGE))
    return
  }
  setState(request, UNSIGNED)
  done()
}

/** Compares the streamed digests with the header, once, and records which secrets signed the body. */
function compareDigests (state: SignatureState): void {
  if (state.matched !== null) return
  const matched = state.digests === null ? NONE : matchingDigests(state.expected as Buffer, state.digests)
  state.matchedKeys = matched
  state.matched = matched.length === 0
    ? NONE
    : matched.length === 1 ? [state.owners[matched[0]]] : [...new Set(matched.map(index => state.owners[index]))]
}

/**
 * The error to answer with when no candidate secret signed the body, or null.
 * Fails closed: a request no hook has seen is refused. On a route that also
 * serves unsigned steps, the verdict waits for `authorizeStep`.
 */
export function checkSignature (request: FastifyRequest): Error | null {
  const state = stateOf(request)
  if (state === null) return new MissingSignatureError()
  if (state === UNSIGNED) return null
  compareDigests(state)
  // A header problem was refused in preParsing unless the verdict is deferred.
  if ((state.matched as readonly number[]).length > 0 || state.deferred) return null
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
    // No secret of the step signed it, whatever another step's did (the shared state of all-unsigned routes is frozen).
    if (state !== UNSIGNED) state.authorized = -1
    return null
  }
  state.authorized = auth
  if ((state.matched as readonly number[]).includes(auth)) return null
  return state.problem === null ? new InvalidSignatureError() : signatureError(state.problem)
}

/**
 * The signature hooks of a route serving these steps: one step, or all of
 * them on the dispatch route.
 */
export function signatureHooks (steps: ReadonlyArray<{ readonly auth: StepAuth }>, label: string) {
  const auths = [...new Set(steps.map(({ auth }) => auth))].filter((auth): auth is SignedAuth => auth.kind !== 'unsigned')
  const plan: SignaturePlan = { auths, unsigned: steps.some(({ auth }) => auth.kind === 'unsigned') }
  const signed = auths.length > 0
  return {
    signed,
    /** Where a step's secrets sit in the plan, for `authorizeStep`. */
    indexOf: (auth: StepAuth): number | 'unsigned' => auth.kind === 'unsigned' ? 'unsigned' : auths.indexOf(auth),
    /** The route options that install the hooks. */
    routeOptions: (bodyLimit: number) => signed
      ? auths.some(auth => auth.kind === 'resolver')
        ? { onRequest: resolveSecretsHook(plan, label), preParsing: captureHook(plan, bodyLimit) }
        : { preParsing: captureHook(plan, bodyLimit) }
      : { preParsing: markUnsignedHook }
  }
}

/**
 * Which configured secret signed the request: its position in the step's list
 * of secrets, or undefined when unsigned. Never the secret itself.
 */
export function matchedSecret (request: FastifyRequest): number | undefined {
  const state = stateOf(request) as SignatureState
  const key = state.matchedKeys.find(index => state.owners[index] === state.authorized)
  return key === undefined ? undefined : state.positions[key]
}
