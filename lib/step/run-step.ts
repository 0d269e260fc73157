import type { TSchema } from '@sinclair/typebox'
import type { FastifyReply, FastifyRequest, RouteHandlerMethod } from 'fastify'
import { Context } from './context.js'
import { entityReaders, readEntities, type EntityReader } from './entities.js'
import { EnvelopeSchema, nonFiniteEnvelopeField, ReplySchema, type HaptikEnvelope } from '../wire/request-schema.js'
import { cap, InvalidEnvelopeError, safeError, StepMismatchError, StepTimeoutError } from '../errors.js'
import { isHandoff } from '../reply/handoff.js'
import { isLocalized, type UserText } from '../reply/languages.js'
import type { ResolvedStep } from '../options.js'
import { checkSignature, matchedSecret } from '../wire/signature-check.js'
import { messagesToWire, normalizeReply, type HaptikReply } from '../reply/normalize-reply.js'
import { checkReplyDetails, type DetailsRules } from '../reply/details.js'
import { checkChannelLimits, failureNote, failureReply, fallbackReply, reviewReply, type ReplyPolicy } from '../reply/failure-policy.js'
import { namedStep, stepKey } from '../wire/step-names.js'
import type { InvalidEntities, StepContext, StepHandler } from './define-step.js'
import { isStepFailure, type StepFailure } from '../reply/step-failure.js'
import { nonFiniteMessage } from './finite-numbers.js'
import type { Telemetry } from '../telemetry.js'

/** A step with everything the request path needs computed once. */
export interface CompiledStep {
  readonly name: string
  /** The name as requests are matched to it (`stepKey`). */
  readonly key: string
  readonly environment: string | undefined
  readonly handler: StepHandler
  readonly readers: readonly EntityReader[]
  readonly timeout: number
  readonly fallbackMessage: UserText
  readonly invalidEntities: InvalidEntities
  readonly invalidEntityMessage: UserText
  readonly details: DetailsRules
  /** Channels, channel limits and what failures answer. */
  readonly replies: ReplyPolicy
  readonly telemetry: Telemetry
  readonly lifecycle: Lifecycle
}

/** Whether the plugin's registration is closing (its server's close() was called). */
export interface Lifecycle {
  closing: boolean
}

/** Compiles a resolved step's readers and rules, once, at registration. */
function compileStep ({ step, timeout, fallbackMessage, invalidEntities, invalidEntityMessage, environment, detailsLimit, replies }: ResolvedStep, telemetry: Telemetry, lifecycle: Lifecycle): CompiledStep {
  return {
    name: step.name,
    key: stepKey(step.name),
    environment,
    handler: step.handler as StepHandler,
    readers: entityReaders(step.entities),
    timeout,
    fallbackMessage,
    invalidEntities,
    invalidEntityMessage,
    details: {
      conversationDetails: step.conversationDetails,
      userDetails: step.userDetails,
      detailsLimit
    },
    replies,
    telemetry,
    lifecycle
  }
}

/** A step ready to serve: its settings, its compiled runtime and its body and reply schemas. */
export interface PreparedStep {
  readonly resolved: ResolvedStep
  readonly compiled: CompiledStep
  readonly bodySchema: TSchema
  readonly replySchema: TSchema
}

/** Everything a step's routes (its own and the dispatch route) need, made once. */
export function prepareStep (resolved: ResolvedStep, telemetry: Telemetry, lifecycle: Lifecycle): PreparedStep {
  return {
    resolved,
    compiled: compileStep(resolved, telemetry, lifecycle),
    bodySchema: EnvelopeSchema(resolved.step.entities),
    replySchema: ReplySchema(resolved.step.conversationDetails, resolved.step.userDetails)
  }
}

function settle (compiled: CompiledStep, context: Context, value: unknown): HaptikReply {
  const reply = checkReplyDetails(context.request, compiled.details, normalizeReply(value, compiled.name), compiled.name)
  reviewReply(compiled.replies, context, value, reply, compiled.name)
  context.call.outcome = isHandoff(value) ? 'handoff' : 'ok'
  return reply
}

/** The reply of a handler that threw StepFailure: its own messages on the failure path. */
function stepFailureReply (compiled: CompiledStep, context: Context, failure: StepFailure): HaptikReply {
  const messages = failure.userMessages
  const reply = isLocalized(messages) ? failureReply(messages, context.language) : { status: false, response: messagesToWire(messages, compiled.name) }
  checkChannelLimits(compiled.replies, context, reply.response, compiled.name)
  context.call.outcome = 'failure'
  return reply
}

/**
 * What a thrown (or rejected) value answers. Total: the value may be
 * anything, hostile included, and reading it must not throw.
 */
function fail (compiled: CompiledStep, context: Context, thrown: unknown): HaptikReply {
  try {
    if (isHandoff(thrown)) return settle(compiled, context, thrown)
    if (isStepFailure(thrown)) return stepFailureReply(compiled, context, thrown)
  } catch (error) {
    // The hand-over's or StepFailure's own contents broke a rule, or could not be read.
    thrown = error
  }
  const error = safeError(thrown, 'the handler')
  context.call.outcome = 'fallback'
  context.call.error = error
  context.log.error({ err: error }, `step failed; ${failureNote(compiled.replies)}`)
  return fallbackReply(compiled.replies, compiled.fallbackMessage, context.language)
}

