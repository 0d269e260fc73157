// Each method of fastify-haptik/client against the stand-in, over a real
// socket: the request exactly as Haptik's docs show it (headers, path, body),
// and the answer as the method returns it. Docs: hellohaptik/docs_haptik,
// cited per test (the contract, with lines: ../shared/haptik-rest-api.md).
import t, { type Test } from 'tap'
import { createHaptikClient, HaptikApiError, type HaptikClientOptions } from '../lib/client/index.js'
import type { HaptikApiCall, HaptikApiFile } from '../lib/testing/index.js'
import { CLIENT_ID, clientOf, standIn, TOKEN } from './helpers/client.js'

/** The one call the stand-in received. */
function only (t: Test, calls: readonly HaptikApiCall[]): HaptikApiCall {
  t.equal(calls.length, 1, 'one request')
  return calls[0] as HaptikApiCall
}

/** docs/webhooks/api-security-rules.md:14-16: the headers of every call. */
function documentedHeaders (t: Test, call: HaptikApiCall, contentType: string | RegExp = 'application/json'): void {
  t.equal(call.headers.authorization, `Bearer ${TOKEN}`, 'Authorization: Bearer <TOKEN>')
  t.equal(call.headers['client-id'], CLIENT_ID, 'client-id, with a hyphen')
  t.match(call.headers['content-type'], contentType, 'Content-Type')
}

t.test('createUser and updateUser: POST and PUT /v1.0/user/, the docs\' curl body, the user back in camelCase', async t => {
  // docs/webhooks/create-haptik-user.md:19, 121-143 (the curls), 97-105 (the answer).
  const api = await standIn(t)
  const { haptik } = clientOf(api)
  const user = await haptik.createUser({ authId: 'user-7', name: 'guest user', languageCode: 'en', customData: { country: 'India', city: 'Mumbai', date_of_birth: '25-03-1985' } })
  t.same(user, { authId: 'user-7', name: 'guest user' })
  const created = only(t, api.callsTo('createUser'))
  t.equal(created.method, 'POST')
  t.equal(created.path, '/v1.0/user/')
  documentedHeaders(t, created)
  t.equal(JSON.stringify(created.body), '{"auth_id":"user-7","name":"guest user","language_code":"en","custom_data":{"country":"India","city":"Mumbai","date_of_birth":"25-03-1985"}}',
    'the curl\'s keys, in its order; custom_data\'s own keys as given')

  const updated = await haptik.updateUser({ authId: 'user-7', mobileNo: '919876543210', email: 'a@b.co', name: 'Asha' })
  t.same(updated, { authId: 'user-7', mobileNo: '919876543210', email: 'a@b.co', name: 'Asha' })
  const put = only(t, api.callsTo('updateUser'))
  t.equal(put.method, 'PUT')
  t.equal(put.path, '/v1.0/user/')
  t.same(put.body, { auth_id: 'user-7', mobile_no: '919876543210', email: 'a@b.co', name: 'Asha' })
})

t.test('logMessage: the docs\' request key for key, and { messageId, messageBody, createdAt, messageType }', async t => {
  // docs/webhooks/send-message-to-haptik.md:28-35 (request), 45-59 (answer).
  const api = await standIn(t)
  const { haptik } = clientOf(api)
  const logged = await haptik.logMessage({ authId: 'user-42', message: 'Where is my order?' })
  t.equal(logged.messageId, 1_411_200_492, 'the docs\' message id')
  t.equal(logged.messageBody, 'Where is my order?')
  t.equal(logged.messageType, 0)
  t.match(logged.createdAt, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/)
  const call = only(t, api.callsTo('logMessage'))
  t.equal(`${call.method} ${call.path}`, 'POST /v1.0/log_message_from_user/')
  documentedHeaders(t, call)
  t.equal(JSON.stringify(call.body), '{"user":{"auth_id":"user-42"},"message_body":"Where is my order?","message_type":0,"business_id":343}')
  await haptik.logMessage({ authId: 'user-42', message: 'Hi', businessId: '344', messageType: 0 })
  t.same(api.calls[1]?.body, { user: { auth_id: 'user-42' }, message_body: 'Hi', message_type: 0, business_id: 344 }, 'a business id in digits goes as a number')
})

t.test('logFile: multipart, the curl\'s fields in its order, the boundary set by fetch, message_type 1 or 52 from the extension', async t => {
  // docs/webhooks/send-file-to-haptik.md:15-23 (headers), 37-45 (fields, kinds), 49-65 (answer), 88-97 (the curl).
  const api = await standIn(t)
  const { haptik } = clientOf(api)
  const photo = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3])
  const image = await haptik.logFile({ authId: 'user-42', file: photo, filename: 'test.jpg' })
  t.equal(image.messageType, 1)
  t.match(image.fileUrl, /^https:\/\/assets\.haptikapi\.com\/content\/[0-9a-f]+\.jpg$/)
  const call = only(t, api.callsTo('logFile'))
  t.equal(`${call.method} ${call.path}`, 'POST /v1.0/log_file_from_user/')
  documentedHeaders(t, call, /^multipart\/form-data; boundary=\S+$/)
  const fields = call.body as Record<string, string | HaptikApiFile>
  t.same(Object.keys(fields), ['auth_id', 'business_id', 'message_type', 'file', 'message_body'])
  t.same({ ...fields, file: undefined }, { auth_id: 'user-42', business_id: '343', message_type: '1', file: undefined, message_body: '' })
  const file = fields.file as HaptikApiFile
  t.same([file.name, file.type, file.size, Buffer.from(file.bytes)], ['test.jpg', 'image/jpeg', 7, photo])

  const blob = new Blob(['a,b\n1,2\n'], { type: 'text/csv' })
  const document = await haptik.logFile({ authId: 'user-42', file: blob, filename: 'Orders.CSV', kind: 'document', message: 'my orders' })
  t.equal(document.messageType, 52)
  t.equal(document.messageBody, 'my orders')
  const sent = api.calls[1]?.body as Record<string, string | HaptikApiFile>
  t.same([sent.message_type, sent.message_body, (sent.file as HaptikApiFile).type], ['52', 'my orders', 'text/csv'], 'a Blob keeps its own type')
})

