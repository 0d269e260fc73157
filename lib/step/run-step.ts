import type { FastifyReply, FastifyRequest } from 'fastify'
import { Context, type StepRuntime } from './context.js'
import { CallState } from './conversation-state.js'
import { isJsonObject } from '../reply/json-values.js'
import type { Outcome } from '../telemetry.js'
import { readEntities } from './entities.js'
import type { HaptikEnvelope } from '../wire/request-schema.js'
import { InvalidEnvelopeError, StepMismatchError, StepTimeoutError } from '../errors.js'
import { isHandoff } from '../reply/handoff.js'
import { isLocalized } from '../reply/languages.js'
import { checkSignature, matchedSecret } from '../wire/signature-check.js'
import { messagesToWire, normalizeReply, type HaptikReply } from '../reply/normalize-reply.js'
import { checkReplyDetails } from '../reply/details.js'
import { checkChannelLimits, failureNote, failureReply, fallbackReply, reviewReply } from '../reply/failure-policy.js'
import { namedStep, stepKey } from '../wire/step-names.js'
import type { StepContext } from './define-step.js'
import type { ObjectSchema } from '../wire/schema-reading.js'
import type { ServedStep } from './served-step.js'
import { isStepFailure, type StepFailure } from '../reply/step-failure.js'
import { nonFiniteEnvelopeField, nonFiniteMessage } from './finite-numbers.js'
import { cap, isThenable, safeError } from '../untrusted.js'
import { Deadline, stepDeadlines } from '../deadlines.js'

function settle (step: ServedStep, context: Context, value: unknown): HaptikReply {
  const reply = checkReplyDetails(context.request, step.details, normalizeReply(value, step.name), step.name)
  reviewReply(step.replies, context, value, reply, step.name)
  context.call.outcome = isHandoff(value) ? 'handoff' : 'ok'
  return reply
}

/** The reply of a handler that threw StepFailure: its own messages on the failure path. */
function stepFailureReply (step: ServedStep, context: Context, failure: StepFailure): HaptikReply {
  const messages = failure.userMessages
  const reply = isLocalized(messages) ? failureReply(messages, context.language) : { status: false, response: messagesToWire(messages, step.name) }
  checkChannelLimits(step.replies, context, reply.response, step.name)
  context.call.outcome = 'failure'
  return reply
}

/**
 * What a thrown (or rejected) value answers. Total: the value may be
 * anything, hostile included, and reading it must not throw.
 */
function fail (step: ServedStep, context: Context, thrown: unknown): HaptikReply {
  try {
    if (isHandoff(thrown)) return settle(step, context, thrown)
    if (isStepFailure(thrown)) return stepFailureReply(step, context, thrown)
  } catch (error) {
    // The hand-over's or StepFailure's own contents broke a rule, or could not be read.
    thrown = error
  }
  const error = safeError(thrown, 'the handler')
  const storeOutcome = STORE_OUTCOMES[(error as { code?: string }).code as string]
  context.call.outcome = storeOutcome ?? 'fallback'
  context.call.error = error
  // The store down, slow or raced: the bot carries on, and the log says why, at warn.
  if (storeOutcome === undefined) context.log.error({ err: error }, `step failed; ${failureNote(step.replies)}`)
  else context.log.warn({ err: error }, `step's state not saved; ${failureNote(step.replies)}`)
  return fallbackReply(step.replies, step.fallbackMessage, context.language)
}

const STORE_OUTCOMES: Readonly<Record<string, Outcome>> = { FST_HAPTIK_STORE_UNAVAILABLE: 'store-error', FST_HAPTIK_STATE_CONFLICT: 'state-conflict' }

/** The answer of a call past its deadline: the fallback, the handler's signal aborted, and a log line. */
function timedOut (step: ServedStep, context: Context): HaptikReply {
  const error = new StepTimeoutError(step.name, step.timeout)
  context.abort(error)
  context.call.outcome = 'timeout'
  context.call.error = error
  context.log.error({ err: error }, `step timed out; ${failureNote(step.replies)}`)
  return fallbackReply(step.replies, step.fallbackMessage, context.language)
}

/** A call's reply, once it is known: its log line, span, metrics and end message. */
function complete (step: ServedStep, context: Context, reply: HaptikReply): HaptikReply {
  // Once close() is called, a keep-alive client would hold it until Fastify's keepAliveTimeout.
  if (context.runtime.closing) context.reply.header('connection', 'close')
  context.runtime.telemetry.end(context.call, reply.response.length, matchedSecret(context.request))
  return reply
}

