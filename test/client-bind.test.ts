// bindClient (lib/client/bind.ts): the client bound to the call it runs in,
// as the plugin will bind it for a step's `context.haptik` and a webhook
// handler's `haptik`. The request's user fills in what a call leaves out
// (a step request carries user.user_name and user.auth_id:
// docs/bot-builder/integrations/integration-parameters.md:20-27; a webhook
// event its user and business_id: docs/webhooks/webhook-payload.md:16-48).
import t from 'tap'
import { bindClient } from '../lib/client/bind.js'
import { HaptikAbortError, type ObservedCall, type ObservedEnd } from '../lib/client/index.js'
import { clientOf, standIn } from './helpers/client.js'

t.test("the binding's user and business fill in what a call leaves out; a call's own win", async t => {
  const api = await standIn(t)
  const { haptik } = clientOf(api, { businessId: 1 })
  const bound = bindClient(haptik, { authId: 'user-42', userName: 'ab112468917fgghdebc', businessId: 343 })
  await bound.sendChatToAgent({ teamName: 'billing' })
  t.same(api.calls[0]?.body, { team_name: 'billing', user_name: 'ab112468917fgghdebc', business_id: 343 }, 'the hand-over: user_name and business from the binding')
  await bound.getChatHistory({ conversationNo: 3 })
  t.same(api.calls[1]?.query, { business_id: '343', user_name: 'ab112468917fgghdebc', conversation_no: '3' }, 'the transcript too')
  await bound.logMessage({ message: 'Hi' })
  t.same(api.calls[2]?.body, { user: { auth_id: 'user-42' }, message_body: 'Hi', message_type: 0, business_id: 343 }, 'messages: auth_id')
  await bound.logFile({ file: Buffer.from('x'), filename: 'a.png' })
  t.match(api.calls[3]?.body, { auth_id: 'user-42', business_id: '343' }, 'files')
  await bound.logFeedback({ resolved: true, rating: 4 })
  t.match(api.calls[4]?.body, { auth_id: 'user-42', business_id: 343 }, 'feedback')
  await bound.createUser({ name: 'Asha' })
  await bound.updateUser({ email: 'a@b.co' })
  t.same(api.calls.slice(5).map(({ body }) => body), [{ auth_id: 'user-42', name: 'Asha' }, { auth_id: 'user-42', email: 'a@b.co' }], 'users')
  await bound.enableWebhook()
  t.same(api.calls[7]?.body, { enabled: true, business_id: 343, device_platform: 13 })
  await bound.sendWhatsAppTemplate({ to: '919876543210', template: { name: 'hello', language: { code: 'en' } } })
  t.match(api.calls[8]?.body, { business_id: 343 })

  await bound.sendChatToAgent({ teamName: 'billing', userName: 'someone-else', businessId: 7 })
  t.same(api.calls[9]?.body, { team_name: 'billing', user_name: 'someone-else', business_id: 7 }, "a call's own user and business win")
  await bound.getChatHistory({ pxut: 'tw389ysgd._aksdjknsk-545641964-B', conversationNo: 2 })
  t.same(api.calls[10]?.query, { pxut: 'tw389ysgd._aksdjknsk-545641964-B', conversation_no: '2' }, 'a pxut picks group 2: the bound user is not added')

  const unbound = bindClient(haptik, {})
  await unbound.sendChatToAgent({ teamName: 'billing', userName: 'u' })
  t.match(api.calls[11]?.body, { business_id: 1 }, "without a bound business, the client's")
})

t.test('left out on a client with no user bound: a HaptikValidationError, and no request', async t => {
  const api = await standIn(t)
  const { haptik } = clientOf(api)
  const bound = bindClient(haptik, { signal: new AbortController().signal })
  const errors = [
    await bound.sendChatToAgent({ teamName: 'billing' }).catch((error: unknown) => error),
    await bound.logMessage({ message: 'Hi' }).catch((error: unknown) => error),
    await bound.getChatHistory({ conversationNo: 1 }).catch((error: unknown) => error)
  ]
  t.match(errors, [
    { name: 'HaptikValidationError', field: 'userName', message: 'sendChatToAgent: userName must be a non-empty string, got undefined' },
    { name: 'HaptikValidationError', field: 'authId', message: 'logMessage: authId must be a non-empty string, got undefined' },
    { name: 'HaptikValidationError', field: 'userName' }
  ])
  t.equal(api.calls.length, 0)
})

t.test("the binding's signal joins every call's own", async t => {
  const api = await standIn(t)
  const { haptik } = clientOf(api)
  const step = new AbortController()
  const bound = bindClient(haptik, { signal: step.signal })
  api.fail('createUser', 'hang', 2)
  setTimeout(() => step.abort(new Error('the step timed out')), 100)
  const byBinding = await bound.createUser({ authId: 'u' }, { signal: new AbortController().signal }).catch((error: unknown) => error)
  t.ok(byBinding instanceof HaptikAbortError)
  t.match(byBinding, { cause: { message: 'the step timed out' }, attempts: 1 })
  t.match(await bound.createUser({ authId: 'u' }).catch((error: unknown) => error), { name: 'HaptikAbortError', attempts: 0 }, 'aborted before sending: no request')

  const open = bindClient(haptik, { signal: new AbortController().signal })
  const call = new AbortController()
  setTimeout(() => call.abort(new Error('the caller gave up')), 100)
  t.match(await open.createUser({ authId: 'u' }, { signal: call.signal }).catch((error: unknown) => error), { name: 'HaptikAbortError', cause: { message: 'the caller gave up' } })
  t.equal(api.calls.length, 2)
})