t.test('logFeedback: the docs\' fields, 201 {"success": true}', async t => {
  // docs/webhooks/send-feedback-to-haptik.md:28-34 (request), 37-41 (fields), 45-51 (201).
  const api = await standIn(t)
  const { haptik } = clientOf(api)
  await haptik.logMessage({ authId: 'user-42', message: 'Hi' })
  const logged = await haptik.logFeedback({ authId: 'user-42', resolved: true, rating: 5, feedback: 'The conversation was very human like' })
  t.same(logged, { success: true, alreadySubmitted: false })
  const call = only(t, api.callsTo('logFeedback'))
  t.equal(call.answer, 201)
  t.equal(`${call.method} ${call.path}`, 'POST /v1.0/log_feedback_from_user/')
  documentedHeaders(t, call)
  t.equal(JSON.stringify(call.body), '{"auth_id":"user-42","business_id":343,"query_resolved":true,"query_rating":5,"feedback":"The conversation was very human like"}')
})

t.test('enableWebhook: the curl\'s body with a business, the page\'s without one', async t => {
  // docs/webhooks/re-enable-webhook.md:32-37 (the body), 41-47 (answer), 62-67 (the curl, with business_id and device_platform 13).
  const api = await standIn(t)
  const { haptik } = clientOf(api)
  t.same(await haptik.enableWebhook(), { enabled: true })
  const call = only(t, api.callsTo('enableWebhook'))
  t.equal(`${call.method} ${call.path}`, 'POST /v1.0/webhook/')
  documentedHeaders(t, call)
  t.equal(JSON.stringify(call.body), '{"enabled":true,"business_id":343,"device_platform":13}')
  await haptik.enableWebhook({ businessId: 12, devicePlatform: 5 })
  t.same(api.calls[1]?.body, { enabled: true, business_id: 12, device_platform: 5 })
  const { haptik: noBusiness } = clientOf(api, { businessId: undefined })
  await noBusiness.enableWebhook()
  t.same(api.calls[2]?.body, { enabled: true }, 'the page\'s own body')
})

t.test('sendChatToAgent: v1.0 by default, the documented body; v2.0 with a receiver; countdown', async t => {
  // docs/bot-builder/integrations/additional-apis.md:5-61 (v1.0: path, headers, body, {"success": true});
  // v2.0 and receiver "athena": not in hellohaptik/docs_haptik (no file there has it); only docs.haptik.ai's 2023 page, quoted in haptik-rest-api.md E9.
  const api = await standIn(t)
  const { haptik } = clientOf(api)
  t.same(await haptik.sendChatToAgent({ userName: 'ab112468917fgghdebc', teamName: 'billing' }), { success: true })
  const v1 = only(t, api.callsTo('sendChatToAgent'))
  t.equal(`${v1.method} ${v1.path}`, 'POST /integration/external/v1.0/send_chat_to_agent/')
  documentedHeaders(t, v1)
  t.equal(JSON.stringify(v1.body), '{"team_name":"billing","user_name":"ab112468917fgghdebc","business_id":343}')
  await haptik.sendChatToAgent({ userName: 'u', teamName: 'billing', countdown: 5, businessId: 7 })
  t.same(api.calls[1]?.body, { team_name: 'billing', user_name: 'u', business_id: 7, countdown: 5 })
  await haptik.sendChatToAgent({ userName: 'u', teamName: 'billing', version: 'v2' })
  t.equal(api.calls[2]?.path, '/integration/external/v2.0/send_chat_to_agent/')
  t.same(api.calls[2]?.body, { team_name: 'billing', user_name: 'u', business_id: 343, receiver: 'athena' })
  await haptik.sendChatToAgent({ userName: 'u', teamName: 'billing', version: 'v2', receiver: 'tract-tool', countdown: 10 })
  t.same(api.calls[3]?.body, { team_name: 'billing', user_name: 'u', business_id: 343, countdown: 10, receiver: 'tract-tool' })
})

t.test('getChatHistory: v2.0, the parameters in the query string, messages or text', async t => {
  // docs/bot-builder/integrations/additional-apis.md:226-337 (parameters, groups, answers, sender).
  const api = await standIn(t)
  const { haptik } = clientOf(api)
  const { messages } = await haptik.getChatHistory({ userName: 'ab112468917fgghdebc', conversationNo: 2 })
  t.same(messages, [
    { text: 'Search places to visit{task}', sender: 'user', messageId: 1742, timestamp: '06/22/20 07:24:25 AM UTC', sentAt: new Date('2020-06-22T07:24:25Z'), isAgent: false },
    { text: 'TEXT', sender: 'bot', messageId: 1743, timestamp: '06/22/20 07:24:26 AM UTC', sentAt: new Date('2020-06-22T07:24:26Z'), isAgent: false }
  ])
  const call = only(t, api.callsTo('getChatHistory'))
  t.equal(`${call.method} ${call.path}`, 'GET /integration/external/v2.0/get_chat_history/')
  documentedHeaders(t, call)
  t.same(call.query, { business_id: '343', user_name: 'ab112468917fgghdebc', conversation_no: '2' })
  t.equal(call.body, undefined, 'no body')

  const { text } = await haptik.getChatHistory({ userName: 'u', businessId: 1234, conversationNo: 2, limit: 20, responseType: 'text' })
  t.equal(text, 'user: Search places to visit{task}\nbot: TEXT\n')
  t.same(api.calls[1]?.query, { business_id: '1234', user_name: 'u', conversation_no: '2', limit: '20', response_type: 'text' })
  await haptik.getChatHistory({ pxut: 'tw389ysgd._aksdjknsk-545641964-B', conversationNo: 2, responseType: 'json' })
  t.same(api.calls[2]?.query, { pxut: 'tw389ysgd._aksdjknsk-545641964-B', conversation_no: '2', response_type: 'json' }, 'group 2: the pxut alone')
})

