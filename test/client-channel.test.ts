// A whole Bot API custom channel, as docs/client.md's recipe builds it, over
// real sockets: the user's message goes in through logMessage
// (docs/webhooks/send-message-to-haptik.md), Haptik (the stand-in) posts the
// bot's reply to the app's webhook route, signed (docs/webhooks/protocols.md:17,
// the event as docs/webhooks/webhook-payload.md:103-136 shows it), and the
// handler relays it to the user exactly once, though it is delivered twice
// (duplicates are "the client's responsibility", protocols.md:36).
import Fastify from 'fastify'
import t from 'tap'
import fastifyHaptik from '../lib/index.js'
import { hsl, summaryOf } from '../lib/hsl/index.js'
import { createHaptikClient } from '../lib/client/index.js'
import { haptikApi } from '../lib/testing/index.js'

const SECRET = 'webhook-secret'

t.test('a user\'s message in, the bot\'s reply out, relayed once though delivered twice', async t => {
  const outbox: Array<{ userId: string | undefined, text: string }> = []
  // Haptik, played by the stand-in: its URL goes into the app's client.
  const api = await haptikApi()
  t.teardown(() => api.close())
  const client = createHaptikClient({ token: 'hk-token', clientId: 'hk-client', baseUrl: api.url, businessId: 343 })

  const app = Fastify({ requestTimeout: 15_000 })
  t.teardown(() => app.close())
  await app.register(fastifyHaptik, {
    prefix: '/haptik',
    secret: SECRET,
    steps: [],
    webhooks: {
      on: {
        // 2. Haptik delivers the bot's reply; the plugin runs this once per message.
        message: async ({ user, message }) => {
          if (message?.body !== undefined) outbox.push({ userId: user?.auth_id, text: summaryOf(message.body) })
        }
      }
    }
  })
  // 1. A user's message from the app's own channel goes to the bot.
  app.post<{ Body: { userId: string, text: string } }>('/chat', async (request, reply) => {
    const { userId, text } = request.body
    await client.createUser({ authId: userId })
    const { messageId } = await client.logMessage({ authId: userId, message: text })
    return await reply.code(202).send({ messageId })
  })
  const address = await app.listen({ port: 0, host: '127.0.0.1' })
  // Once the app listens: the bot echoes, and each reply is delivered to the app's webhook twice.
  api.useWebhook({ url: `${address}/haptik/webhook`, secret: SECRET, times: 2, reply: text => hsl.text(`You said: ${text}`) })

  const sent = await fetch(`${address}/chat`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ userId: 'user-42', text: 'Where is my order?' }) })
  t.equal(sent.status, 202)
  t.same(await sent.json(), { messageId: 1_411_200_492 })
  await api.settled()

  t.same(outbox, [{ userId: 'user-42', text: 'You said: Where is my order?' }], 'relayed once')
  t.equal(api.deliveries.length, 2, 'delivered twice')
  t.match(api.deliveries.map(({ status, body }) => [status, body]), [[200, { status: 'handled' }], [200, { status: 'duplicate' }]])
  const event = api.deliveries[0]?.event as Record<string, any>
  t.match(event, {
    version: '1.0',
    event_name: 'message',
    business_id: 343,
    user: { auth_id: 'user-42', user_name: api.user('user-42')?.userName, device_platform: 13 },
    agent: { name: 'gogo', is_automated: true },
    message: { id: 1_982_371, body: { type: 'TEXT', text: 'You said: Where is my order?' } }
  }, 'the docs\' event, with the user and the bot\'s reply')
  t.same(api.deliveries[1]?.event, event, 'the second delivery is the same event')
  t.same(api.calls.map(({ endpoint }) => endpoint), ['createUser', 'logMessage'])
})

t.test('a delivery the app refuses or cannot take is recorded as such', async t => {
  const app = Fastify()
  t.teardown(() => app.close())
  await app.register(fastifyHaptik, { prefix: '/haptik', secret: SECRET, steps: [], webhooks: { on: { message: () => { throw new Error('the user\'s channel is down') } } } })
  const address = await app.listen({ port: 0, host: '127.0.0.1' })
  const api = await haptikApi({ users: ['user-42'], webhook: { url: `${address}/haptik/webhook`, secret: 'not-the-secret' } })
  t.teardown(() => api.close())
  const client = createHaptikClient({ token: 'hk-token', clientId: 'hk-client', baseUrl: api.url, businessId: 343 })
  await client.logMessage({ authId: 'user-42', message: 'Hi' })
  await api.settled()
  t.match(api.deliveries, [{ status: 401, body: { code: 'FST_HAPTIK_INVALID_SIGNATURE' }, error: undefined, event: { message: { body: { text: 'Hi', type: 'TEXT' } } } }],
    'signed with another secret: refused (and the default reply is the docs\' "Hi")')
})
