import { TypeCompiler, type TypeCheck, type ValueError } from '@sinclair/typebox/compiler'
import type { TSchema } from '@sinclair/typebox'
import type { FastifyBaseLogger, FastifyReply, FastifyRequest, RouteHandlerMethod } from 'fastify'
import { entityReaders, readEntities, type EntityReader } from './entities.js'
import type { HaptikEnvelope, HaptikUser } from './envelope.js'
import { describeType } from './describe-schema.js'
import { DetailsTooLargeError, InvalidReplyError, StepFailure, StepMismatchError, StepTimeoutError } from './errors.js'
import type { ResolvedStep } from './options.js'
import { normalizeReply, type HaptikReply } from './reply.js'
import type { StepContext, StepHandler } from './step.js'

/** A step with everything the request path needs computed once. */
export interface CompiledStep {
  readonly name: string
  readonly environment: string | undefined
  readonly detailsLimit: ResolvedStep['detailsLimit']
  readonly handler: StepHandler
  readonly readers: readonly EntityReader[]
  readonly timeout: number
  readonly fallback: HaptikReply
  readonly conversationDetails: TypeCheck<TSchema>
  readonly userDetails: TypeCheck<TSchema>
}

const NO_USER: HaptikUser = Object.freeze({})

class Context implements StepContext {
  #log: FastifyBaseLogger | undefined
  #controller: AbortController | undefined

  constructor (
    readonly request: FastifyRequest,
    readonly reply: FastifyReply,
    readonly step: string,
    readonly environment: string | undefined,
    readonly envelope: HaptikEnvelope,
    readonly entities: Record<string, unknown>
  ) {}

  get user (): HaptikUser { return this.envelope.user ?? NO_USER }
  get conversationNo (): number | undefined { return this.envelope.conversation_no }
  get conversationDetails (): Record<string, unknown> { return this.envelope.conversation_details ?? {} }
  get userDetails (): Record<string, unknown> { return this.envelope.user_details ?? {} }
  get env (): Record<string, string> { return this.envelope.env_variables ?? {} }

  // Created on first use: most handlers never touch them, and both cost per request.
  get log (): FastifyBaseLogger {
    this.#log ??= this.request.log.child({ step: this.step })
    return this.#log
  }

  get signal (): AbortSignal {
    this.#controller ??= new AbortController()
    return this.#controller.signal
  }

  abort (reason: Error): void {
    this.#controller?.abort(reason)
  }
}

function failure (messages: string[]): HaptikReply {
  return { status: false, response: messages }
}

function describeThrown (value: unknown): Error {
  return value instanceof Error ? value : new Error(`the handler threw a non-Error value (${value === null ? 'null' : typeof value})`)
}

function checkDetails (check: TypeCheck<TSchema>, value: unknown, field: string, step: string): void {
  if (value === undefined || check.Check(value)) return
  const first = check.Errors(value).First() as ValueError
  throw new InvalidReplyError(step, `${field}${first.path.replaceAll('/', '.')}: ${first.message}`)
}

/** Compiles a resolved step's checkers and readers, once, at registration. */
export function compileStep ({ step, timeout, fallbackMessage, environment, detailsLimit }: ResolvedStep): CompiledStep {
  return {
    name: step.name,
    environment,
    detailsLimit,
    handler: step.handler as StepHandler,
    readers: entityReaders(step.entities),
    timeout,
    fallback: Object.freeze(failure([fallbackMessage])) as HaptikReply,
    conversationDetails: TypeCompiler.Compile(step.conversationDetails as TSchema),
    userDetails: TypeCompiler.Compile(step.userDetails as TSchema)
  }
}

/** Haptik keeps user_details values as strings, whatever the step declared. */
function checkUserDetailStrings (details: unknown, step: string): void {
  if (details === undefined) return
  for (const [key, value] of Object.entries(details as Record<string, unknown>)) {
    if (typeof value !== 'string') {
      throw new InvalidReplyError(step, `user_details.${key} must be a string (Haptik keeps user details as strings), got ${describeType(value)}`)
    }
  }
}

function sizeOf (details: unknown): number {
  return details === undefined ? 0 : JSON.stringify(details).length
}

/** Details over Haptik's size limits are refused, never truncated: the log says which and by how much. */
function checkDetailsSize (limit: CompiledStep['detailsLimit'], reply: HaptikReply, step: string): void {
  if (limit === null) return
  const conversation = sizeOf(reply.conversation_details)
  const user = sizeOf(reply.user_details)
  const over = (what: string, size: number, max: number) =>
    new DetailsTooLargeError(step, `${what} is ${size} characters, ${size - max} over the limit of ${max}`)
  if (conversation > limit.conversationDetails) throw over('conversation_details', conversation, limit.conversationDetails)
  if (user > limit.userDetails) throw over('user_details', user, limit.userDetails)
  if (conversation + user > limit.combined) throw over('conversation_details and user_details together', conversation + user, limit.combined)
}

function settle (compiled: CompiledStep, context: Context, value: unknown): HaptikReply {
  const reply = normalizeReply(value, compiled.name)
  checkDetails(compiled.conversationDetails, reply.conversation_details, 'conversation_details', compiled.name)
  checkDetails(compiled.userDetails, reply.user_details, 'user_details', compiled.name)
  checkUserDetailStrings(reply.user_details, compiled.name)
  checkDetailsSize(compiled.detailsLimit, reply, compiled.name)
  if (reply.response.length === 0) {
    context.log.warn('step returned no messages: Haptik shows a bot break, or hands over to an agent')
  }
  return reply
}

function fail (compiled: CompiledStep, context: Context, thrown: unknown): HaptikReply {
  if (thrown instanceof StepFailure) {
    context.log.info('step failed on purpose; answering on the failure path')
    return failure(thrown.userMessages)
  }
  context.log.error({ err: describeThrown(thrown) }, 'step failed; answering with the fallback message')
  return compiled.fallback
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
      context.log.error({ err: error }, 'step timed out; answering with the fallback message')
      resolve(compiled.fallback)
    }, compiled.timeout)

    pending.then(value => {
      clearTimeout(timer)
      if (late) context.log.warn('step finished after its deadline; its reply was discarded')
      else resolve(settleOrFail(compiled, context, value))
    }, error => {
      clearTimeout(timer)
      if (!late) resolve(fail(compiled, context, error))
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

/** Reads the entities of a validated request and runs the step's handler on them. */
export function runStep (compiled: CompiledStep, request: FastifyRequest, reply: FastifyReply): HaptikReply | Promise<HaptikReply> {
  const envelope = request.body as HaptikEnvelope
  const entities = readEntities(compiled.readers, envelope.entities)
  return run(compiled, new Context(request, reply, compiled.name, compiled.environment, envelope, entities))
}

/** The route handler of one step: checks the body names this step, then runs it. */
export function stepRouteHandler (compiled: CompiledStep): RouteHandlerMethod {
  return function handleHaptikStep (request, reply) {
    const { step, node } = request.body as HaptikEnvelope
    const called = step ?? node
    if (called !== undefined && called !== compiled.name) throw new StepMismatchError(compiled.name, called)
    return runStep(compiled, request, reply)
  }
}