t.test('getChatHistory: an agent\'s message, and a timestamp of another form', async t => {
  // additional-apis.md:186-189 (v1: agent(<AGENT_NAME>)), 333-337 (v2: the bare name).
  const api = await standIn(t)
  const { haptik } = clientOf(api)
  const chat = [
    { text: 'Hello', sender: 'agent(Asha)', message_id: 1, timestamp: '12/31/21 12:05:00 PM UTC' },
    { text: 'Hi', sender: 'Ravi', message_id: 2, timestamp: '01/01/22 12:00:01 AM UTC', channel: 'web' },
    { text: '?', sender: 'user', message_id: 3, timestamp: '2022-01-01T00:00:00Z' }
  ]
  api.fail('getChatHistory', { status: 200, body: { chat_json: chat } })
  const { messages } = await haptik.getChatHistory({ userName: 'u', conversationNo: 1 })
  t.same(messages.map(({ isAgent, sentAt }) => [isAgent, sentAt?.toISOString()]), [
    [true, '2021-12-31T12:05:00.000Z'], [true, '2022-01-01T00:00:01.000Z'], [false, undefined]
  ])
  t.equal(messages[1]?.channel, 'web', 'keys the docs do not name are kept')
})

t.test('sendWhatsAppTemplate: type "template", the docs\' bodies, WhatsApp\'s answer with its message id', async t => {
  // docs/whatsapp/sending-notifications.md:97-133 (path, headers), 142-155 (answer), 202-241 (image header), 358-431 (buttons).
  const api = await standIn(t)
  const { haptik } = clientOf(api)
  const sent = await haptik.sendWhatsAppTemplate({
    to: '919876543210',
    template: {
      namespace: 'b8e6a1f2_92a0_4a3e',
      name: 'order_shipped',
      language: { code: 'en' },
      components: [
        { type: 'header', parameters: [{ type: 'image', image: { link: 'https://example.com/box.png' } }] },
        { type: 'body', parameters: [{ type: 'text', text: 'Param Value 1' }] },
        { type: 'button', subType: 'quick_reply', index: 1, parameters: [{ type: 'payload', payload: 'No, I did not receive the order' }] },
        { type: 'button', subType: 'url', index: '0', parameters: [{ type: 'text', text: '445566' }] }
      ]
    }
  })
  t.match(sent, { messageId: /^gBEGkZWCBgc2AgmGMsdscnOKLeyVg-\d+$/, meta: { apiStatus: 'stable', version: '2.25.1' } })
  t.equal(sent.messages[0]?.id, sent.messageId)
  const call = only(t, api.callsTo('sendWhatsAppTemplate'))
  t.equal(`${call.method} ${call.path}`, 'POST /whatsapp/notification/v2/')
  documentedHeaders(t, call)
  t.equal(JSON.stringify(call.body), JSON.stringify({
    business_id: 343,
    to: '919876543210',
    type: 'template',
    template: {
      namespace: 'b8e6a1f2_92a0_4a3e',
      name: 'order_shipped',
      language: { policy: 'deterministic', code: 'en' },
      components: [
        { type: 'header', parameters: [{ type: 'image', image: { link: 'https://example.com/box.png' } }] },
        { type: 'body', parameters: [{ type: 'text', text: 'Param Value 1' }] },
        { type: 'button', sub_type: 'quick_reply', index: '1', parameters: [{ type: 'payload', payload: 'No, I did not receive the order' }] },
        { type: 'button', sub_type: 'url', index: '0', parameters: [{ type: 'text', text: '445566' }] }
      ]
    }
  }), 'the docs\' keys in their order; sub_type; index a zero-based string')

  await haptik.sendWhatsAppTemplate({ to: '+14155550100', template: { name: 'hello', language: { code: 'en_US', policy: 'deterministic' } } })
  t.same(api.calls[1]?.body, { business_id: 343, to: '+14155550100', type: 'template', template: { name: 'hello', language: { policy: 'deterministic', code: 'en_US' }, components: [] } })
  api.fail('sendWhatsAppTemplate', { status: 200, body: { meta: { api_status: 'stable' } } })
  t.same(await haptik.sendWhatsAppTemplate({ to: '14155550100', template: { name: 'hello', language: { code: 'en' } } }), { meta: { apiStatus: 'stable' }, messages: [], messageId: undefined },
    'an answer without messages: no id (the template may still have gone: not an error)')
})

