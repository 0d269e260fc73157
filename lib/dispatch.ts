import type { TSchema } from '@sinclair/typebox'
import type { FastifyInstance, FastifyReply, FastifyRequest, FastifySchemaValidationError, preValidationHookHandler } from 'fastify'
import { notAStepRequest } from './describe-schema.js'
import { DetailsSchema, ReplySchema } from './envelope.js'
import { InvalidEnvelopeError, UnknownStepError } from './errors.js'
import { dispatchTransform } from './openapi.js'
import type { ResolvedOptions } from './options.js'
import { authorizeStep, checkSignature, signatureHooks } from './raw-body.js'
import { cappedName, DISPATCH_LABEL, requestedStep, stepKey } from './route-step.js'
import { runStep, type CompiledStep, type PreparedStep } from './run-step.js'
import { stepUrlRoute } from './step-url.js'

interface DispatchTarget {
  readonly compiled: CompiledStep
  readonly auth: number | 'unsigned'
  readonly bodySchema: TSchema
  readonly replySchema: TSchema
}

/** A validation failure shaped as Fastify's own, for the step routes' error handler. */
function validationFailure (issues: FastifySchemaValidationError[]): Error {
  return Object.assign(new Error('body validation failed'), { validation: issues, validationContext: 'body' })
}

/**
 * `POST {prefix}/`: for bots whose steps all call one absolute URL. The body
 * names the step (ignoring case, as on the step routes); signature check,
 * validation and typing are the step's own.
 */
export function dispatchRoute (fastify: FastifyInstance, prepared: readonly PreparedStep[], { steps, bodyLimit }: ResolvedOptions): void {
  const hooks = signatureHooks(steps, DISPATCH_LABEL)
  const targets = new Map<string, DispatchTarget>(prepared.map(({ resolved, compiled, bodySchema, replySchema }) => [compiled.key, {
    compiled,
    auth: hooks.indexOf(resolved.auth),
    bodySchema,
    replySchema
  }]))
  const names = prepared.map(({ compiled }) => compiled.name)
  const known = names.map(name => JSON.stringify(name)).join(', ')

  // Runs once the body is parsed: picks the step, checks the body was signed
  // with that step's secret, and validates it with the step's own schema
  // (compiled once by Fastify's validator, which coerces as on the step routes).
  const selectStep: preValidationHookHandler = function selectHaptikStep (request, _reply, done) {
    // A request without a body never met the JSON parser, which checks signatures.
    const unverified = checkSignature(request)
    if (unverified !== null) {
      done(unverified)
      return
    }
    const body = request.body
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      done(new InvalidEnvelopeError(DISPATCH_LABEL, notAStepRequest(body)))
      return
    }
    const name = requestedStep(request)
    const target = name === undefined ? undefined : targets.get(stepKey(name))
    if (target === undefined) {
      done(new UnknownStepError(name === undefined
        ? `${DISPATCH_LABEL}: the request names no step (no "step" or "node" field); known steps: ${known}`
        : `${DISPATCH_LABEL}: no step ${JSON.stringify(cappedName(name))} is served here; known steps: ${known}`))
      return
    }
    const error = authorizeStep(request, target.auth)
    if (error !== null) {
      done(error)
      return
    }
    const validate = request.compileValidationSchema(target.bodySchema)
    if (validate(body) === true) done()
    else done(validationFailure(validate.errors as FastifySchemaValidationError[]))
  }

  const resolvers = steps.some(({ auth }) => auth.kind === 'resolver')
  const config = { haptikDispatch: true, swaggerTransform: dispatchTransform(steps, { signed: hooks.signed, resolvers }, bodyLimit) }
  fastify.route({
    method: 'POST',
    url: '/',
    bodyLimit,
    config,
    schema: { response: { 200: ReplySchema(DetailsSchema, DetailsSchema) } },
    ...hooks.routeOptions(),
    preValidation: selectStep,
    handler: async function handleHaptikDispatch (request: FastifyRequest, reply: FastifyReply) {
      const target = targets.get(stepKey(requestedStep(request) as string)) as DispatchTarget
      return await runStep(target.compiled, request, reply)
    }
  })
  stepUrlRoute(fastify, '/', names)
}
