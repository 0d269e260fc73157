/**
 * fastify-haptik/testing: build, sign and send Haptik step requests in your
 * own test suites. Not loaded by the plugin itself.
 *
 * @example
 * ```ts
 * import { callStep } from 'fastify-haptik/testing'
 * const { statusCode, reply } = await callStep(app, productPrice, { product_name: 'speaker' }, { secret: 'test', prefix: '/haptik' })
 * ```
 */
export { DEFAULT_USER, detection, haptikRequest } from './request.js'
export { undeclaredEntities } from './entity-names.js'
export type { Detection, DetectionFields, EntityValues, RequestOverrides, UndefinedAllowed } from './request.js'
export { signedRequest } from './sign.js'
export type { SignedRequest } from './sign.js'
export { callStep } from './call-step.js'
export { callWebhook } from './call-webhook.js'
export type { CallWebhookOptions, WebhookCall } from './call-webhook.js'
export { conversation } from './conversation.js'
export type { Conversation, ConversationOptions } from './conversation.js'
export { REDACTED, replay } from './replay.js'
export type { ReplayOptions } from './replay.js'
export { parseMessage, parseMessages } from './messages.js'
export type { CallStepOptions, HaptikErrorBody, StepCall } from './call-step.js'
export { haptikApi } from './haptik-api.js'
export type { HaptikApi, HaptikApiFailure, HaptikApiOptions } from './haptik-api.js'
export type { HaptikApiCall, HaptikApiFile, HaptikApiUser, HaptikEndpoint } from './haptik-api-endpoints.js'
export type { HaptikApiWebhook, WebhookDelivery } from './haptik-api-webhook.js'