function settleOrFail (step: ServedStep, context: Context, value: unknown): HaptikReply {
  try {
    return settle(step, context, value)
  } catch (error) {
    return fail(step, context, error)
  }
}

/**
 * Sends the reply of a call that ends after its handler returned: the route
 * handler returned nothing, so Fastify awaits no promise of ours (one promise
 * and one turn of the microtask queue less per call). What throws while the
 * reply is made (an app's tracer, say) is answered as an error, never thrown
 * from a callback where it would crash the process.
 */
function sendLater (context: Context, make: () => HaptikReply): void {
  let reply: HaptikReply
  try {
    reply = make()
  } catch (error) {
    context.reply.send(error)
    return
  }
  context.reply.send(reply)
}

/** An async handler's call, waiting for its answer until the step's deadline. */
class PendingCall extends Deadline {
  constructor (readonly step: ServedStep, readonly context: Context) {
    super()
  }

  /** The deadline passed: the fallback now; the handler's answer, when it comes, is discarded. */
  expire (): void {
    sendLater(this.context, () => complete(this.step, this.context, timedOut(this.step, this.context)))
  }
}

/**
 * Waits for an async handler until the step's deadline, then sends the
 * reply; a late answer is discarded. The deadline is one of the process's
 * shared timer lists (deadlines.ts), not a timer of its own.
 */
function withDeadline (step: ServedStep, context: Context, pending: PromiseLike<unknown>): undefined {
  const call = new PendingCall(step, context)
  stepDeadlines.start(call, step.timeout)
  // Promise.resolve: a hand-made thenable may throw in `then`, or call back twice.
  Promise.resolve(pending).then(value => {
    if (stepDeadlines.stop(call)) sendLater(context, () => complete(step, context, settleOrFail(step, context, value)))
    else context.log.warn('step finished after its deadline; its reply was discarded')
  }, error => {
    if (stepDeadlines.stop(call)) sendLater(context, () => complete(step, context, fail(step, context, error)))
    else context.log.warn({ err: safeError(error, 'the handler') }, 'step failed after its deadline')
  })
  return undefined
}

/**
 * Runs the user's handler. Always ends in a reply: failures and late answers
 * become `{status: false}` with the fallback. A handler that answers
 * synchronously is answered at once (returned to Fastify), without a timer or
 * a promise; an async one's reply is sent when it comes (undefined is returned).
 */
function run (step: ServedStep, context: Context): HaptikReply | undefined {
  let result: unknown
  let pending: boolean
  try {
    result = context.runtime.telemetry.within(context.call, step.handler, context as unknown as StepContext<ObjectSchema, never, never>)
    pending = isThenable(result)
  } catch (error) {
    return complete(step, context, fail(step, context, error))
  }
  return pending ? withDeadline(step, context, result as PromiseLike<unknown>) : complete(step, context, settleOrFail(step, context, result))
}

/** A stateful call, waiting for its store and handler until the step's deadline. */
class StatefulCall extends Deadline {
  /** The deadline passed before the call's answer was known. */
  late = false
  /** ...while its state was being written: the write's outcome answers, within storeTimeout. */
  deferred = false
  /** ...while its store was being read: the answer's log line said so. */
  storeSlow = false
  constructor (readonly step: ServedStep, readonly context: Context, readonly state: CallState) {
    super()
  }

  expire (): void {
    const { step, context, state } = this
    this.late = true
    if (state.writing) {
      this.deferred = true
      return
    }
    // Past the deadline while the store was still answering: the store's failure, not the handler's.
    const slow = state.slowStore(step.timeout)
    this.storeSlow = slow !== undefined
    if (slow !== undefined) context.abort(slow)
    sendLater(context, () => complete(step, context, slow === undefined ? timedOut(step, context) : fail(step, context, slow)))
  }
}

/**
 * Runs a step that keeps state: its states are read, the handler runs on
 * them, and what it returns as `state` and `userState` is written, only on
 * `status: true` and before the answer goes out, compare-and-set. All of it
 * under the step's deadline, each store operation under `storeTimeout`: a
 * store that is down or slow takes the failure path in time. A write under
 * way at the deadline is waited for (it ends within storeTimeout), so that
 * the answer says whether it was saved. The reply is sent when it comes.
 */
