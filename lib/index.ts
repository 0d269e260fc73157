import type { FastifyInstance, FastifyPluginAsync, FastifySchemaCompiler } from 'fastify'
import fp from 'fastify-plugin'
import { resolveOptions, type FastifyHaptikOptions } from './options.js'
import { serializeReply } from './reply/normalize-reply.js'
import { dispatchRoute } from './routes/dispatch-route.js'
import { stepErrorHandler } from './routes/error-handler.js'
import type { Registration } from './routes/registration.js'
import { stepRoute } from './routes/step-route.js'
import { signupRoute } from './routes/signup-route.js'
import { unknownPathRoute } from './routes/unknown-path-route.js'
import { webhookRoute } from './routes/webhook-route.js'
import { SignupChecks } from './webhooks/signup.js'
import { Telemetry } from './telemetry.js'
import { NoRequestTimeout, SwaggerAfterPlugin, UnsignedSteps } from './warnings.js'
import { BodyDeadlines, kPendingBody } from './wire/body-deadline.js'
import { jsonBodyParser } from './wire/json-body-parser.js'
import { SecretLookup } from './wire/secret-lookup.js'
import { RequestValidation } from './wire/request-validation.js'
import { kSignature } from './wire/signature-check.js'

declare module 'fastify' {
  interface FastifyRequest {
    /** The exact bytes of a Haptik step request (on fastify-haptik's routes, once the body is parsed). */
    rawBody?: Buffer | null
  }
  interface FastifyContextConfig {
    /** On fastify-haptik's step routes: the name of the step the route serves. */
    haptikStep?: string
    /** On fastify-haptik's dispatch route: `true`. */
    haptikDispatch?: boolean
    /** On fastify-haptik's webhook and signup routes: how messages name the route. */
    haptikRoute?: string
  }
}

async function fastifyHaptikPlugin (fastify: FastifyInstance, options: FastifyHaptikOptions): Promise<void> {
  const settings = resolveOptions(options)
  const { prefix, bodyLimit, steps } = settings
  // Each warning is logged, and emitted once per process for apps without a logger (warnings.ts).
  const unsigned = steps.filter(({ auth }) => auth.kind === 'unsigned').map(({ name }) => name)
  if (unsigned.length > 0) {
    fastify.log.warn({ steps: unsigned }, 'fastify-haptik: allowUnsigned is on; these steps accept calls that anyone can forge')
    UnsignedSteps(unsigned.map(name => `"${name}"`).join(', '))
  }
  // Only a server that listens meets slow clients: an app driven by inject() (tests, the CLI) is not warned.
  fastify.addHook('onListen', async function checkHaptikRequestTimeout () {
    if (!(fastify.server.requestTimeout > 0)) {
      fastify.log.warn(`fastify-haptik: ${NoRequestTimeout.format()}`)
      NoRequestTimeout()
    }
  })
  // @fastify/swagger sees only the routes added after it: registered later, it documents no step.
  const swaggerBefore = fastify.hasDecorator('swagger')
  fastify.addHook('onReady', async function checkHaptikDocsOrder () {
    if (!swaggerBefore && fastify.hasDecorator('swagger')) {
      fastify.log.warn(`fastify-haptik: ${SwaggerAfterPlugin.format()}`)
      SwaggerAfterPlugin()
    }
  })
  const telemetry = new Telemetry(settings.telemetry)
  const { store } = settings.state
  const evictions = telemetry.evictionReport(store.kind, fastify.log)
  const unwatch = store.watchEvictions?.(evictions.evicted)
  const signupChecks = settings.signup === undefined ? undefined : new SignupChecks(settings.signup)
  const registration: Registration = {
    telemetry,
    lookup: new SecretLookup(settings.secretLookup),
    deadlines: new BodyDeadlines(settings.bodyTimeout),
    state: settings.state,
    client: settings.client,
    validation: new RequestValidation(),
    closing: false
  }
  const stepsByKey = new Map(steps.map(step => [step.key, step]))

  // Everything below lives in an encapsulated child: no hook, parser or
  // decorator reaches the user's other routes.
  await fastify.register(async function haptikSteps (child) {
    child.decorateRequest('rawBody', null)
    child.decorateRequest(kSignature, null)
    child.decorateRequest(kPendingBody, null)
    child.removeAllContentTypeParsers()
    child.addContentTypeParser('application/json', { parseAs: 'buffer', bodyLimit }, jsonBodyParser(child, registration.deadlines))
    child.setErrorHandler(stepErrorHandler(stepsByKey, bodyLimit, registration))
    child.setSerializerCompiler(() => serializeReply)
    // Closing: pending secret lookups are refused, and calls still in flight
    // close their connection once answered (a keep-alive client would
    // otherwise hold close() for Fastify's keepAliveTimeout).
    child.addHook('preClose', async function stopHaptikLookups () {
      registration.closing = true
      registration.lookup.close()
      signupChecks?.close()
    })
    child.addHook('onClose', async function stopHaptikDeadlines () {
      registration.deadlines.close()
      unwatch?.()
      evictions.close()
      await store.close?.()
    })
    // The routes' validator exists once their body schema is compiled (every
    // step route has one): the parts several steps declare alike are compiled with it now.
    child.addHook('onReady', async function compileHaptikParts () {
      registration.validation.prepare(child.validatorCompiler as FastifySchemaCompiler<unknown>, steps.map(({ definition, bodyParts }) => ({ url: `${child.prefix}${definition.path}`, parts: bodyParts })))
    })
    const routeSettings = { bodyLimit, openapi: settings.openapi, bodyTimeout: settings.bodyTimeout, secretTimeout: settings.secretLookup.timeout }
    for (const step of steps) stepRoute(child, step, routeSettings, registration)
    if (settings.dispatch) dispatchRoute(child, steps, routeSettings, registration)
    if (settings.webhooks !== undefined) webhookRoute(child, settings.webhooks, bodyLimit, registration)
    if (settings.signup !== undefined) signupRoute(child, settings.signup, signupChecks as SignupChecks, bodyLimit, registration)
    const urls = steps.map(({ definition }) => `POST ${child.prefix}${definition.path}`)
    if (settings.dispatch) urls.push(`POST ${child.prefix}/ (any step, by its name)`)
    if (settings.webhooks !== undefined) urls.push(`POST ${child.prefix}${settings.webhooks.path} (the webhook)`)
    if (settings.signup !== undefined) urls.push(`POST ${child.prefix}${settings.signup.path} (the signup check)`)
    unknownPathRoute(child, urls)
  }, { prefix })
}

