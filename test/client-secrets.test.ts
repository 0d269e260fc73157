// The token and the client id never leave the client but in their headers:
// not in an error (message, stack, util.inspect, JSON), not in a log line at
// any level, not in util.inspect of the client. Nor are request bodies (users'
// numbers and messages) logged. Haptik's own sample prints its headers, token
// included (docs/salesforce/build-laa.md:95-98): this is the opposite.
import { inspect } from 'node:util'
import Fastify from 'fastify'
import t, { type Test } from 'tap'
import { createHaptikClient, HaptikError } from '../lib/client/index.js'
import { bindClient } from '../lib/client/bind.js'
import { CLIENT_ID, clientOf, standIn, TOKEN } from './helpers/client.js'
import { captureLogs } from './helpers/logs.js'

/** Every way an error may be shown. */
function shown (error: unknown): string {
  const { message, stack } = error as Error
  return [message, stack, inspect(error, { showHidden: true, depth: Infinity }), JSON.stringify(error), String(error)].join('\n')
}

function secretsAbsent (t: Test, text: string, what: string): void {
  t.notOk(text.includes(TOKEN), `${what}: no token`)
  t.notOk(text.includes(CLIENT_ID), `${what}: no client id`)
}

t.test('no error shows the token or the client id', async t => {
  const api = await standIn(t)
  const { haptik } = clientOf(api, { timeout: 200, maxRetries: 0 })
  const errors: Record<string, unknown> = {}
  const caught = async (name: string, call: Promise<unknown>) => { errors[name] = await call.catch((error: unknown) => error) }
  api.fail('createUser', { status: 503, body: '<html>upstream down</html>' })
  await caught('api (not JSON)', haptik.createUser({ authId: 'u' }))
  api.fail('sendChatToAgent', { status: 401, errorMessage: 'invalid token provided' })
  await caught('api', haptik.sendChatToAgent({ userName: 'u', teamName: 'billing' }))
  api.fail('logMessage', 'hang')
  await caught('timeout', haptik.logMessage({ authId: 'user-42', message: 'Hi' }))
  api.fail('logMessage', 'reset')
  await caught('connection', haptik.logMessage({ authId: 'user-42', message: 'Hi' }))
  const controller = new AbortController()
  api.fail('logMessage', 'hang')
  setTimeout(() => controller.abort(), 50)
  await caught('abort', haptik.logMessage({ authId: 'user-42', message: 'Hi' }, { signal: controller.signal }))
  await caught('validation', haptik.logFeedback({ authId: 'user-42', resolved: true, rating: 9 }))
  await caught('options', Promise.resolve().then(() => createHaptikClient({ token: `${TOKEN}\n`, clientId: CLIENT_ID, baseUrl: api.url })))
  await caught('client id', Promise.resolve().then(() => createHaptikClient({ token: TOKEN, clientId: `${CLIENT_ID} x`, baseUrl: api.url })))
  t.same(Object.entries(errors).filter(([, error]) => !(error instanceof HaptikError)).map(([name]) => name), [], 'each is a HaptikError')
  t.same(Object.values(errors).map(error => (error as Error).name), [
    'HaptikApiError', 'HaptikApiError', 'HaptikTimeoutError', 'HaptikConnectionError', 'HaptikAbortError', 'HaptikValidationError', 'HaptikValidationError', 'HaptikValidationError'
  ])
  t.match(errors.options, { field: 'token', message: 'createHaptikClient: token must be a non-empty string of printable ASCII without spaces, got something else' })
  for (const [name, error] of Object.entries(errors)) secretsAbsent(t, shown(error), name)
})

t.test('Haptik echoing the token or the client id: taken out of the error', async t => {
  const api = await standIn(t)
  const { haptik } = clientOf(api)
  api.fail('createUser', { status: 400, errorMessage: `invalid token ${TOKEN} for ${CLIENT_ID}` })
  const error = await haptik.createUser({ authId: 'u' }).catch((error: unknown) => error)
  t.match(error, { errorMessage: 'invalid token [REDACTED] for [REDACTED]', body: { error_message: 'invalid token [REDACTED] for [REDACTED]' }, code: 'unknown' })
  secretsAbsent(t, shown(error), 'echoed in error_message')
  api.fail('createUser', { status: 502, body: `<pre>Authorization: Bearer ${TOKEN}</pre>` })
  const page = await haptik.createUser({ authId: 'u' }, { maxRetries: 0 }).catch((error: unknown) => error)
  t.match(page, { body: '<pre>Authorization: Bearer [REDACTED]</pre>' })
  secretsAbsent(t, shown(page), 'echoed in an HTML page')
  api.fail('createUser', { status: 200, body: [TOKEN] })
  secretsAbsent(t, shown(await haptik.createUser({ authId: 'u' }).catch((error: unknown) => error)), 'echoed in an unexpected answer')

  const { haptik: leaky } = clientOf(api, { fetch: async () => { throw new Error(`proxy refused Bearer ${TOKEN}`) } })
  const refused = await leaky.logMessage({ authId: 'user-42', message: 'Hi' }).catch((error: unknown) => error)
  t.match(refused, { name: 'HaptikConnectionError', message: /\(proxy refused Bearer \[REDACTED\]\)$/ }, 'a fetch of your own that says the token: not in the message')

  // A client id of digits, echoed as a JSON number: the redacted answer is no longer JSON, so it is kept as text.
  const { haptik: numeric } = clientOf(api, { clientId: '90817263' })
  api.fail('createUser', { status: 400, body: { error_message: 'invalid client_id', client_id: 90817263 } })
  const echoed = await numeric.createUser({ authId: 'u' }).catch((error: unknown) => error)
  t.match(echoed, { code: 'invalid_client_id', body: '{"error_message":"invalid client_id","client_id":[REDACTED]}' })
  t.notOk(shown(echoed).includes('90817263'))
  // A short client id would match too much text by chance: it is not searched for.
  const { haptik: short } = clientOf(api, { clientId: 'c1' })
  api.fail('createUser', { status: 400, errorMessage: 'c1 is not a client' })
  t.match(await short.createUser({ authId: 'u' }).catch((error: unknown) => error), { errorMessage: 'c1 is not a client' })
})