t.test('request(): any endpoint, as Haptik\'s wire has it', async t => {
  const api = await standIn(t)
  const { haptik } = clientOf(api)
  const answer = await haptik.request<{ auth_id: string }>({ family: 'messaging', method: 'POST', path: '/v1.0/user/', body: { auth_id: 'user-9' } })
  t.same(answer, { auth_id: 'user-9' }, 'the JSON as it is, snake_case')
  await haptik.request({ family: 'platform', method: 'GET', path: '/integration/external/v2.0/get_chat_history/', query: { user_name: 'u', business_id: 343, conversation_no: 1, limit: undefined } })
  t.same(api.calls[1]?.query, { user_name: 'u', business_id: '343', conversation_no: '1' }, 'query values as text; undefined ones left out')
  t.equal(api.calls[1]?.headers['content-type'], 'application/json', 'as the docs list it for the GET too (additional-apis.md:237-241)')
  const form = new FormData()
  form.append('domain_name', 'faq-bot')
  form.append('csv_file', new Blob(['q,a\n']), 'faq.csv')
  const error = await haptik.request({ family: 'platform', method: 'POST', path: '/mogambo_api/nodes/faq/create/', form, query: {} }).catch((error: unknown) => error)
  t.match(error, { status: 404, path: '/mogambo_api/nodes/faq/create/' }, 'the stand-in does not serve the FAQ upload')
  t.match(api.calls[2], { body: { domain_name: 'faq-bot', csv_file: { name: 'faq.csv' } }, query: {} })
  t.same(await haptik.request({ family: 'whatsapp', method: 'DELETE', path: '/nothing/', idempotent: false }).catch((error: HaptikApiError) => error.attempts), 1)
})

t.test('a path in a base URL is kept; each family goes to its own host', async t => {
  const messaging = await standIn(t)
  const platform = await standIn(t)
  const { haptik } = clientOf(messaging, { baseUrl: { messaging: `${messaging.url}/haptik-api/`, platform: platform.url } })
  const error = await haptik.createUser({ authId: 'u' }).catch((error: unknown) => error)
  t.match(error, { status: 404, path: '/v1.0/user/', code: 'unknown' })
  t.equal(messaging.calls[0]?.path, '/haptik-api/v1.0/user/', 'the base URL\'s path, then the endpoint\'s')
  await haptik.sendChatToAgent({ userName: 'u', teamName: 'billing' })
  t.equal(platform.callsTo('sendChatToAgent').length, 1, 'the platform family on its host')
  t.equal(messaging.calls.length, 1)
})

/** The error a call rejects with. */
async function failure (call: Promise<unknown>): Promise<HaptikApiError> {
  return await call.then(() => { throw new Error('the call succeeded') }, (error: HaptikApiError) => error)
}

t.test('every error_message the docs list has its code', async t => {
  // The /v1.0 pages (docs/webhooks/*.md), additional-apis.md:73-89 (hand-over), 193-211 (transcript v1),
  // 351-359 (transcript v2), 441-451 (FAQ); sending-notifications.md:135-140 (WhatsApp).
  const documented: Array<[string, string]> = [
    ['invalid authorization details', 'invalid_authorization'],
    ['invalid authorization in headers', 'invalid_authorization'],
    ['token missing in headers', 'token_missing'],
    ['invalid token provided', 'invalid_token'],
    ['invalid token', 'invalid_token'],
    ['Invalid token', 'invalid_token'],
    ['client_id missing in headers', 'client_id_missing'],
    ['invalid client_id in headers', 'invalid_client_id'],
    ['invalid client_id', 'invalid_client_id'],
    ['user is not registered', 'user_not_registered'],
    ['Invalid_User', 'user_not_registered'],
    ['duplicate feedback', 'duplicate_feedback'],
    ['Failed to submit feedback, please make sure there is an active conversation with the agent', 'no_active_conversation'],
    ['user_name missing in the request', 'missing_user_name'],
    ['user_name missing', 'missing_user_name'],
    ['business_id missing in the request', 'missing_business_id'],
    ['business_id missing', 'missing_business_id'],
    ['team_name missing in the request', 'missing_team_name'],
    ['conversation_no missing', 'missing_conversation_no'],
    ['invalid user_name', 'invalid_user_name'],
    ['invalid business_id provided', 'invalid_business_id'],
    [' Invalid business_id ', 'invalid_business_id'],
    ['business "343" is inactive', 'business_inactive'],
    ['invalid team_name provided', 'invalid_team_name'],
    ['team "billing" is inactive', 'team_inactive'],
    ['user has not sent a message', 'user_has_no_messages'],
    ['Either the user has not sent a message yet, or the provided user_name-business_id pair is invalid.', 'user_has_no_messages'],
    ['Unable to decode pxut-client_id pair', 'invalid_pxut'],
    ['Argument group validation: no valid group.', 'invalid_arguments'],
    ['Argument group validation: invalid group found.', 'invalid_arguments'],
    ['unable to verify contact details', 'contact_not_on_whatsapp'],
    ['invalid doman', 'invalid_domain'],
    ['An unknown error occurred', 'unknown_error'],
    ['team billing is inactive', 'unknown'],
    ['something Haptik never documented', 'unknown']
  ]
  const api = await standIn(t)
  const { haptik } = clientOf(api)
  for (const [errorMessage, code] of documented) {
    api.fail('sendChatToAgent', { status: 400, errorMessage })
    const error = await failure(haptik.sendChatToAgent({ userName: 'u', teamName: 'billing' }))
    t.ok(error instanceof HaptikApiError, errorMessage)
    t.match(error, { status: 400, code, errorMessage, call: 'sendChatToAgent', method: 'POST', path: '/integration/external/v1.0/send_chat_to_agent/', attempts: 1 }, `${errorMessage} → ${code}`)
    t.equal(error.message, `sendChatToAgent: Haptik answered 400 to POST /integration/external/v1.0/send_chat_to_agent/: ${errorMessage}`, 'the message keeps Haptik\'s words')
  }
})

