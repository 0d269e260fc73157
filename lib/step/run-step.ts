import type { FastifyReply, FastifyRequest } from 'fastify'
import { Context, type StepRuntime } from './context.js'
import { Deadline, deadlines } from '../deadlines.js'
import { CallState } from './conversation-state.js'
import { isJsonObject } from '../json-values.js'
import type { Outcome } from '../telemetry.js'
import { readEntities } from './entities.js'
import type { HaptikEnvelope } from '../wire/request-schema.js'
import { StepTimeoutError } from '../errors.js'
import { isHandoff } from '../reply/handoff.js'
import { isLocalized } from '../reply/languages.js'
import { matchedSecret } from '../wire/signature-check.js'
import { messagesToWire, normalizeReply, type HaptikReply } from '../reply/normalize-reply.js'
import { checkReplyDetails } from '../reply/details.js'
import { checkChannelLimits, failureNote, failureReply, fallbackReply, reviewReply } from '../reply/failure-policy.js'
import type { StepContext } from './define-step.js'
import type { ObjectSchema } from '../schema-reading.js'
import type { ServedStep } from './served-step.js'
import { isStepFailure, type StepFailure } from '../reply/step-failure.js'
import { isThenable, safeError } from '../untrusted.js'

function settle (step: ServedStep, context: Context, value: unknown): HaptikReply {
  const reply = checkReplyDetails(context.request, step.details, normalizeReply(value, step.name), step.name)
  reviewReply(step.replies, context, value, reply, step.name)
  context.call.outcome = isHandoff(value) ? 'handoff' : 'ok'
  return reply
}

function stepFailureReply (step: ServedStep, context: Context, failure: StepFailure): HaptikReply {
  const messages = failure.userMessages
  const reply = isLocalized(messages) ? failureReply(messages, context.language) : { status: false, response: messagesToWire(messages, step.name) }
  checkChannelLimits(step.replies, context, reply.response, step.name)
  context.call.outcome = 'failure'
  return reply
}

/** What a thrown value answers; it may be hostile, and reading it must not throw. */
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

function timedOut (step: ServedStep, context: Context): HaptikReply {
  const error = new StepTimeoutError(step.name, step.timeout)
  context.abort(error)
  context.call.outcome = 'timeout'
  context.call.error = error
  context.log.error({ err: error }, `step timed out; ${failureNote(step.replies)}`)
  return fallbackReply(step.replies, step.fallbackMessage, context.language)
}

function complete (step: ServedStep, context: Context, reply: HaptikReply): HaptikReply {
  // Once close() is called, a keep-alive client would hold it until Fastify's keepAliveTimeout.
  if (context.runtime.closing) context.reply.header('connection', 'close')
  context.runtime.telemetry.end(context.call, reply.response.length, matchedSecret(context.request))
  return reply
}

/** The route handler returned nothing: what throws while the reply is made is answered, not thrown from a callback. */
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

const kLate = Symbol('fastify-haptik.late')

/** One call: states read, handler run, states written, under one deadline; what answers at once needs no timer. */
class StepCall extends Deadline {
  #reply: HaptikReply | undefined
  #started = false
  // Past the deadline before the answer was known: while a write was under way (its outcome answers),
  // while the store was read, or then the handler failed (logged).
  #late = false
  #deferred = false
  #storeSlow = false
  #failedLate = false
  #reruns = 0

  constructor (readonly step: ServedStep, readonly context: Context, readonly state: CallState | undefined) {
    super()
  }

  /** The reply when it is known at once; else undefined, and the reply is sent when it comes. */
  start (): HaptikReply | undefined {
    this.#guard(() => { this.#then(this.state?.load(), () => { this.#run() }) })
    this.#started = true
    if (this.#reply !== undefined) return complete(this.step, this.context, this.#reply)
    deadlines.start(this, this.step.timeout)
    return undefined
  }

  #then<T> (value: T | PromiseLike<T>, next: (value: T) => void): void {
    // Promise.resolve: a hand-made thenable may throw in `then`, or call back twice.
    if (isThenable(value)) Promise.resolve(value).then(settled => { this.#guard(() => { next(settled) }) }, error => { this.#answer(this.#failed(error)) })
    else next(value as T)
  }

  #guard (run: () => void): void {
    try {
      run()
    } catch (error) {
      this.#answer(this.#failed(error))
    }
  }

  #answer (reply: HaptikReply): void {
    if (!this.#started) {
      this.#reply = reply
    } else if (!this.#late || this.#deferred) {
      deadlines.stop(this)
      sendLater(this.context, () => complete(this.step, this.context, reply))
    } else if (!this.#storeSlow && !this.#failedLate) {
      this.context.log.warn(`step finished after its deadline; its reply was discarded${this.state === undefined ? '' : ' and its state not saved'}`)
    }
  }

  /** A write under way decides the answer (it ends within storeTimeout: a fallback means nothing was saved). */
  expire (): void {
    const { step, context, state } = this
    this.#late = true
    if (state?.writing === true) {
      this.#deferred = true
      return
    }
    // Past the deadline while the store was still answering: the store's failure, not the handler's.
    const slow = state?.slowStore(step.timeout)
    this.#storeSlow = slow !== undefined
    if (slow !== undefined) context.abort(slow)
    sendLater(context, () => complete(step, context, slow === undefined ? timedOut(step, context) : fail(step, context, slow)))
  }

  #run (): void {
    const { step, context, state } = this
    // Past the deadline (the store was slow, or a rerun's turn came too late): the handler does not run late.
    if (this.#late) throw kLate
    if (state !== undefined) {
      context.state = state.value('state')
      context.userState = state.value('userState')
    }
    const value: unknown = context.runtime.telemetry.within(context.call, step.handler, context as unknown as StepContext<ObjectSchema, never, never>)
    this.#then(value, value => {
      const reply = settle(step, context, value)
      // Only a call that succeeds changes the state; a late one is answered already.
      if (state === undefined || !reply.status || !isJsonObject(value) || this.#late) {
        this.#answer(reply)
        return
      }
      this.#then(state.save(value), saved => {
        if (saved) {
          this.#answer(reply)
          return
        }
        // Another call of the conversation changed the state first, and nothing was written: run once more on it, if there is time.
        if (!step.repeatable || state.written || this.#late || this.#reruns++ > 0) throw state.conflict()
        this.#then(state.load(), () => { this.#run() })
      })
    })
  }

  #failed (error: unknown): HaptikReply {
    const { step, context } = this
    if (!this.#late || this.#deferred) return fail(step, context, error)
    // Answered already, and that answer's log line said why: only a handler that failed late adds one.
    if (!this.#storeSlow) {
      this.#failedLate = true
      context.log.warn({ err: safeError(error, 'the handler') }, 'step failed after its deadline')
    }
    return fallbackReply(step.replies, step.fallbackMessage, context.language)
  }
}

/** Runs a call that passed its admission (admission.ts): its reply, or undefined when it is sent later. */
export function runStep (step: ServedStep, runtime: StepRuntime, request: FastifyRequest, reply: FastifyReply): HaptikReply | undefined {
  const envelope = request.body as HaptikEnvelope
  const entities = readEntities(step.name, step.readers, envelope.entities)
  const call = runtime.telemetry.start(step.name, step.environment, request)
  const context = new Context(request, reply, step.name, step.environment, envelope, entities, call, runtime)
  const state = step.stateful ? new CallState(step.name, step.stateRules, runtime.state, request, (operation, run) => runtime.telemetry.storeOperation(call, runtime.state.store.kind, operation, run)) : undefined
  return new StepCall(step, context, state).start()
}
