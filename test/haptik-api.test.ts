// The testing kit's stand-in for Haptik's REST APIs (haptikApi), on its own:
// what it answers a request the client would never send (a missing field, a
// wrong header), as Haptik's docs say Haptik does, where they say it; what it
// records; how it delivers webhook events; how it closes. Requests here are
// plain fetch calls, as a user's hand-written client would make them.
import Fastify from 'fastify'
import t from 'tap'
import { haptikApi, type HaptikApi } from '../lib/testing/index.js'
import { standIn } from './helpers/client.js'

const AUTH = { authorization: 'Bearer t0ken', 'client-id': 'c1ient', 'content-type': 'application/json' }

async function post (api: HaptikApi, path: string, body: unknown, headers: Record<string, string> = AUTH, method = 'POST') {
  const response = await fetch(api.url + path, { method, headers, body: typeof body === 'string' ? body : JSON.stringify(body) })
  return { status: response.status, body: await response.json() as unknown }
}

async function get (api: HaptikApi, path: string, headers: Record<string, string> = AUTH) {
  const response = await fetch(api.url + path, { headers })
  return { status: response.status, body: await response.json() as unknown }
}

t.test('authorization: 401 with the /v1.0 pages\' message, or the platform table\'s', async t => {
  // api-security-rules.md:5-9 (401); create-haptik-user.md:110-116; additional-apis.md:73-81.
  const api = await standIn(t, { token: 't0ken', clientId: 'c1ient' })
  const hand = '/integration/external/v1.0/send_chat_to_agent/'
  const body = { team_name: 'billing', user_name: 'u', business_id: 343 }
  t.same(await post(api, hand, body, { 'client-id': 'c1ient' }), { status: 401, body: { error_message: 'token missing in headers' } })
  t.same(await post(api, hand, body, { ...AUTH, authorization: 'Bearer other' }), { status: 401, body: { error_message: 'invalid token provided' } })
  t.same(await post(api, hand, body, { authorization: 'Bearer t0ken' }), { status: 401, body: { error_message: 'client_id missing in headers' } })
  t.same(await post(api, hand, body, { ...AUTH, 'client-id': '' }), { status: 401, body: { error_message: 'client_id missing in headers' } })
  t.same(await post(api, hand, body, { ...AUTH, 'client-id': 'other' }), { status: 401, body: { error_message: 'invalid client_id in headers' } })
  t.same(await post(api, hand, body, { ...AUTH, authorization: 't0ken' }), { status: 401, body: { error_message: 'token missing in headers' } }, 'no Bearer: no token (build-laa.md:89\'s mistake)')
  t.same(await post(api, '/v1.0/user/', { auth_id: 'u' }, { ...AUTH, authorization: 'Bearer other' }), { status: 401, body: { error_message: 'invalid authorization details' } })
  t.same(await post(api, hand, body), { status: 200, body: { success: true } })
  const open = await standIn(t)
  t.same(await post(open, hand, body, { ...AUTH, authorization: 'Bearer anything', 'client-id': 'any' }), { status: 200, body: { success: true } }, 'without token and clientId options: any')
})