t.test('the stand-in answers with the docs\' errors, which come back coded', async t => {
  const api = await standIn(t, { teams: ['billing'] })
  const { haptik } = clientOf(api)
  // send-message-to-haptik.md:63-69 and send-file-to-haptik.md:67-75: 403 for a user not registered.
  t.match(await failure(haptik.logMessage({ authId: 'stranger', message: 'Hi' })), { status: 403, code: 'user_not_registered' })
  t.match(await failure(haptik.logFile({ authId: 'stranger', file: Buffer.from('x'), filename: 'a.png' })), { status: 403, code: 'user_not_registered' })
  // send-feedback-to-haptik.md:55-86: Invalid_User (403), no conversation (404), duplicate within the hour.
  t.match(await failure(haptik.logFeedback({ authId: 'stranger', resolved: true, rating: 4 })), { status: 403, code: 'user_not_registered' })
  t.match(await failure(haptik.logFeedback({ authId: 'user-42', resolved: true, rating: 4 })), { status: 404, code: 'no_active_conversation' })
  await haptik.logMessage({ authId: 'user-42', message: 'Hi' })
  await haptik.logFeedback({ authId: 'user-42', resolved: false, rating: 1 })
  t.match(await failure(haptik.logFeedback({ authId: 'user-42', resolved: true, rating: 4 })), { code: 'duplicate_feedback', errorMessage: 'duplicate feedback' }, 'a second one in the hour, sent once (not a retry): an error')
  // additional-apis.md:73-89.
  t.match(await failure(haptik.sendChatToAgent({ userName: 'u', teamName: 'sales' })), { code: 'invalid_team_name' })
  // api-security-rules.md:5-9 (401), with the /v1.0 pages' message and the platform table's.
  const { haptik: wrong } = clientOf(await standIn(t, { token: 'another', clientId: 'another' }))
  t.match(await failure(wrong.createUser({ authId: 'u' })), { status: 401, code: 'invalid_authorization' })
  t.match(await failure(wrong.sendChatToAgent({ userName: 'u', teamName: 'billing' })), { status: 401, code: 'invalid_token' })
})

t.test('a 2xx that is an error: success false, or an error_message', async t => {
  // additional-apis.md:61: success "Indicates if the API was a success or failure".
  const api = await standIn(t)
  const { haptik } = clientOf(api)
  api.fail('sendChatToAgent', { status: 200, body: { success: false } })
  const refused = await failure(haptik.sendChatToAgent({ userName: 'u', teamName: 'billing' }))
  t.match(refused, { status: 200, code: 'unknown', errorMessage: undefined, body: { success: false } })
  t.equal(refused.message, 'sendChatToAgent: Haptik answered 200 with success: false to POST /integration/external/v1.0/send_chat_to_agent/')
  api.fail('sendChatToAgent', { status: 200, body: { success: false, error_message: 'team "billing" is inactive' } })
  t.match(await failure(haptik.sendChatToAgent({ userName: 'u', teamName: 'billing' })), { status: 200, code: 'team_inactive', message: /success: false to POST .*: team "billing" is inactive$/ })
  api.fail('createUser', { status: 200, errorMessage: 'invalid authorization details' })
  t.match(await failure(haptik.createUser({ authId: 'u' })), { status: 200, code: 'invalid_authorization' })
  t.equal(api.callsTo('createUser').length, 1, 'a 2xx error is not retried')
  api.fail('sendChatToAgent', { status: 200, body: {} })
  t.match(await failure(haptik.sendChatToAgent({ userName: 'u', teamName: 'billing' })), { code: 'unexpected_response', message: /with JSON that is not what the docs describe$/ },
    'a hand-over without success: true is not taken for one')
  api.fail('getChatHistory', { status: 200, body: { chat_text: 'user: hi' } })
  t.match(await failure(haptik.getChatHistory({ userName: 'u', conversationNo: 1 })), { code: 'unexpected_response' })
  api.fail('getChatHistory', { status: 200, body: { chat_json: 'user: hi' } })
  t.match(await failure(haptik.getChatHistory({ userName: 'u', conversationNo: 1, responseType: 'text' })), { code: 'unexpected_response' })
  api.fail('getChatHistory', { status: 200, body: { chat_json: [null] } })
  t.match(await failure(haptik.getChatHistory({ userName: 'u', conversationNo: 1 })), { code: 'unexpected_response' })
  api.fail('createUser', { status: 200, body: [{ auth_id: 'u' }] })
  t.match(await failure(haptik.createUser({ authId: 'u' })), { code: 'unexpected_response', body: [{ auth_id: 'u' }] })
  api.fail('createUser', { status: 404, body: { detail: 'Not found.' } })
  t.match(await failure(haptik.createUser({ authId: 'u' })), { status: 404, code: 'unknown', errorMessage: undefined, body: { detail: 'Not found.' }, message: 'createUser: Haptik answered 404 to POST /v1.0/user/' })
})