t.test('log lines at every level hold neither the secrets nor the bodies: an allow-list', async t => {
  const api = await standIn(t)
  const { haptik, lines } = clientOf(api, { timeout: 200 })
  await haptik.createUser({ authId: 'user-42', mobileNo: '919876543210', email: 'asha@example.com', name: 'Asha Rao' })
  await haptik.logMessage({ authId: 'user-42', message: 'my card number is 4111' })
  api.fail('getChatHistory', { status: 503, headers: { 'retry-after': '0' } })
  await haptik.getChatHistory({ userName: 'hk_user_secret', conversationNo: 7 })
  api.fail('sendWhatsAppTemplate', 'hang')
  await haptik.sendWhatsAppTemplate({ to: '919876543210', template: { name: 'otp', language: { code: 'en' }, components: [{ type: 'body', parameters: [{ type: 'text', text: '482913' }] }] } }).catch(() => {})
  t.same([...new Set(lines.map(({ level }) => level))].sort(), ['debug', 'info', 'trace'])
  const text = JSON.stringify(lines)
  secretsAbsent(t, text, 'the log')
  for (const personal of ['919876543210', 'asha@example.com', 'Asha Rao', '4111', 'hk_user_secret', 'user_name', '482913', 'otp']) t.notOk(text.includes(personal), `no ${personal}`)
  const allowed = new Set(['level', 'message', 'call', 'method', 'family', 'path', 'status', 'attempt', 'attempts', 'durationMs', 'delayMs', 'outcome', 'error', 'code'])
  t.same([...new Set(lines.flatMap(line => Object.keys(line)))].filter(key => !allowed.has(key)), [], 'only allow-listed fields')
  t.match(lines.find(line => line.call === 'getChatHistory'), { path: '/integration/external/v2.0/get_chat_history/' }, 'the path without its query')
})

t.test("Fastify's logger (pino) at trace: the same", async t => {
  const api = await standIn(t)
  const { logger, lines, text: written } = captureLogs('trace')
  const app = Fastify({ logger })
  t.teardown(() => app.close())
  const haptik = createHaptikClient({ token: TOKEN, clientId: CLIENT_ID, baseUrl: api.url, businessId: 343, logger: app.log })
  await haptik.logMessage({ authId: 'user-42', message: 'my card number is 4111' })
  api.fail('logMessage', { status: 403, errorMessage: 'user is not registered' })
  await haptik.logMessage({ authId: 'user-42', message: 'Hi' }).catch(() => {})
  t.match(lines, [
    { level: 10, msg: 'haptik api attempt', call: 'logMessage', status: 200 },
    { level: 20, msg: 'haptik api call', status: 200, attempts: 1 },
    { level: 10, msg: 'haptik api attempt', status: 403 },
    { level: 20, msg: 'haptik api call', status: 403, error: 'HaptikApiError', code: 'user_not_registered' }
  ])
  secretsAbsent(t, written.join(''), 'pino\'s output')
  t.notOk(written.join('').includes('4111'), 'no body')
})

t.test('util.inspect and JSON of a client show its settings, never the secrets', async t => {
  const api = await standIn(t)
  const { haptik } = clientOf(api)
  const bound = bindClient(haptik, { authId: 'user-42', userName: 'hk', signal: new AbortController().signal, observe: () => undefined })
  for (const client of [haptik, bound]) {
    const text = [inspect(client, { showHidden: true, depth: Infinity }), JSON.stringify(client), String(Object.keys(client)), `${String(client)}`].join('\n')
    secretsAbsent(t, text, 'the client')
    t.notOk(text.includes('user-42'), 'nor the bound user')
  }
  t.equal(inspect(haptik), `HaptikClient {\n  baseUrl: {\n    messaging: '${api.url}',\n    platform: '${api.url}',\n    whatsapp: '${api.url}'\n  },\n  businessId: 343,\n  timeout: 10000,\n  maxRetries: 2\n}`)
  t.same(JSON.parse(JSON.stringify(bound)), { baseUrl: { messaging: api.url, platform: api.url, whatsapp: api.url }, businessId: 343, timeout: 10000, maxRetries: 2, bound: ['signal', 'authId', 'userName', 'observe'] })
  t.same(Object.keys(haptik), [], 'no enumerable field')
})