t.test('a request missing what the docs require: the docs\' message, else a "haptikApi:" one', async t => {
  const api = await standIn(t, { users: ['user-42'] })
  const missing = (field: string, source: string) => ({ status: 400, body: { error_message: `haptikApi: ${field} is required (${source})` } })
  t.same(await post(api, '/v1.0/user/', { name: 'no id' }), missing('auth_id', 'create-haptik-user.md:52-62'))
  t.same(await post(api, '/v1.0/log_message_from_user/', { message_body: 'Hi' }), { status: 403, body: { error_message: 'user is not registered' } })
  t.same(await post(api, '/v1.0/log_message_from_user/', { user: { auth_id: 'user-42' }, message_body: 'Hi', business_id: '343', message_type: 0 }),
    missing('message_body (a string), business_id and message_type (numbers)', 'send-message-to-haptik.md:38-41'))
  const form = (fields: Record<string, string>, file = true) => {
    const data = new FormData()
    for (const [name, value] of Object.entries(fields)) data.append(name, value)
    if (file) data.append('file', new Blob(['x']), 'a.png')
    return data
  }
  const upload = async (data: FormData) => {
    const response = await fetch(`${api.url}/v1.0/log_file_from_user/`, { method: 'POST', headers: { authorization: AUTH.authorization, 'client-id': AUTH['client-id'] }, body: data })
    return { status: response.status, body: await response.json() as unknown }
  }
  t.same(await upload(form({ auth_id: 'stranger', business_id: '343', message_type: '1' })), { status: 403, body: { error_message: 'user is not registered' } })
  t.same(await upload(form({ business_id: '343', message_type: '1' })), { status: 403, body: { error_message: 'user is not registered' } })
  const file = missing('a file, business_id and message_type (1 or 52)', 'send-file-to-haptik.md:37-45')
  t.same(await upload(form({ auth_id: 'user-42', business_id: '343', message_type: '1' }, false)), file)
  t.same(await upload(form({ auth_id: 'user-42', business_id: 'x', message_type: '1' })), file)
  t.same(await upload(form({ auth_id: 'user-42', business_id: '343', message_type: '2' })), file)
  t.match(await upload(form({ auth_id: 'user-42', business_id: '343', message_type: '1' })), { status: 200, body: { message_body: '', message_type: 1 } }, 'no message_body: an empty one')
  t.same(await post(api, '/v1.0/log_feedback_from_user/', { business_id: 343 }), { status: 403, body: { error_message: 'Invalid_User' } })
  t.same(await post(api, '/v1.0/log_feedback_from_user/', { auth_id: 'user-42', business_id: 343, query_resolved: 'yes', query_rating: 5 }),
    missing('business_id, query_resolved and query_rating', 'send-feedback-to-haptik.md:37-41'))
  t.same(await post(api, '/v1.0/webhook/', { enabled: false }), missing('enabled: true', 're-enable-webhook.md:37'))
  const hand = '/integration/external/v1.0/send_chat_to_agent/'
  t.same(await post(api, hand, { team_name: 'billing', business_id: 343 }), { status: 400, body: { error_message: 'user_name missing in the request' } })
  t.same(await post(api, hand, { team_name: 'billing', user_name: 'u', business_id: '' }), { status: 400, body: { error_message: 'business_id missing in the request' } })
  t.same(await post(api, hand, { user_name: 'u', business_id: 343 }), { status: 400, body: { error_message: 'team_name missing in the request' } })
  t.same(await post(api, '/integration/external/v2.0/send_chat_to_agent/', { team_name: 'billing', user_name: 'u', business_id: 343 }), missing('receiver', 'the v2.0 page'))
  const history = '/integration/external/v2.0/get_chat_history/'
  const noGroup = { status: 400, body: { error_message: 'Argument group validation: no valid group.' } }
  t.same(await get(api, `${history}?user_name=u&business_id=343`), noGroup)
  t.same(await get(api, `${history}?user_name=u&conversation_no=1`), noGroup)
  t.same(await get(api, `${history}?business_id=343&conversation_no=1`), noGroup)
  t.same(await get(api, `${history}?user_name=u&business_id=abc&conversation_no=1`), { status: 400, body: { error_message: 'Invalid business_id' } })
  t.match(await get(api, `${history}?pxut=p&conversation_no=1`), { status: 200, body: { chat_json: [{}, {}] } })
  const whatsapp = missing('business_id (a number), to, type "template" and template', 'sending-notifications.md:202-241')
  t.same(await post(api, '/whatsapp/notification/v2/', { business_id: 343, to: '919876543210', type: 'hsm', hsm: {} }), whatsapp, 'the legacy hsm type is not served')
  t.same(await post(api, '/whatsapp/notification/v2/', { business_id: 343, type: 'template', template: {} }), whatsapp)
  t.same(await post(api, '/whatsapp/notification/v2/', { business_id: 343, to: '919876543210', type: 'template' }), whatsapp)
  t.same(await post(api, '/whatsapp/notification/v2/', { to: '919876543210', type: 'template', template: {} }), whatsapp)
  t.same(await post(api, '/whatsapp/notification/v2/', 'not json'), whatsapp, 'a body that is not JSON is no template')
  t.equal(api.calls.at(-1)?.body, 'not json', 'recorded as its text')
})