t.test('an answer that is not JSON (a proxy\'s HTML 502, an empty body) is an error that says so', async t => {
  const api = await standIn(t)
  const { haptik } = clientOf(api)
  const page = `<html><head><title>502 Bad Gateway</title></head><body>${'x'.repeat(600)}</body></html>`
  api.fail('logMessage', { status: 502, body: page })
  const error = await failure(haptik.logMessage({ authId: 'user-42', message: 'Hi' }))
  t.match(error, { status: 502, code: 'not_json', errorMessage: undefined })
  t.equal(error.message, `logMessage: Haptik answered 502 to POST /v1.0/log_message_from_user/ with a body that is not JSON (text/html; charset=utf-8, ${page.length} characters)`)
  t.equal(error.body, page.slice(0, 500), 'the start of the page is kept')
  api.fail('enableWebhook', { status: 200, body: '' })
  t.match(await failure(haptik.enableWebhook()), { status: 200, code: 'not_json', message: /with a body that is not JSON \(text\/html; charset=utf-8, 0 characters\)$/ })
})

t.test('a redirect is not followed: it would take the client-id header to another host', async t => {
  const api = await standIn(t)
  const elsewhere = await standIn(t)
  const { haptik } = clientOf(api)
  api.fail('createUser', { status: 307, headers: { location: `${elsewhere.url}/v1.0/user/` } })
  t.match(await failure(haptik.createUser({ authId: 'u' })), { status: 307, code: 'unknown' })
  t.equal(elsewhere.calls.length, 0)
})

async function refusedWithNoRequest (t: Test, api: { calls: readonly unknown[] }, call: () => Promise<unknown>, field: string, message: RegExp): Promise<void> {
  const before = api.calls.length
  const error = await call().then(() => undefined, (error: unknown) => error)
  t.match(error, { name: 'HaptikValidationError', field, message }, field)
  t.equal(api.calls.length, before, `${field}: no request was made`)
}

