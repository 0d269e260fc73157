// Retries, deadlines and aborts, against the stand-in over real sockets.
// Haptik documents no retry policy, no idempotency key and no Retry-After
// (haptik-rest-api.md §1.3-1.4), so the client repeats only what is safe to
// repeat: users (keyed by auth_id), feedback (once per user per hour,
// docs/webhooks/send-feedback-to-haptik.md:55-61), the webhook flag and reads.
// Timings assert lower bounds and generous upper ones: the machine is shared.
import { spawn } from 'node:child_process'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { fileURLToPath } from 'node:url'
import t from 'tap'
import { HaptikAbortError, HaptikApiError, HaptikConnectionError, HaptikTimeoutError } from '../lib/client/index.js'
import { backoff, retryAfter, sentNothing, sleep } from '../lib/client/retry.js'
import { haptikApi, type HaptikApi } from '../lib/testing/index.js'
import { clientOf, since, standIn } from './helpers/client.js'
import type { LogLine } from './helpers/logs.js'

const NOW = { status: 503, headers: { 'retry-after': '0' } }

t.test('a safe call after a 503 is retried, after a backoff, and resolves', async t => {
  const api = await standIn(t)
  const { haptik, lines } = clientOf(api)
  api.fail('createUser', { status: 503, errorMessage: 'Service Unavailable' })
  const start = Date.now()
  t.same(await haptik.createUser({ authId: 'user-7' }), { authId: 'user-7' })
  const elapsed = since(start)
  t.equal(api.callsTo('createUser').length, 2, 'sent twice')
  t.same(api.calls.map(({ answer }) => answer), [503, 200])
  const retry = lines.find(line => line.message === 'haptik api call: retrying') as LogLine
  t.match(retry, { level: 'info', call: 'createUser', attempt: 1, status: 503, error: 'HaptikApiError' })
  t.ok((retry.delayMs as number) >= 375 && (retry.delayMs as number) <= 500, `backoff of the first retry: 0.5 s less up to a quarter (${String(retry.delayMs)} ms)`)
  t.ok(elapsed >= (retry.delayMs as number), `the call waited for it (${elapsed} ms)`)
  t.match(lines.at(-1), { level: 'debug', message: 'haptik api call', status: 200, attempts: 2 })
})

t.test('every safe call is retried on 408, 429 and 5xx, and not on another 4xx', async t => {
  const api = await standIn(t)
  const { haptik } = clientOf(api)
  const statuses = [408, 429, 500, 502, 503, 504]
  for (const status of statuses) {
    const authId = `user-${status}`
    await haptik.createUser({ authId })
    await haptik.logMessage({ authId, message: 'Hi' })
    for (const endpoint of ['updateUser', 'logFeedback', 'enableWebhook', 'getChatHistory'] as const) api.fail(endpoint, { ...NOW, status })
    await haptik.updateUser({ authId })
    t.same(await haptik.logFeedback({ authId, resolved: true, rating: 5 }), { success: true, alreadySubmitted: false })
    await haptik.enableWebhook()
    await haptik.getChatHistory({ userName: 'u', conversationNo: 1 })
  }
  for (const endpoint of ['updateUser', 'logFeedback', 'enableWebhook', 'getChatHistory'] as const) {
    const ok = endpoint === 'logFeedback' ? 201 : 200
    t.same(api.callsTo(endpoint).map(({ answer }) => answer), statuses.flatMap(status => [status, ok]), `${endpoint}: each status, then the retry answered`)
  }
  for (const status of [400, 401, 403, 404, 409, 422]) {
    api.fail('createUser', { status, errorMessage: 'no' })
    const error = await haptik.createUser({ authId: 'user-42' }).catch((error: HaptikApiError) => error)
    t.match(error, { status, attempts: 1 }, `${status}: not retried`)
  }
})

