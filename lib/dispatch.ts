import type { TSchema } from '@sinclair/typebox'
import type { FastifyInstance, FastifyReply, FastifyRequest, preValidationHookHandler } from 'fastify'
import { notAStepRequest } from './describe-schema.js'
import { DetailsSchema, ReplySchema } from './envelope.js'
import { InvalidEnvelopeError, UnknownStepError } from './errors.js'
import { dispatchTransform } from './openapi.js'
import type { ResolvedOptions } from './options.js'
import { authorizeStep, checkSignature, signatureHooks } from './raw-body.js'
import { DISPATCH_LABEL, requestedStep } from './route-step.js'
import { runStep, type CompiledStep, type PreparedStep } from './run-step.js'

const LABEL = DISPATCH_LABEL

interface DispatchTarget {
  readonly compiled: CompiledStep
  readonly auth: number | 'unsigned'
  readonly replySchema: TSchema
}

/**
 * The body schema of the dispatch route: each step's envelope, applied when
 * the body names that step (`step`, else `node`). Fastify's own validator
 * checks it, so validation and coercion are those of the per-step routes.
 */
function dispatchEnvelopeSchema (prepared: readonly PreparedStep[]) {
  return {
    type: 'object',
    allOf: prepared.map(({ resolved: { step }, bodySchema }) => ({
      if: {
        anyOf: [
          { required: ['step'], properties: { step: { const: step.name } } },
          { not: { required: ['step'] }, required: ['node'], properties: { node: { const: step.name } } }
        ]
      },
      then: bodySchema
    }))
  }
}

/**
 * `POST {prefix}/`: for bots whose steps all call one absolute URL. The body
 * names the step; signature check, validation and typing are the step's own.
 */
export function dispatchRoute (fastify: FastifyInstance, prepared: readonly PreparedStep[], { steps, bodyLimit }: ResolvedOptions): void {
  const hooks = signatureHooks(steps, LABEL)
  const targets = new Map<string, DispatchTarget>(prepared.map(({ resolved, compiled, replySchema }) => [resolved.step.name, {
    compiled,
    auth: hooks.indexOf(resolved.auth),
    replySchema
  }]))
  const known = [...targets.keys()].map(name => JSON.stringify(name)).join(', ')

  // Runs once the body is parsed and before validation: picks the step, and
  // checks the body was signed with that step's secret.
  const selectStep: preValidationHookHandler = function selectHaptikStep (request, _reply, done) {
    // A request without a body never met the JSON parser, which checks signatures.
    const unverified = checkSignature(request)
    if (unverified !== null) {
      done(unverified)
      return
    }
    const body = request.body
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      done(new InvalidEnvelopeError(LABEL, notAStepRequest(body)))
      return
    }
    const name = requestedStep(request)
    const target = name === undefined ? undefined : targets.get(name)
    if (target === undefined) {
      done(new UnknownStepError(name === undefined
        ? `${LABEL}: the request names no step (no "step" or "node" field); known steps: ${known}`
        // Capped: on a route that also serves unsigned steps, the name may not be signed yet.
        : `${LABEL}: no step ${JSON.stringify(name.slice(0, 64))} is served here; known steps: ${known}`))
      return
    }
    const error = authorizeStep(request, target.auth)
    if (error === null) done()
    else done(error)
  }

  const resolvers = steps.some(({ auth }) => auth.kind === 'resolver')
  const config = { haptikDispatch: true, swaggerTransform: dispatchTransform(steps, { signed: hooks.signed, resolvers }, bodyLimit) }
  fastify.route({
    method: 'POST',
    url: '/',
    bodyLimit,
    config,
    schema: {
      body: dispatchEnvelopeSchema(prepared),
      response: { 200: ReplySchema(DetailsSchema, DetailsSchema) }
    },
    ...hooks.routeOptions(bodyLimit),
    preValidation: selectStep,
    handler: async function handleHaptikDispatch (request: FastifyRequest, reply: FastifyReply) {
      const target = targets.get(requestedStep(request) as string) as DispatchTarget
      const answer = await runStep(target.compiled, request, reply)
      // The step's own reply schema, as on its own route (Fastify caches the compiled serializer).
      reply.serializer(reply.compileSerializationSchema(target.replySchema))
      return answer
    }
  })
}