/** A call's reply, once it is known: its log line, span, metrics and end message. */
function complete (compiled: CompiledStep, context: Context, reply: HaptikReply): HaptikReply {
  // Once close() is called, a keep-alive client would hold it until Fastify's keepAliveTimeout.
  if (compiled.lifecycle.closing) context.reply.header('connection', 'close')
  compiled.telemetry.end(context.call, reply.response.length, matchedSecret(context.request))
  return reply
}

function settleOrFail (compiled: CompiledStep, context: Context, value: unknown): HaptikReply {
  try {
    return settle(compiled, context, value)
  } catch (error) {
    return fail(compiled, context, error)
  }
}

function isThenable (value: unknown): value is PromiseLike<unknown> {
  return typeof value === 'object' && value !== null && typeof (value as PromiseLike<unknown>).then === 'function'
}

/** Waits for an async handler until the step's deadline; a late answer is discarded. */
function withDeadline (compiled: CompiledStep, context: Context, pending: PromiseLike<unknown>): Promise<HaptikReply> {
  return new Promise(resolve => {
    let late = false
    const timer = setTimeout(() => {
      late = true
      const error = new StepTimeoutError(compiled.name, compiled.timeout)
      context.abort(error)
      context.call.outcome = 'timeout'
      context.call.error = error
      context.log.error({ err: error }, `step timed out; ${failureNote(compiled.replies)}`)
      resolve(complete(compiled, context, fallbackReply(compiled.replies, compiled.fallbackMessage, context.language)))
    }, compiled.timeout)

    // Promise.resolve: a hand-made thenable may throw in `then`, or call back twice.
    Promise.resolve(pending).then(value => {
      clearTimeout(timer)
      if (late) context.log.warn('step finished after its deadline; its reply was discarded')
      else resolve(complete(compiled, context, settleOrFail(compiled, context, value)))
    }, error => {
      clearTimeout(timer)
      if (late) context.log.warn({ err: safeError(error, 'the handler') }, 'step failed after its deadline')
      else resolve(complete(compiled, context, fail(compiled, context, error)))
    })
  })
}

/**
 * Runs the user's handler. Always ends in a reply: failures and late answers
 * become `{status: false}` with the fallback. A handler that answers
 * synchronously is answered at once, without a timer or a promise.
 */
function run (compiled: CompiledStep, context: Context): HaptikReply | Promise<HaptikReply> {
  let result: unknown
  let pending: boolean
  try {
    result = compiled.telemetry.within(context.call, compiled.handler, context as unknown as StepContext)
    pending = isThenable(result)
  } catch (error) {
    return complete(compiled, context, fail(compiled, context, error))
  }
  return pending ? withDeadline(compiled, context, result as PromiseLike<unknown>) : complete(compiled, context, settleOrFail(compiled, context, result))
}

/**
 * Reads the entities of a validated request and runs the step's handler on
 * them. Checks the signature once more (memoized, so nearly free): nothing
 * unverified runs a handler, whatever validator the app configured.
 */
export function runStep (compiled: CompiledStep, request: FastifyRequest, reply: FastifyReply): HaptikReply | Promise<HaptikReply> {
  const unverified = checkSignature(request)
  if (unverified !== null) throw unverified
  const envelope = request.body as HaptikEnvelope
  const nonFinite = nonFiniteEnvelopeField(envelope)
  if (nonFinite !== undefined) throw new InvalidEnvelopeError(`Step "${compiled.name}"`, nonFiniteMessage(nonFinite).trimStart())
  const entities = readEntities(compiled.name, compiled.readers, envelope.entities)
  const call = compiled.telemetry.start(compiled.name, compiled.environment, request)
  return run(compiled, new Context(request, reply, compiled.name, compiled.environment, envelope, entities, call))
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
export function answerInvalidEntity (compiled: CompiledStep, request: FastifyRequest, error: Error & { code: string }): HaptikReply {
  const call = compiled.telemetry.start(compiled.name, compiled.environment, request)
  call.outcome = 'invalid-entity'
  request.log.warn({ step: compiled.name, code: error.code }, error.message)
  const reply = failureReply(compiled.invalidEntityMessage, languageOf(request.body))
  compiled.telemetry.end(call, reply.response.length, matchedSecret(request))
  return reply
}

/**
 * The error a body naming another step than the route's gets, or null. A
 * body naming no step is the route's.
 */
export function stepMismatch (compiled: { name: string, key: string }, body: unknown): Error | null {
  const called = namedStep(body)
  return called === undefined || called === compiled.name || stepKey(called) === compiled.key ? null : new StepMismatchError(compiled.name, cap(called))
}

/** The route handler of one step: checks the body names this step, then runs it. */
export function stepRouteHandler (compiled: CompiledStep): RouteHandlerMethod {
  return function handleHaptikStep (request, reply) {
    const mismatch = stepMismatch(compiled, request.body)
    if (mismatch !== null) throw mismatch
    return runStep(compiled, request, reply)
  }
}