t.test('an unsafe call after a 503 is sent exactly once', async t => {
  const api = await standIn(t)
  const { haptik } = clientOf(api)
  const unsafe = {
    logMessage: () => haptik.logMessage({ authId: 'user-42', message: 'Hi' }),
    logFile: () => haptik.logFile({ authId: 'user-42', file: Buffer.from('x'), filename: 'a.png' }),
    sendChatToAgent: () => haptik.sendChatToAgent({ userName: 'u', teamName: 'billing' }),
    sendWhatsAppTemplate: () => haptik.sendWhatsAppTemplate({ to: '919876543210', template: { name: 'hello', language: { code: 'en' } } }),
    request: () => haptik.request({ family: 'messaging', method: 'POST', path: '/v1.0/log_message_from_user/', body: {} })
  }
  for (const [name, call] of Object.entries(unsafe)) {
    api.fail(name === 'request' ? 'logMessage' : name as keyof typeof unsafe & 'logMessage', NOW)
    const before = api.calls.length
    const error = await call().catch((error: HaptikApiError) => error)
    t.match(error, { status: 503, attempts: 1 }, name)
    t.equal(api.calls.length, before + 1, `${name}: one request`)
  }
})

t.test('an unsafe call after a reset is sent exactly once; a safe one is retried', async t => {
  const api = await standIn(t)
  const { haptik } = clientOf(api)
  api.fail('logMessage', 'reset')
  const error = await haptik.logMessage({ authId: 'user-42', message: 'Hi' }).catch((error: unknown) => error)
  t.ok(error instanceof HaptikConnectionError)
  t.match(error, { beforeSending: false, attempts: 1, call: 'logMessage', message: /^logMessage: could not reach Haptik's messaging host for POST \/v1\.0\/log_message_from_user\/ \(.+\)$/ })
  t.same(api.callsTo('logMessage').map(({ answer }) => answer), ['reset'], 'received once, and the connection cut')
  api.fail('createUser', 'reset')
  await haptik.createUser({ authId: 'user-7' })
  t.same(api.callsTo('createUser').map(({ answer }) => answer), ['reset', 200])
})

/** A port nothing listens on (yet). */
async function freePort (): Promise<number> {
  const server = createServer()
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  await new Promise(resolve => server.close(resolve))
  return port
}

t.test('a connection refused (nothing was sent) is retried, even for an unsafe call', async t => {
  const port = await freePort()
  let api: Promise<HaptikApi> | undefined
  t.teardown(async () => { await (await api)?.close() })
  const { haptik, lines } = clientOf({ url: `http://127.0.0.1:${port}` } as HaptikApi, {
    logger: {
      trace: () => {},
      debug: () => {},
      // Haptik comes up during the backoff.
      info: (fields, message) => {
        lines.push({ ...fields, level: 'info', message })
        api ??= haptikApi({ port, users: ['user-42'] })
      },
      warn: () => {}
    }
  })
  const logged = await haptik.logMessage({ authId: 'user-42', message: 'Hi' })
  t.equal(logged.messageBody, 'Hi')
  t.match(lines, [{ call: 'logMessage', attempt: 1, error: 'HaptikConnectionError' }])
  t.equal((await api as HaptikApi).calls.length, 1, 'the message reached Haptik once')

  const { haptik: never } = clientOf({ url: `http://127.0.0.1:${await freePort()}` } as HaptikApi)
  const error = await never.logMessage({ authId: 'user-42', message: 'Hi' }, { maxRetries: 0 }).catch((error: unknown) => error)
  t.match(error, { name: 'HaptikConnectionError', beforeSending: true, attempts: 1, message: /\(connect ECONNREFUSED 127\.0\.0\.1:\d+\)$/ })
})

t.test('Retry-After: 2 is honoured', async t => {
  // No Haptik page documents Retry-After (haptik-rest-api.md §1.3); a proxy in front of it may send one.
  const api = await standIn(t)
  const { haptik, lines } = clientOf(api)
  api.fail('getChatHistory', { status: 503, headers: { 'retry-after': '2' } })
  const start = Date.now()
  await haptik.getChatHistory({ userName: 'u', conversationNo: 1 })
  const elapsed = since(start)
  t.ok(elapsed >= 2000, `waited at least 2 s (${elapsed} ms)`)
  t.ok(elapsed < 8000, `and not much more (${elapsed} ms)`)
  t.match(lines.find(line => line.message === 'haptik api call: retrying'), { delayMs: 2000 })
  t.equal(api.callsTo('getChatHistory').length, 2)
})

t.test('a Retry-After over 60 s ends the call with its error, which carries it', async t => {
  const api = await standIn(t)
  const { haptik } = clientOf(api)
  api.fail('createUser', { status: 429, headers: { 'retry-after': '61' } })
  const error = await haptik.createUser({ authId: 'u' }).catch((error: unknown) => error)
  t.match(error, { status: 429, retryAfter: 61, attempts: 1 })
  t.equal(api.calls.length, 1)
})

t.test('an abort during a backoff ends the call within 50 ms, and no request follows', async t => {
  const api = await standIn(t)
  // A Retry-After of 30 s, and the client's own backoff (about 0.5 s): aborted 100 ms into each.
  for (const failure of [{ status: 503, headers: { 'retry-after': '30' } }, { status: 503 }]) {
    const controller = new AbortController()
    let abortedAt = 0
    const abortSoon = () => { setTimeout(() => { abortedAt = Date.now(); controller.abort(new Error('the step is over')) }, 100) }
    const { haptik } = clientOf(api, { logger: { trace: () => {}, debug: () => {}, info: abortSoon, warn: () => {} } })
    api.fail('createUser', failure)
    const before = api.calls.length
    const error = await haptik.createUser({ authId: 'u' }, { signal: controller.signal }).catch((error: unknown) => error)
    const late = since(abortedAt)
    t.ok(error instanceof HaptikAbortError)
    t.match(error, { attempts: 1, call: 'createUser', message: 'createUser: aborted during a backoff (POST /v1.0/user/)', cause: { message: 'the step is over' } })
    t.ok(late < 50, `ended ${late} ms after the abort`)
    await new Promise(resolve => setTimeout(resolve, 600))
    t.equal(api.calls.length, before + 1, 'no request after the abort, nor later')
  }
})

t.test('an abort before the call sends nothing; an abort during a request ends it at once', async t => {
  const api = await standIn(t)
  const { haptik } = clientOf(api)
  const reason = new Error('caller gone')
  const before = await haptik.createUser({ authId: 'u' }, { signal: AbortSignal.abort(reason) }).catch((error: unknown) => error)
  t.match(before, { name: 'HaptikAbortError', attempts: 0, cause: reason, message: 'createUser: aborted before it was sent (POST /v1.0/user/)' })
  t.equal(api.calls.length, 0)
  api.fail('createUser', 'hang')
  const controller = new AbortController()
  setTimeout(() => controller.abort(reason), 200)
  const start = Date.now()
  const during = await haptik.createUser({ authId: 'u' }, { signal: controller.signal }).catch((error: unknown) => error)
  t.match(during, { name: 'HaptikAbortError', attempts: 1, cause: reason, message: 'createUser: aborted while waiting for Haptik (POST /v1.0/user/)' })
  t.ok(since(start) < 2000, 'not retried: the caller is gone')
  t.equal(api.calls.length, 1)
})

t.test('the timeout applies per attempt: a safe call is retried after one, an unsafe call is not', async t => {
  const api = await standIn(t)
  const { haptik, lines } = clientOf(api, { timeout: 300 })
  api.fail('getChatHistory', { status: 503, headers: { 'retry-after': '0' } })
  api.fail('getChatHistory', 'hang')
  const start = Date.now()
  await haptik.getChatHistory({ userName: 'u', conversationNo: 1 })
  t.ok(since(start) >= 300, 'the second attempt ran out its time')
  t.same(api.callsTo('getChatHistory').map(({ answer }) => answer), [503, 'hang', 200])
  t.match(lines.filter(({ level }) => level !== 'debug'), [
    { level: 'trace', attempt: 1, outcome: 'answer', status: 503 },
    { level: 'info', attempt: 1, status: 503, error: 'HaptikApiError', delayMs: 0 },
    { level: 'trace', attempt: 2, outcome: 'timeout', status: undefined },
    { level: 'info', attempt: 2, status: undefined, error: 'HaptikTimeoutError' },
    { level: 'trace', attempt: 3, outcome: 'answer', status: 200 }
  ], 'each line with its own attempt\'s status')
  t.match(lines.at(-1), { level: 'debug', status: 200, attempts: 3 })

  api.fail('logMessage', 'hang')
  const error = await haptik.logMessage({ authId: 'user-42', message: 'Hi' }, { timeout: 200 }).catch((error: unknown) => error)
  t.ok(error instanceof HaptikTimeoutError)
  t.match(error, { timeout: 200, attempts: 1, message: 'logMessage: no answer from Haptik within 200 ms (POST /v1.0/log_message_from_user/, attempt 1)' })
  t.equal(api.callsTo('logMessage').length, 1)

  api.fail('getChatHistory', 'hang', 3)
  const last = await haptik.getChatHistory({ userName: 'u', conversationNo: 1 }, { timeout: 100, maxRetries: 2 }).catch((error: unknown) => error)
  t.match(last, { name: 'HaptikTimeoutError', attempts: 3, timeout: 100 }, 'the last attempt\'s timeout, after the retries')
})

t.test('maxRetries, from the client and per call', async t => {
  const api = await standIn(t)
  const { haptik } = clientOf(api, { maxRetries: 1 })
  api.fail('createUser', NOW, 5)
  t.match(await haptik.createUser({ authId: 'u' }).catch((error: unknown) => error), { status: 503, attempts: 2 })
  t.match(await haptik.createUser({ authId: 'u' }, { maxRetries: 0 }).catch((error: unknown) => error), { status: 503, attempts: 1 })
  t.same(await haptik.createUser({ authId: 'u' }, { maxRetries: 3 }), { authId: 'u' }, 'the last two failures, then an answer')
  t.equal(api.calls.length, 2 + 1 + 3)
})

t.test('feedback: a duplicate answering a retry of a call that may have landed is success', async t => {
  // send-feedback-to-haptik.md:55-61: one feedback per user per hour, "duplicate feedback" to another.
  const api = await standIn(t)
  const { haptik } = clientOf(api)
  const duplicate = { status: 400, errorMessage: 'duplicate feedback' }
  const feedback = { authId: 'user-42', resolved: true, rating: 5 }
  for (const lost of [NOW, 'reset', 'hang'] as const) {
    api.fail('logFeedback', lost)
    api.fail('logFeedback', duplicate)
    t.same(await haptik.logFeedback(feedback, { timeout: 300 }), { success: true, alreadySubmitted: true }, `after ${typeof lost === 'string' ? lost : '503'}`)
  }
  // A 429 says the first was not taken: the duplicate is another feedback's.
  api.fail('logFeedback', { status: 429, headers: { 'retry-after': '0' } })
  api.fail('logFeedback', duplicate)
  t.match(await haptik.logFeedback(feedback).catch((error: unknown) => error), { code: 'duplicate_feedback', attempts: 2 })
  api.fail('logFeedback', NOW)
  api.fail('logFeedback', { status: 400, errorMessage: 'Invalid_User' })
  t.match(await haptik.logFeedback(feedback).catch((error: unknown) => error), { code: 'user_not_registered', attempts: 2 }, 'another error is still one')
})

t.test('a fetch of your own is used; what it throws is a connection error', async t => {
  const api = await standIn(t)
  const seen: string[] = []
  const { haptik } = clientOf(api, {
    fetch: async (url, init) => {
      seen.push(`${init.method ?? ''} ${url}`)
      return await fetch(url, init)
    }
  })
  await haptik.createUser({ authId: 'u' })
  t.same(seen, [`POST ${api.url}/v1.0/user/`])
  const { haptik: broken } = clientOf(api, { fetch: async () => { throw new Error('no network in this sandbox') } })
  const error = await broken.logMessage({ authId: 'user-42', message: 'Hi' }).catch((error: unknown) => error)
  t.match(error, { name: 'HaptikConnectionError', beforeSending: false, attempts: 1, message: /\(no network in this sandbox\)$/ })
})

t.test('nothing keeps the process open once a call settles', async t => {
  // A separate Node.js process makes one call and has nothing else to do: it must exit at once.
  const api = await standIn(t)
  const script = fileURLToPath(new URL('fixtures/client/settle-and-exit.ts', import.meta.url))
  const run = async (scenario: string) => await new Promise<{ outcome: string, settledAfter: number, livedOn: number }>((resolve, reject) => {
    // The test's own TypeScript loader (tap's): a child on another (tsx) would report coverage of
    // differently compiled sources under the same file names, and spoil the suite's coverage.
    const child = spawn(process.execPath, [...process.execArgv, script, api.url, scenario], { env: { ...process.env }, stdio: ['ignore', 'pipe', 'inherit'] })
    let output = ''
    child.stdout.on('data', chunk => { output += String(chunk) })
    child.once('exit', () => {
      try {
        resolve(JSON.parse(output))
      } catch (error) {
        reject(error)
      }
    })
  })
  const answered = await run('answer')
  t.match(answered, { outcome: 'resolved' })
  t.ok(answered.livedOn < 1000, `an answered call: exited ${answered.livedOn} ms after it settled (its connection kept alive, not the process)`)
  api.fail('logMessage', 'hang')
  const timedOut = await run('timeout')
  t.match(timedOut, { outcome: 'HaptikTimeoutError' })
  t.ok(timedOut.settledAfter >= 300, 'after its timeout')
  t.ok(timedOut.livedOn < 1000, `a call that timed out: exited ${timedOut.livedOn} ms after`)
  api.fail('createUser', { status: 503, headers: { 'retry-after': '30' } })
  const aborted = await run('backoff')
  t.match(aborted, { outcome: 'HaptikAbortError' })
  t.ok(aborted.livedOn < 1000, `a call aborted during a 30 s backoff: exited ${aborted.livedOn} ms after`)
})

t.test('retry helpers', async t => {
  t.equal(retryAfter(null), undefined)
  t.equal(retryAfter(' 2 '), 2)
  t.equal(retryAfter('1.5'), 1.5)
  t.equal(retryAfter('Wed, 21 Oct 2015 07:28:10 GMT', Date.parse('Wed, 21 Oct 2015 07:28:00 GMT')), 10, 'an HTTP date')
  t.equal(retryAfter('Wed, 21 Oct 2015 07:28:00 GMT', Date.parse('Wed, 21 Oct 2015 08:00:00 GMT')), 0, 'a date past: at once')
  t.equal(retryAfter('soon'), undefined)
  for (let retry = 1; retry <= 6; retry++) {
    const delay = backoff(retry)
    const full = Math.min(500 * 2 ** (retry - 1), 8000)
    t.ok(delay >= full * 0.75 && delay <= full, `retry ${retry}: ${delay} ms of ${full}`)
  }
  const refused = (code: string) => Object.assign(new Error(code), { code })
  t.ok(sentNothing(new TypeError('fetch failed', { cause: refused('ECONNREFUSED') })))
  t.ok(sentNothing(new TypeError('fetch failed', { cause: new AggregateError([refused('ECONNREFUSED'), refused('ENETUNREACH')]) })), 'every address refused')
  t.notOk(sentNothing(new TypeError('fetch failed', { cause: new AggregateError([refused('ECONNREFUSED'), refused('ECONNRESET')]) })))
  t.notOk(sentNothing(new TypeError('fetch failed', { cause: new AggregateError([]) })))
  t.notOk(sentNothing(new TypeError('fetch failed', { cause: refused('UND_ERR_SOCKET') })), 'a socket closed: maybe after sending')
  t.notOk(sentNothing(new Error('plain')))
  t.notOk(sentNothing(null))
  const reason = new Error('stop')
  await t.rejects(sleep(10_000, AbortSignal.abort(reason)), reason, 'an aborted signal: at once')
  t.equal(await sleep(1, new AbortController().signal), undefined, 'a signal never aborted: the wait ends')
  t.equal(await sleep(1, undefined), undefined, 'no signal: the wait ends')
})
