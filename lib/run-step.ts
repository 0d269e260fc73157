import type { TSchema } from '@sinclair/typebox'
import type { FastifyReply, FastifyRequest, RouteHandlerMethod } from 'fastify'
import { Context } from './context.js'
import { entityReaders, readEntities, type EntityReader } from './entities.js'
import { EnvelopeSchema, ReplySchema, type HaptikEnvelope } from './envelope.js'
import { StepMismatchError, StepTimeoutError } from './errors.js'
import { isHandoff } from './handoff.js'
import { isLocalized, pickText, type UserText } from './language.js'
import type { ResolvedStep } from './options.js'
import { checkSignature } from './raw-body.js'
import { messagesToWire, normalizeReply, type HaptikReply } from './reply.js'
import { checkReplyDetails, type DetailsRules } from './reply-checks.js'
import { checkChannelLimits, failureNote, fallbackReply, reviewReply, type ReplyPolicy } from './reply-policy.js'
import { namedStep, stepKey } from './route-step.js'
import type { InvalidEntities, StepContext, StepHandler } from './step.js'
import { StepFailure } from './step-failure.js'

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
}

function failure (messages: string[]): HaptikReply {
  return { status: false, response: messages }
}

/** The failure-path reply with one of the step's texts, in the user's language. */
export function failureReply (text: UserText, language: string | undefined): HaptikReply {
  return failure([pickText(text, language)])
}

function describeThrown (value: unknown): Error {
  return value instanceof Error ? value : new Error(`the handler threw a non-Error value (${value === null ? 'null' : typeof value})`)
}

/** Compiles a resolved step's readers and rules, once, at registration. */
function compileStep ({ step, timeout, fallbackMessage, invalidEntities, invalidEntityMessage, environment, detailsLimit, replies }: ResolvedStep): CompiledStep {
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
    replies
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
export function prepareStep (resolved: ResolvedStep): PreparedStep {
  return {
    resolved,
    compiled: compileStep(resolved),
    bodySchema: EnvelopeSchema(resolved.step.entities),
    replySchema: ReplySchema(resolved.step.conversationDetails, resolved.step.userDetails)
  }
}

function settle (compiled: CompiledStep, context: Context, value: unknown): HaptikReply {
  const reply = checkReplyDetails(context.request, compiled.details, normalizeReply(value, compiled.name), compiled.name)
  reviewReply(compiled.replies, context, value, reply, compiled.name)
  return reply
}

function fail (compiled: CompiledStep, context: Context, thrown: unknown): HaptikReply {
  if (isHandoff(thrown)) return settleOrFail(compiled, context, thrown)
  if (thrown instanceof StepFailure) {
    context.log.info('step failed on purpose; answering on the failure path')
    const messages = thrown.userMessages
    if (isLocalized(messages)) return failureReply(messages, context.language)
    try {
      const reply = failure(messagesToWire(messages, compiled.name))
      checkChannelLimits(compiled.replies, context, reply.response, compiled.name)
      return reply
    } catch (error) {
      return fail(compiled, context, error)
    }
  }
  context.log.error({ err: describeThrown(thrown) }, `step failed; ${failureNote(compiled.replies)}`)
  return fallbackReply(compiled.replies, compiled.fallbackMessage, context.language)
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
      context.log.error({ err: error }, `step timed out; ${failureNote(compiled.replies)}`)
      resolve(fallbackReply(compiled.replies, compiled.fallbackMessage, context.language))
    }, compiled.timeout)

    pending.then(value => {
      clearTimeout(timer)
      if (late) context.log.warn('step finished after its deadline; its reply was discarded')
      else resolve(settleOrFail(compiled, context, value))
    }, error => {
      clearTimeout(timer)
      if (late) context.log.warn({ err: describeThrown(error) }, 'step failed after its deadline')
      else resolve(fail(compiled, context, error))
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
  try {
    result = compiled.handler(context as unknown as StepContext)
  } catch (error) {
    return fail(compiled, context, error)
  }
  return isThenable(result) ? withDeadline(compiled, context, result) : settleOrFail(compiled, context, result)
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
  const entities = readEntities(compiled.name, compiled.readers, envelope.entities)
  return run(compiled, new Context(request, reply, compiled.name, compiled.environment, envelope, entities))
}

/**
 * The error a body naming another step than the route's gets, or null. A
 * body naming no step is the route's.
 */
export function stepMismatch (compiled: { name: string, key: string }, body: unknown): Error | null {
  const called = namedStep(body)
  return called === undefined || stepKey(called) === compiled.key ? null : new StepMismatchError(compiled.name, called.slice(0, 64))
}

/** The route handler of one step: checks the body names this step, then runs it. */
export function stepRouteHandler (compiled: CompiledStep): RouteHandlerMethod {
  return function handleHaptikStep (request, reply) {
    const mismatch = stepMismatch(compiled, request.body)
    if (mismatch !== null) throw mismatch
    return runStep(compiled, request, reply)
  }
}