function runWithState (step: ServedStep, context: Context): undefined {
  const { telemetry, state: settings } = context.runtime
  const state = new CallState(step.name, step.stateRules, settings, context.request, (operation, run) => telemetry.storeOperation(context.call, settings.store.kind, operation, run))
  const call = new StatefulCall(step, context, state)
  stepDeadlines.start(call, step.timeout)
  callWithState(call).then(reply => {
    if (stepDeadlines.stop(call) || call.deferred) sendLater(context, () => complete(step, context, reply))
    else if (!call.storeSlow) context.log.warn('step finished after its deadline; its reply was discarded and its state not saved')
  })
  return undefined
}

/** Reads the states, runs the handler, saves what it returned; any failure is the failure path (never rejects). */
async function callWithState (call: StatefulCall): Promise<HaptikReply> {
  const { step, context, state } = call
  try {
    // A store that answers at once (memoryStore) is not waited for: no turn of the microtask queue.
    const loading = state.load()
    if (loading !== undefined) await loading
    let reply = await runAndSave(call)
    // Another call of the conversation changed the state first, and nothing was written: run once more on it, or take the failure path.
    if (reply === undefined && step.repeatable && !state.written) {
      const reloading = state.load()
      if (reloading !== undefined) await reloading
      reply = await runAndSave(call)
    }
    if (reply === undefined) throw state.conflict()
    return reply
  } catch (error) {
    // Answered already: the answer's log line said why; a failure that comes after it is not logged again.
    if (call.late && !call.deferred) return fallbackReply(step.replies, step.fallbackMessage, context.language)
    return fail(step, context, error)
  }
}

/** One run of the handler on the loaded states; undefined when its state lost the race to another call. */
async function runAndSave (call: StatefulCall): Promise<HaptikReply | undefined> {
  const { step, context, state } = call
  // Past the deadline (the store was slow, or a rerun's turn came too late): the handler does not run late.
  if (call.late) return undefined
  context.state = state.value('state')
  context.userState = state.value('userState')
  const value: unknown = await context.runtime.telemetry.within(context.call, step.handler, context as unknown as StepContext<ObjectSchema, never, never>)
  const reply = settle(step, context, value)
  // Only a call that succeeds changes the state; a late one is answered already.
  if (!reply.status || !isJsonObject(value) || call.late) return reply
  const saved = state.save(value)
  return (isThenable(saved) ? await saved : saved) ? reply : undefined
}

/**
 * Reads the entities of a validated request and runs the step's handler on
 * them. Checks the signature once more (memoized, so nearly free): nothing
 * unverified runs a handler, whatever validator the app configured.
 */
export function runStep (step: ServedStep, runtime: StepRuntime, request: FastifyRequest, reply: FastifyReply): HaptikReply | undefined {
  const unverified = checkSignature(request)
  if (unverified !== null) throw unverified
  const envelope = request.body as HaptikEnvelope
  const nonFinite = nonFiniteEnvelopeField(envelope)
  if (nonFinite !== undefined) throw new InvalidEnvelopeError(step.label, nonFiniteMessage(nonFinite).trimStart())
  const entities = readEntities(step.name, step.readers, envelope.entities)
  const call = runtime.telemetry.start(step.name, step.environment, request)
  const context = new Context(request, reply, step.name, step.environment, envelope, entities, call, runtime)
  return step.stateful ? runWithState(step, context) : run(step, context)
}

/** The user's language code in a body that may not be a valid request. */
function languageOf (body: unknown): string | undefined {
  const language = (body as { user?: { language_code?: unknown } }).user?.language_code
  return typeof language === 'string' ? language : undefined
}

/**
 * The answer to a signed call whose entities do not match the step: the
 * user's input, not a broken integration. The failure path with the step's
 * invalid-entity message, a warning that says what did not match (never the
 * value), and the call observed with the outcome `invalid-entity`.
 */
export function answerInvalidEntity (step: ServedStep, runtime: StepRuntime, request: FastifyRequest, error: Error & { code: string }): HaptikReply {
  const call = runtime.telemetry.start(step.name, step.environment, request)
  call.outcome = 'invalid-entity'
  request.log.warn({ step: step.name, code: error.code }, error.message)
  const reply = failureReply(step.invalidEntityMessage, languageOf(request.body))
  runtime.telemetry.end(call, reply.response.length, matchedSecret(request))
  return reply
}

/**
 * The error a body naming another step than the route's gets, or null. A
 * body naming no step is the route's.
 */
export function stepMismatch (step: { name: string, key: string }, body: unknown): Error | null {
  const called = namedStep(body)
  return called === undefined || called === step.name || stepKey(called) === step.key ? null : new StepMismatchError(step.name, cap(called))
}