t.test('inputs are checked before anything is sent', async t => {
  const api = await standIn(t)
  const { haptik } = clientOf(api)
  const { haptik: noBusiness } = clientOf(api, { businessId: undefined })
  const cases: Array<[() => Promise<unknown>, string, RegExp]> = [
    // create-haptik-user.md:72-91: custom_data must be flat.
    [() => haptik.createUser({ authId: 'u', customData: { address: { country: 'India' } } as never }), 'customData.address', /^createUser: customData\.address must be a string, a finite number, a boolean or null \(Haptik takes a flat object only\), got an object$/],
    [() => haptik.createUser({ authId: 'u', customData: { tags: ['a'] } as never }), 'customData.tags', /got an array$/],
    [() => haptik.createUser({ authId: 'u', customData: { n: Number.NaN } }), 'customData.n', /got a number that is not finite$/],
    [() => haptik.createUser({ authId: 'u', customData: 'city=Pune' as never }), 'customData', /must be a flat object, got a string of 9 characters$/],
    [() => haptik.createUser({ authId: '' }), 'authId', /^createUser: authId must be a non-empty string, got a string of 0 characters$/],
    [() => haptik.createUser({ authId: 'u', email: 42 as never }), 'email', /must be a string, got a number$/],
    [() => haptik.logMessage({ authId: 'user-42', message: ' ' }), 'message', /must be a non-empty string/],
    [() => haptik.logMessage({ authId: 'user-42', message: 'Hi', messageType: -1 }), 'messageType', /must be an integer from 0, got a number below 0$/],
    // A phone number given as a number: the message says what it is, never the digits.
    [() => haptik.sendWhatsAppTemplate({ to: 919876543210 as never, template: { name: 'order_update', language: { code: 'en' } } }), 'to', /got a number$/],
    [() => noBusiness.logMessage({ authId: 'user-42', message: 'Hi' }), 'businessId', /^logMessage: businessId must be a positive integer \(or digits\): give it to the call, or as the client's businessId option, got undefined$/],
    [() => haptik.logMessage({ authId: 'user-42', message: 'Hi', businessId: '34a' }), 'businessId', /got a string of 3 characters$/],
    [() => haptik.logMessage({ authId: 'user-42', message: 'Hi', businessId: 0 }), 'businessId', /got a number$/],
    // send-feedback-to-haptik.md:37-41: query_rating 1 to 5.
    [() => haptik.logFeedback({ authId: 'user-42', resolved: true, rating: 6 }), 'rating', /^logFeedback: rating must be an integer from 1 to 5, got a number above 5$/],
    [() => haptik.logFeedback({ authId: 'user-42', resolved: true, rating: 0 }), 'rating', /got a number below 1$/],
    [() => haptik.logFeedback({ authId: 'user-42', resolved: true, rating: 4.5 }), 'rating', /got a number that is not an integer$/],
    [() => haptik.logFeedback({ authId: 'user-42', resolved: 'yes' as never, rating: 4 }), 'resolved', /^logFeedback: resolved must be true or false, got a string of 3 characters$/],
    // additional-apis.md:50: countdown 5 to 10.
    [() => haptik.sendChatToAgent({ userName: 'u', teamName: 'billing', countdown: 4 }), 'countdown', /^sendChatToAgent: countdown must be an integer from 5 to 10, got a number below 5$/],
    [() => haptik.sendChatToAgent({ userName: 'u', teamName: 'billing', countdown: 11 }), 'countdown', /got a number above 10$/],
    [() => haptik.sendChatToAgent({ userName: 'u', teamName: '' }), 'teamName', /must be a non-empty string/],
    [() => haptik.sendChatToAgent({ teamName: 'billing' } as never), 'userName', /^sendChatToAgent: userName must be a non-empty string, got undefined$/],
    [() => haptik.sendChatToAgent({ userName: 'u', teamName: 'billing', receiver: 'athena' }), 'receiver', /must be given with version 'v2' only, got it with version 'v1'$/],
    [() => haptik.sendChatToAgent({ userName: 'u', teamName: 'billing', version: 'v3' as never }), 'version', /must be 'v1' or 'v2'/],
    // send-file-to-haptik.md:40-45: at most 10 MB, the documented extensions.
    [() => haptik.logFile({ authId: 'user-42', file: new Uint8Array(10 * 1024 * 1024 + 1), filename: 'big.pdf' }), 'file', /^logFile: file must be at most 10485760 bytes \(10 MB\), got 10485761 bytes$/],
    [() => haptik.logFile({ authId: 'user-42', file: Buffer.from('x'), filename: 'notes.txt' }), 'filename', /must be a name ending in one of \.jpg, \.jpeg, \.png, \.gif, \.docx, \.doc, \.pdf, \.xls, \.xlsx, \.csv, got another extension$/],
    [() => haptik.logFile({ authId: 'user-42', file: Buffer.from('x'), filename: 'pdf' }), 'filename', /got another extension$/],
    [() => haptik.logFile({ authId: 'user-42', file: Buffer.from('x'), filename: 'a.png', kind: 'document' }), 'kind', /must be 'image', as the extension says/],
    [() => haptik.logFile({ authId: 'user-42', file: 'bytes' as never, filename: 'a.png' }), 'file', /must be a Blob or a Uint8Array \(a Buffer\)/],
    [() => haptik.getChatHistory({ userName: 'u', conversationNo: 1.5 }), 'conversationNo', /must be an integer from 0/],
    [() => haptik.getChatHistory({ userName: 'u', conversationNo: 1, limit: 0 }), 'limit', /from 1/],
    [() => haptik.getChatHistory({ userName: 'u', conversationNo: 1, responseType: 'csv' as never }), 'responseType', /'json' or 'text'/],
    [() => haptik.getChatHistory({ pxut: '', conversationNo: 1 }), 'pxut', /non-empty string/],
    [() => haptik.enableWebhook({ devicePlatform: -5 }), 'devicePlatform', /from 0/],
    // sending-notifications.md:434-439: the number with its country code.
    [() => haptik.sendWhatsAppTemplate({ to: '98765 43210', template: { name: 't', language: { code: 'en' } } }), 'to', /^sendWhatsAppTemplate: to must be a phone number with its country code: 8 to 15 digits, an optional leading \+, got a string of 11 characters$/],
    [() => haptik.sendWhatsAppTemplate({ to: '919876543210', template: { name: 't' } as never }), 'template', /an object with a name and a language/],
    [() => haptik.sendWhatsAppTemplate({ to: '919876543210', template: { name: '', language: { code: 'en' } } }), 'template.name', /non-empty/],
    [() => haptik.sendWhatsAppTemplate({ to: '919876543210', template: { name: 't', namespace: '', language: { code: 'en' } } }), 'template.namespace', /non-empty/],
    [() => haptik.sendWhatsAppTemplate({ to: '919876543210', template: { name: 't', language: { code: 'en' }, components: {} as never } }), 'template.components', /an array/],
    [() => haptik.sendWhatsAppTemplate({ to: '919876543210', template: { name: 't', language: { code: 'en' }, components: [{ type: 'body' }] as never } }), 'template.components[0]', /an object with parameters/],
    [() => haptik.sendWhatsAppTemplate({ to: '919876543210', template: { name: 't', language: { code: 'en' }, components: [{ type: 'footer', parameters: [] }] as never } }), 'template.components[0].type', /'header', 'body' or 'button'/],
    [() => haptik.sendWhatsAppTemplate({ to: '919876543210', template: { name: 't', language: { code: 'en' }, components: [{ type: 'button', subType: 'call', index: 0, parameters: [] }] as never } }), 'template.components[0].subType', /'quick_reply' or 'url'/],
    [() => haptik.sendWhatsAppTemplate({ to: '919876543210', template: { name: 't', language: { code: 'en' }, components: [{ type: 'button', subType: 'url', index: 'first', parameters: [] }] } }), 'template.components[0].index', /from 0 to 9/],
    [() => haptik.request({ family: 'bot' as never, method: 'GET', path: '/x/' }), 'family', /'messaging', 'platform' or 'whatsapp'/],
    [() => haptik.request({ family: 'platform', method: 'HEAD' as never, path: '/x/' }), 'method', /GET, POST, PUT, PATCH or DELETE/],
    [() => haptik.request({ family: 'platform', method: 'GET', path: '/x/?user_name=u' }), 'path', /without a query/],
    [() => haptik.request({ family: 'platform', method: 'GET', path: 'x/' }), 'path', /starting with/],
    [() => haptik.request({ family: 'platform', method: 'GET', path: '/x/', idempotent: 'yes' as never }), 'idempotent', /true or false/],
    [() => haptik.request({ family: 'platform', method: 'GET', path: '/x/', query: 'a=1' as never }), 'query', /an object/],
    [() => haptik.request({ family: 'platform', method: 'POST', path: '/x/', form: { a: 1 } as never }), 'form', /a FormData/],
    [() => haptik.request({ family: 'platform', method: 'POST', path: '/x/', form: new FormData(), body: {} }), 'body', /left out when form is given/],
    [() => haptik.createUser(null as never), 'input', /^createUser: input must be an object, got null$/],
    [() => haptik.createUser({ authId: 'u' }, 5000 as never), 'options', /must be an object, got a number$/],
    [() => haptik.createUser({ authId: 'u' }, { timeout: 0 }), 'options.timeout', /from 1 to 2147483647, got a number below 1$/],
    [() => haptik.createUser({ authId: 'u' }, { maxRetries: 11 }), 'options.maxRetries', /from 0 to 10, got a number above 10$/],
    [() => haptik.createUser({ authId: 'u' }, { signal: 'abort' as never }), 'options.signal', /an AbortSignal/]
  ]
  for (const [call, field, message] of cases) await refusedWithNoRequest(t, api, call, field, message)
})

t.test('a family without a base URL is refused before sending', async t => {
  const api = await standIn(t)
  const { haptik } = clientOf(api, { baseUrl: { messaging: api.url } })
  await refusedWithNoRequest(t, api, () => haptik.sendChatToAgent({ userName: 'u', teamName: 'billing' }), 'baseUrl.platform',
    /^sendChatToAgent: baseUrl\.platform must be the base URL of Haptik's platform host \(createHaptikClient's baseUrl\), got none$/)
  await haptik.createUser({ authId: 'u' })
  t.equal(api.calls.length, 1, 'the family it has works')
})

