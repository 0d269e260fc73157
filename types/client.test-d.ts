import Fastify from 'fastify'
import { expectAssignable, expectError, expectNotAssignable, expectType } from 'tsd'
import {
  createHaptikClient, HaptikAbortError, HaptikApiError, HaptikConnectionError, HaptikError, HaptikTimeoutError, HaptikValidationError,
  type BoundHaptikClient, type ChatHistory, type ChatMessage, type ChatTranscript, type HandedOver, type HaptikClient, type HaptikClientOptions,
  type HaptikErrorCode, type HaptikFamily, type HaptikLogger, type HaptikUserRecord, type LoggedFeedback, type LoggedFile, type LoggedMessage,
  type ObservedCall, type ObservedEnd, type Observer, type WebhookState, type WhatsAppComponent, type WhatsAppSent
} from 'fastify-haptik/client'
import { haptikApi, type HaptikApi, type HaptikApiCall, type HaptikEndpoint, type WebhookDelivery } from 'fastify-haptik/testing'

const haptik = createHaptikClient({ token: 't', clientId: 'c', baseUrl: 'https://staging-messenger.haptikapi.com' })
expectType<HaptikClient>(haptik)

// Options: a URL per family, or one; what process.env gives (string | undefined) where optional.
createHaptikClient({ token: 't', clientId: 'c', baseUrl: { messaging: 'https://m', platform: 'https://p', whatsapp: process.env.WA }, businessId: process.env.BID, timeout: undefined })
expectError(createHaptikClient({ token: 't', clientId: 'c' }))
expectError(createHaptikClient({ token: 't', baseUrl: 'https://m' }))
expectError(createHaptikClient({ token: 't', clientId: 'c', baseUrl: 'https://m', retries: 3 }))
// Fastify's logger (pino) is a logger for the client.
expectAssignable<HaptikLogger>(Fastify().log)
expectAssignable<HaptikClientOptions['fetch']>(fetch)

// Each method's input and output, camelCase.
expectType<Promise<HaptikUserRecord>>(haptik.createUser({ authId: 'u', customData: { city: 'Pune', age: 30, vip: true, note: null } }))
expectError(haptik.createUser({ authId: 'u', customData: { address: { city: 'Pune' } } }))
expectError(haptik.createUser({ name: 'no auth id' }))
expectType<Promise<HaptikUserRecord>>(haptik.updateUser({ authId: 'u', email: undefined }))
expectType<Promise<LoggedMessage>>(haptik.logMessage({ authId: 'u', message: 'Hi', businessId: '343' }))
expectType<number>((await haptik.logMessage({ authId: 'u', message: 'Hi' })).messageId)
expectType<Promise<LoggedFile>>(haptik.logFile({ authId: 'u', file: new Blob(['x']), filename: 'a.pdf' }))
expectType<string>((await haptik.logFile({ authId: 'u', file: Buffer.from('x'), filename: 'a.png', kind: 'image' })).fileUrl)
expectError(haptik.logFile({ authId: 'u', file: Buffer.from('x'), filename: 'a.png', kind: 'video' }))
expectType<Promise<LoggedFeedback>>(haptik.logFeedback({ authId: 'u', resolved: true, rating: 5 }))
expectType<boolean>((await haptik.logFeedback({ authId: 'u', resolved: false, rating: 1 })).alreadySubmitted)
expectError(haptik.logFeedback({ authId: 'u', rating: 5 }))
expectType<Promise<WebhookState>>(haptik.enableWebhook())
expectType<Promise<HandedOver>>(haptik.sendChatToAgent({ userName: 'u', teamName: 'billing', countdown: 5 }))
haptik.sendChatToAgent({ userName: 'u', teamName: 'billing', version: 'v2', receiver: 'athena' })
expectError(haptik.sendChatToAgent({ userName: 'u', teamName: 'billing', version: 'v3' }))
expectType<Promise<ChatHistory>>(haptik.getChatHistory({ userName: 'u', conversationNo: 2 }))
expectType<Promise<ChatTranscript>>(haptik.getChatHistory({ userName: 'u', conversationNo: 2, responseType: 'text' }))
expectType<Promise<ChatHistory>>(haptik.getChatHistory({ pxut: 'p', conversationNo: 2 }))
expectError(haptik.getChatHistory({ conversationNo: 2 }))
expectError(haptik.getChatHistory({ userName: 'u', pxut: 'p', conversationNo: 2 }))
const [first] = (await haptik.getChatHistory({ userName: 'u', conversationNo: 2 })).messages
expectType<ChatMessage>(first)
expectType<Date | undefined>(first.sentAt)
expectType<Promise<WhatsAppSent>>(haptik.sendWhatsAppTemplate({ to: '919876543210', template: { name: 'hello', language: { code: 'en' } } }))
expectType<string | undefined>((await haptik.sendWhatsAppTemplate({ to: '919876543210', template: { name: 'hello', language: { code: 'en' } } })).messageId)
expectAssignable<WhatsAppComponent>({ type: 'button', subType: 'quick_reply', index: 0, parameters: [{ type: 'payload', payload: 'yes' }] })
expectNotAssignable<WhatsAppComponent>({ type: 'button', subType: 'quick_reply', index: 0, parameters: [{ type: 'text', text: 'yes' }] })
expectType<Promise<{ auth_id: string }>>(haptik.request<{ auth_id: string }>({ family: 'messaging', method: 'POST', path: '/v1.0/user/', body: { auth_id: 'u' } }))
expectType<Promise<unknown>>(haptik.request({ family: 'platform', method: 'GET', path: '/x/', query: { a: 1, b: undefined } }))
expectError(haptik.request({ family: 'bot', method: 'GET', path: '/x/' }))
// Per-call options, last.
haptik.createUser({ authId: 'u' }, { signal: AbortSignal.timeout(1000), timeout: 500, maxRetries: 0 })
expectError(haptik.createUser({ authId: 'u' }, { retries: 0 }))

