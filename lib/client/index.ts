/**
 * fastify-haptik/client: the calls a server makes to Haptik's REST APIs,
 * typed. No Fastify, no dependency beyond Node's `fetch`: usable from a
 * worker or a script.
 *
 * @example
 * ```ts
 * import { createHaptikClient, HaptikApiError } from 'fastify-haptik/client'
 * const haptik = createHaptikClient({ token, clientId, baseUrl: { messaging, platform, whatsapp }, businessId: 343 })
 * await haptik.sendChatToAgent({ userName, teamName: 'billing' })
 * ```
 */
export { createHaptikClient } from './client.js'
export type { BoundHaptikClient, Fill, Fillable, HaptikBaseUrls, HaptikCallOptions, HaptikClient, HaptikClientMethods, HaptikClientOptions } from './client.js'
export { HaptikAbortError, HaptikApiError, HaptikConnectionError, HaptikError, HaptikTimeoutError, HaptikValidationError } from './errors.js'
export type { HaptikApiErrorDetails, HaptikCallInfo, HaptikFamily } from './errors.js'
export type { HaptikErrorCode } from './error-codes.js'
export type { HaptikFetch, HaptikLogger, ObservedCall, ObservedEnd, Observer } from './transport.js'
export type { BusinessId } from './methods/method.js'
export type { HaptikUserInput, HaptikUserRecord } from './methods/users.js'
export type { FileKind, LogFileInput, LoggedFile, LoggedMessage, LogMessageInput } from './methods/messages.js'
export type { LogFeedbackInput, LoggedFeedback } from './methods/feedback.js'
export type { EnableWebhookInput, WebhookState } from './methods/webhook.js'
export type { ChatHistory, ChatHistoryInput, ChatMessage, ChatTranscript, HandedOver, SendChatToAgentInput } from './methods/agents.js'
export type { SendWhatsAppTemplateInput, WhatsAppComponent, WhatsAppParameter, WhatsAppSent, WhatsAppTemplate } from './methods/whatsapp.js'
export type { HaptikRequest } from './methods/request.js'