t.test('createHaptikClient checks its options at once, and says which is wrong (never its value)', async t => {
  const good = { token: TOKEN, clientId: CLIENT_ID, baseUrl: 'https://staging-messenger.haptikapi.com' }
  const refused = (options: unknown) => {
    try {
      createHaptikClient(options as HaptikClientOptions)
    } catch (error) {
      return error
    }
  }
  const cases: Array<[unknown, string, RegExp]> = [
    [undefined, 'options', /^createHaptikClient: options must be an object, got undefined$/],
    [{ ...good, token: '' }, 'token', /^createHaptikClient: token must be a non-empty string of printable ASCII without spaces, got something else$/],
    [{ ...good, token: 42 }, 'token', /got something else$/],
    [{ ...good, clientId: undefined }, 'clientId', /got something else$/],
    [{ ...good, baseUrl: undefined }, 'baseUrl', /^createHaptikClient: baseUrl must be a URL, or \{ messaging, platform, whatsapp \}: Haptik's hosts have no default, got undefined$/],
    [{ ...good, baseUrl: {} }, 'baseUrl', /must be at least one of messaging, platform and whatsapp/],
    [{ ...good, baseUrl: 'staging-messenger.haptikapi.com' }, 'baseUrl', /^createHaptikClient: baseUrl must be an http\(s\) URL without credentials, query or fragment, got something else$/],
    [{ ...good, baseUrl: 'ftp://haptik.example' }, 'baseUrl', /http\(s\) URL/],
    [{ ...good, baseUrl: 'https://user:pass@haptik.example' }, 'baseUrl', /without credentials/],
    [{ ...good, baseUrl: 'https://haptik.example/?region=us' }, 'baseUrl', /query/],
    [{ ...good, baseUrl: 'https://haptik.example/#a' }, 'baseUrl', /fragment/],
    [{ ...good, baseUrl: { messaging: 'https://haptik.example', platform: new URL('https://haptik.example') } }, 'baseUrl.platform', /^createHaptikClient: baseUrl\.platform must be an http\(s\) URL/],
    [{ ...good, businessId: -1 }, 'businessId', /^createHaptikClient: businessId must be a positive integer/],
    [{ ...good, timeout: 0 }, 'timeout', /from 1 to 2147483647, got a number below 1$/],
    [{ ...good, timeout: 2 ** 31 }, 'timeout', /got a number above 2147483647$/],
    [{ ...good, maxRetries: 1.5 }, 'maxRetries', /from 0 to 10, got a number that is not an integer$/],
    [{ ...good, logger: console.log }, 'logger', /^createHaptikClient: logger must be a logger with trace, debug, info and warn \(pino, or app\.log\), got a function$/],
    [{ ...good, logger: { info: () => {} } }, 'logger', /got an object$/],
    [{ ...good, fetch: 'fetch' }, 'fetch', /must be a function/]
  ]
  for (const [options, field, message] of cases) t.match(refused(options), { name: 'HaptikValidationError', call: 'createHaptikClient', field, message }, field)
  t.equal(refused({ ...good, baseUrl: { whatsapp: 'http://localhost:8080/wa/' }, businessId: '343', timeout: 1, maxRetries: 0 }), undefined, 'one family is enough; digits for the business')
})

t.test('a transcript entry whose timestamp is not text has no sentAt; an answer that is not JSON and names no content type says so', async t => {
  const api = await standIn(t)
  const { haptik } = clientOf(api)
  api.fail('getChatHistory', { status: 200, body: { chat_json: [{ text: 'Hi', sender: 'user', message_id: 1, timestamp: 1719041065 }] } })
  const { messages } = await haptik.getChatHistory({ userName: 'ab112468917fgghdebc', conversationNo: 0 })
  t.same([messages[0].text, messages[0].sentAt], ['Hi', undefined])

  // A proxy's answer with a body and no Content-Type.
  const { createServer } = await import('node:http')
  const proxy = createServer((_request, response) => { response.writeHead(502); response.end(Buffer.from('Bad gateway')) })
  await new Promise<void>(resolve => proxy.listen(0, '127.0.0.1', resolve))
  t.teardown(() => { proxy.close() })
  const { port } = proxy.address() as { port: number }
  const behindProxy = createHaptikClient({ token: TOKEN, clientId: CLIENT_ID, baseUrl: `http://127.0.0.1:${port}`, businessId: 343, maxRetries: 0 })
  const error = await behindProxy.logMessage({ authId: 'user-42', message: 'Hi' }).catch((error: unknown) => error)
  t.match(error, { name: 'HaptikApiError', status: 502, code: 'not_json', message: /with a body that is not JSON \(no content-type, 11 characters\)/ })
})