t.test('observe: called as each call starts and as it ends', async t => {
  const api = await standIn(t)
  const { haptik } = clientOf(api, { timeout: 200 })
  const seen: Array<[ObservedCall, ObservedEnd | undefined]> = []
  const bound = bindClient(haptik, {
    userName: 'hk',
    observe: call => {
      const entry: [ObservedCall, ObservedEnd | undefined] = [call, undefined]
      seen.push(entry)
      return end => { entry[1] = end }
    }
  })
  await bound.sendChatToAgent({ teamName: 'billing' })
  api.fail('getChatHistory', { status: 503, headers: { 'retry-after': '0' } })
  await bound.getChatHistory({ conversationNo: 1 })
  api.fail('sendChatToAgent', { status: 400, errorMessage: 'invalid team_name provided' })
  await bound.sendChatToAgent({ teamName: 'sales' }).catch(() => {})
  api.fail('logMessage', 'hang')
  await bound.logMessage({ authId: 'user-42', message: 'Hi' }).catch(() => {})
  await bound.logFeedback({ authId: 'user-42', resolved: true, rating: 9 }).catch(() => {})
  t.match(seen, [
    [{ method: 'sendChatToAgent', httpMethod: 'POST', family: 'platform', path: '/integration/external/v1.0/send_chat_to_agent/' }, { status: 200, attempts: 1, error: undefined }],
    [{ method: 'getChatHistory', httpMethod: 'GET', family: 'platform', path: '/integration/external/v2.0/get_chat_history/' }, { status: 200, attempts: 2 }],
    [{ method: 'sendChatToAgent' }, { status: 400, attempts: 1, error: { name: 'HaptikApiError', code: 'invalid_team_name' } }],
    [{ method: 'logMessage', family: 'messaging' }, { status: undefined, attempts: 1, error: { name: 'HaptikTimeoutError' } }],
    [{ method: 'logFeedback' }, { attempts: 0, error: { name: 'HaptikValidationError', field: 'rating' } }]
  ])
  t.equal(seen.length, 5, 'one per call, a refused input included')
})

t.test('an observer that throws is logged, never the call\'s failure; one that returns nothing is fine', async t => {
  const api = await standIn(t)
  const { haptik, lines } = clientOf(api)
  const starts = bindClient(haptik, { userName: 'hk', observe: () => { throw new TypeError('broken exporter') } })
  t.same(await starts.sendChatToAgent({ teamName: 'billing' }), { success: true })
  const ends = bindClient(haptik, { userName: 'hk', observe: () => () => { throw new RangeError('broken end') } })
  t.same(await ends.sendChatToAgent({ teamName: 'billing' }), { success: true })
  const silent = bindClient(haptik, { userName: 'hk', observe: () => undefined })
  t.same(await silent.sendChatToAgent({ teamName: 'billing' }), { success: true })
  t.match(lines.filter(({ level }) => level === 'warn'), [
    { message: 'haptik api call: an observer threw', call: 'sendChatToAgent', error: 'TypeError' },
    { message: 'haptik api call: an observer threw', error: 'RangeError' }
  ])
  const { haptik: quiet } = clientOf(api, { logger: undefined })
  const noLogger = bindClient(quiet, { userName: 'hk', observe: () => { throw new Error('x') } })
  t.same(await noLogger.sendChatToAgent({ teamName: 'billing' }), { success: true }, 'without a logger too')
})

t.test('binding a bound client binds it further', async t => {
  const api = await standIn(t)
  const { haptik } = clientOf(api)
  const order: string[] = []
  const outer = new AbortController()
  const first = bindClient(haptik, { authId: 'user-42', userName: 'hk-1', signal: outer.signal, observe: () => { order.push('first'); return () => {} } })
  const second = bindClient(first, { userName: 'hk-2', businessId: '77', signal: new AbortController().signal, observe: () => { order.push('second') } })
  await second.sendChatToAgent({ teamName: 'billing' })
  t.same(api.calls[0]?.body, { team_name: 'billing', user_name: 'hk-2', business_id: 77 }, 'the new user and business replace the old')
  await second.logMessage({ message: 'Hi' })
  t.match(api.calls[1]?.body, { user: { auth_id: 'user-42' } }, 'what the new binding does not give, the old does')
  t.same(order, ['first', 'second', 'first', 'second'], 'both observers, outer first')
  outer.abort()
  t.match(await second.logMessage({ message: 'Hi' }).catch((error: unknown) => error), { name: 'HaptikAbortError' }, "the outer binding's signal still applies")
})

t.test('bindClient refuses what is not a client or a binding', async t => {
  const api = await standIn(t)
  const { haptik } = clientOf(api)
  const refused = (call: () => unknown) => { try { call() } catch (error) { return error } }
  t.match(refused(() => bindClient({ ...haptik }, {})), { name: 'HaptikValidationError', field: 'client', message: 'bindClient: client must be a client made by createHaptikClient, got an object' })
  t.match(refused(() => bindClient(haptik, null as never)), { field: 'binding', message: 'bindClient: binding must be an object, got null' })
  t.match(refused(() => bindClient(haptik, { signal: {} as never })), { field: 'signal', message: /must be an AbortSignal, got an object/ })
  t.match(refused(() => bindClient(haptik, { authId: 42 as never })), { field: 'authId' })
  t.match(refused(() => bindClient(haptik, { userName: [] as never })), { field: 'userName' })
  t.match(refused(() => bindClient(haptik, { businessId: 'x' })), { field: 'businessId' })
  t.match(refused(() => bindClient(haptik, { observe: 'spans' as never })), { field: 'observe', message: 'bindClient: observe must be a function, got a string of 5 characters' })
})