// A bound client may leave out what its binding fills in; a plain one may not.
declare const bound: BoundHaptikClient
expectType<Promise<HandedOver>>(bound.sendChatToAgent({ teamName: 'billing' }))
expectType<Promise<LoggedMessage>>(bound.logMessage({ message: 'Hi' }))
expectType<Promise<ChatHistory>>(bound.getChatHistory({ conversationNo: 1 }))
expectError(haptik.sendChatToAgent({ teamName: 'billing' }))
expectError(haptik.logMessage({ message: 'Hi' }))
expectError(bound.sendChatToAgent({ userName: 'u' }))
expectAssignable<HaptikClient>(bound)

// The errors: one base class, and what each carries.
declare const error: unknown
if (error instanceof HaptikApiError) {
  expectType<number>(error.status)
  expectType<HaptikErrorCode>(error.code)
  expectType<string | undefined>(error.errorMessage)
  expectType<string>(error.path)
  expectType<HaptikFamily>(error.family)
  expectType<number | undefined>(error.retryAfter)
}
if (error instanceof HaptikTimeoutError) expectType<number>(error.timeout)
if (error instanceof HaptikConnectionError) expectType<boolean>(error.beforeSending)
if (error instanceof HaptikValidationError) expectType<string>(error.field)
expectAssignable<HaptikError>(new HaptikAbortError('m', { call: 'c', method: 'GET', family: 'platform', path: '/', attempts: 0 }, undefined))
expectAssignable<HaptikErrorCode>('invalid_team_name')
expectNotAssignable<HaptikErrorCode>('invalid_team')

// Observers, for the plugin's spans and metrics.
expectAssignable<Observer>((call: ObservedCall) => (end: ObservedEnd) => { expectType<number>(end.attempts) })
expectAssignable<Observer>(() => undefined)

// The stand-in.
const api = await haptikApi({ users: ['user-42'], webhook: { url: 'http://127.0.0.1:3000/haptik/webhook', secret: 'test', times: 2 } })
expectType<HaptikApi>(api)
expectType<string>(api.url)
expectType<readonly HaptikApiCall[]>(api.calls)
api.fail('logMessage', { status: 503, errorMessage: 'unavailable' })
api.fail('sendChatToAgent', 'reset', 2)
expectError(api.fail('logMesage', 'hang'))
expectAssignable<HaptikEndpoint>('sendWhatsAppTemplate')
expectType<Promise<WebhookDelivery[]>>(api.deliver('message', { message: { id: 1 } }))