t.test('what the stand-in does not serve: 404, recorded', async t => {
  const api = await standIn(t)
  t.same(await get(api, '/v1.0/user/?auth_id=u'), { status: 404, body: { error_message: 'haptikApi: no endpoint GET /v1.0/user/' } })
  t.match(api.calls, [{ endpoint: undefined, method: 'GET', path: '/v1.0/user/', query: { auth_id: 'u' }, body: undefined, answer: 404 }])
  t.same(api.callsTo('createUser'), [])
  t.equal(api.user('nobody'), undefined)
  const user = api.user('user-42')
  t.match(user, { authId: 'user-42', userName: /^[0-9a-f]{19}$/, userId: 5_120_931 })
})

t.test('a body it cannot read: 500, saying why', async t => {
  const api = await standIn(t)
  const response = await fetch(`${api.url}/v1.0/log_file_from_user/`, { method: 'POST', headers: { ...AUTH, 'content-type': 'multipart/form-data; boundary=xyz' }, body: 'no parts here' })
  t.equal(response.status, 500)
  t.match(await response.json(), { error_message: /^haptikApi: / })
})

t.test('deliver(): an event to the app\'s webhook, signed; what the app answered, recorded', async t => {
  const none = await standIn(t)
  await t.rejects(none.deliver('message', {}), { name: 'TypeError', message: 'haptikApi: deliver() needs the webhook option: { url, secret }' })

  const app = Fastify()
  t.teardown(() => app.close())
  const seen: unknown[] = []
  await app.register(await import('../lib/index.js').then(module => module.default), {
    prefix: '/haptik',
    secret: 'webhook-secret',
    steps: [],
    webhooks: { on: { chat_pinned: event => { seen.push(event.agent?.name) } } }
  })
  app.get('/text', async () => 'plain')
  const address = await app.listen({ port: 0, host: '127.0.0.1' })
  const api = await standIn(t, { webhook: { url: `${address}/haptik/webhook`, secret: 'webhook-secret' } })
  const [delivery] = await api.deliver('chat_pinned', { agent: { name: 'Asha', is_automated: false }, message: { id: 7, body: { text: 'Asha joined', type: 'TEXT', data: { quick_replies: [] } } } })
  t.match(delivery, { status: 200, body: { status: 'handled' }, error: undefined, event: { version: '1.0', event_name: 'chat_pinned', agent: { name: 'Asha' } } })
  t.same(seen, ['Asha'])
  t.equal(api.deliveries.length, 1)

  const text = await standIn(t, { webhook: { url: `${address}/text`, secret: 's' } })
  t.match(await text.deliver('message', {}), [{ status: 404, body: { message: 'Route POST:/text not found' } }])
  const unreachable = await standIn(t, { webhook: { url: 'http://127.0.0.1:1/webhook', secret: 's' } })
  t.match(await unreachable.deliver('message', {}), [{ status: undefined, body: undefined, error: 'fetch failed' }])
  t.ok(text.deliveries.length === 1 && unreachable.deliveries.length === 1)
  const textual = Fastify()
  t.teardown(() => textual.close())
  textual.post('/hook', async (_, reply) => await reply.type('text/plain').send('ok'))
  const plain = await standIn(t, { webhook: { url: `${await textual.listen({ port: 0, host: '127.0.0.1' })}/hook`, secret: 's' } })
  t.match(await plain.deliver('message', {}), [{ status: 200, body: 'ok' }], 'an answer that is not JSON: its text')
})

t.test('on a port and host of your choice; close() cuts hung calls', async t => {
  const api = await haptikApi({ host: '::1' })
  t.match(api.url, /^http:\/\/\[::1\]:\d+$/)
  api.fail('enableWebhook', 'hang')
  const hung = fetch(`${api.url}/v1.0/webhook/`, { method: 'POST', headers: AUTH, body: '{"enabled":true}' }).then(() => 'answered', () => 'cut')
  while (api.calls.length === 0) await new Promise(resolve => setTimeout(resolve, 10))
  await api.close()
  t.equal(await hung, 'cut')
  t.match(api.calls, [{ endpoint: 'enableWebhook', answer: 'hang' }])
})