/**
 * Serves Haptik Static Step integrations: one signed, validated, typed POST
 * route per step, under `prefix`.
 *
 * @example
 * ```ts
 * await app.register(fastifyHaptik, { prefix: '/haptik', secret: process.env.HAPTIK_SECRET, steps: [productPrice] })
 * ```
 */
export const fastifyHaptik: FastifyPluginAsync<FastifyHaptikOptions> = fp(fastifyHaptikPlugin, {
  fastify: '5.x',
  name: 'fastify-haptik'
})
export default fastifyHaptik

// The public surface, each name in docs/reference.md. Rich messages and
// channels are at `fastify-haptik/hsl`, the testing kit at `fastify-haptik/testing`.

// Steps
export { defineStep, isStep } from './step/define-step.js'
export type { AnyStep, HaptikStep, StepContext, StepDefinition, StepHandler } from './step/define-step.js'
export type { StepExample } from './step/step-examples.js'
export { Entities } from './step/catalog.js'
export type { TextValue, PhoneValue } from './step/catalog-text.js'
export type { NumberValue, NumberRangeValue, CurrencyValue, BudgetValue } from './step/catalog-numbers.js'
export type { DateKind, DateValue, TimeKind, TimeValue } from './step/catalog-time.js'
export type { CityValue, PersonNameValue } from './step/catalog-places.js'
export type { DualSchema, ObjectSchema, RawOf } from './schema-reading.js'

// Options
export type { FastifyHaptikOptions } from './options.js'
export type { GiveUpContext, WebhookContext, WebhookHandlers, WebhookOptions } from './webhooks/webhook-options.js'
export type { SignupCredentials, SignupOptions } from './webhooks/signup.js'
export type { WebhookEvent, WebhookEventName } from './webhooks/events.js'
export type { WebhookOutcome } from './telemetry.js'
export { DEFAULT_FALLBACK_MESSAGE, DEFAULT_INVALID_ENTITY_MESSAGE } from './options.js'
export type { SecretOption, SecretResolver } from './wire/secrets.js'
export type { SecretCacheOptions } from './wire/secret-lookup.js'
export type { DetailsLimit } from './reply/details.js'
export type { LocalizedText, UserText } from './reply/languages.js'

// State
export { withDefault } from './step/state-schema.js'
export type { StateOf, WithDefault } from './step/state-schema.js'
export { memoryStore } from './store/memory-store.js'
export type { MemoryStoreOptions } from './store/memory-store.js'
export { redisStore } from './store/redis-store.js'
export type { RedisStoreOptions } from './store/redis-store.js'
export type { StateStore, StoreWrite, Version, Versioned, WriteOptions } from './store/state-store.js'

// Requests and replies
export type { HaptikEnvelope, HaptikUser } from './wire/request-schema.js'
export type { HaptikReply, ReplyObject, StepResult } from './reply/normalize-reply.js'
export { StepFailure } from './reply/step-failure.js'
export { StepHandoff, handoff } from './reply/handoff.js'
export type { HandoffOptions } from './reply/handoff.js'

// Signatures
export { sign, verify, SIGNATURE_HEADER } from './wire/signature.js'
export type { Secret } from './wire/signature.js'

// Docs, observability, errors
export { exampleRequest } from './openapi/sample-request.js'
export { haptikSwaggerUiConfig } from './openapi/swagger-ui.js'
export { DIAGNOSTICS_CHANNELS, HAPTIK_REDACT_PATHS } from './telemetry.js'
export type { Outcome, RefusedMessage, StepEndMessage, StepStartMessage, TelemetryOptions } from './telemetry.js'
export * as errors from './errors.js'
