// Slow clients are cut by the plugin's own routes: a body that trickles
// past `bodyTimeout` gets 408 and its connection is closed, while the app's
// other routes are left to the app. Closing the server never waits on a
// keep-alive client of a step route.
import { connect, type Socket } from 'node:net'
import { Agent, request } from 'node:http'
import t from 'tap'
import Fastify, { type FastifyInstance } from 'fastify'
import fastifyHaptik, { defineStep } from '../../lib/index.js'
import { SECRET, envelope, haptikSignature } from '../helpers/haptik.js'
import { captureLogs } from '../helpers/logs.js'

// Each case waits for a deadline on a real socket; slow on a loaded machine.
t.setTimeout(90_000)

const BODY_TIMEOUT = 300
const order = defineStep({ name: 'order', handler: async () => { await new Promise(resolve => setTimeout(resolve, 200)); return 'ok' } })

async function listening (t: { teardown: (fn: () => unknown) => void }, serverOptions = {}): Promise<{ app: FastifyInstance, port: number, lines: Array<Record<string, unknown>> }> {
  const { logger, lines } = captureLogs('info')
  const app = Fastify({ ...serverOptions, logger })
  app.post('/own', async () => 'the app\'s own route')
  await app.register(fastifyHaptik, { prefix: '/haptik', secret: SECRET, steps: [order], bodyTimeout: BODY_TIMEOUT })
  await app.listen({ port: 0, host: '127.0.0.1' })
  t.teardown(() => app.close())
  return { app, port: (app.server.address() as { port: number }).port, lines }
}

interface Trickle {
  socket: Socket
  /** Everything the server sent. */
  answer: () => string
  /** Resolves when the server closed the connection. */
  closed: Promise<void>
  stop: () => void
}

/** Sends the headers, then one byte of the body every 50 ms (a one-byte chunk, when chunked), for ever. */
function trickle (port: number, path: string, headers: string): Trickle {
  const byte = /chunked/.test(headers) ? '1\r\n \r\n' : ' '
  const socket = connect(port, '127.0.0.1')
  let answer = ''
  socket.setEncoding('utf8')
  socket.on('data', chunk => { answer += chunk })
  socket.on('error', () => {})
  const closed = new Promise<void>(resolve => socket.on('close', () => resolve()))
  socket.write(`POST ${path} HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nX-Hub-Signature: sha1=${'0'.repeat(40)}\r\n${headers}\r\n`)
  const timer = setInterval(() => { if (!socket.destroyed) socket.write(byte) }, 50)
  socket.on('close', () => clearInterval(timer))
  return { socket, answer: () => answer, closed, stop: () => { clearInterval(timer); socket.destroy() } }
}

t.test('a body that trickles past bodyTimeout gets a coded 408 and its connection is closed', async t => {
  const { port, lines } = await listening(t, { requestTimeout: 60_000 })
  for (const headers of ['Content-Length: 10000\r\n', 'Transfer-Encoding: chunked\r\n']) {
    const client = trickle(port, '/haptik/order', headers)
    await client.closed
    const answer = client.answer()
    t.match(answer, /^HTTP\/1\.1 408 Request Timeout/, `${headers.trim()}: 408`)
    t.match(answer, /connection: close/i, `${headers.trim()}: and the connection closes`)
    t.match(answer, /"code":"FST_HAPTIK_BODY_TIMEOUT"/)
    t.match(answer, /"message":"The request body did not arrive within 300 ms"/)
  }
  t.ok(lines.some(line => line.code === 'FST_HAPTIK_BODY_TIMEOUT' && line.statusCode === 408), 'the refusal is logged')
})

t.test('a call refused before its body arrived (a malformed signature header) is answered with its connection closed, not held by a client still sending', async t => {
  const { port } = await listening(t, { requestTimeout: 60_000 })
  // A second X-Hub-Signature: refused in preParsing, before the body is read.
  const client = trickle(port, '/haptik/order', 'X-Hub-Signature: sha1=abc\r\nContent-Length: 10000\r\n')
  t.teardown(client.stop)
  const closed = await Promise.race([client.closed.then(() => true), new Promise(resolve => setTimeout(() => resolve(false), BODY_TIMEOUT * 5))])
  t.match(client.answer(), /^HTTP\/1\.1 401 Unauthorized/)
  t.match(client.answer(), /connection: close/i)
  t.equal(closed, true, 'the server closed the connection')
})

t.test('a hundred trickling clients are all cut, and a good call is still answered', async t => {
  const { port } = await listening(t, { requestTimeout: 60_000 })
  const clients = Array.from({ length: 100 }, () => trickle(port, '/haptik/order', 'Content-Length: 10000\r\n'))
  await Promise.all(clients.map(client => client.closed))
  t.equal(clients.filter(client => /^HTTP\/1\.1 408/.test(client.answer())).length, 100, 'every one got its 408')
  const body = JSON.stringify(envelope('order', {}))
  const response = await fetch(`http://127.0.0.1:${port}/haptik/order`, {
    method: 'POST', body, headers: { 'content-type': 'application/json', 'x-hub-signature': haptikSignature(body) }
  })
  t.same(await response.json(), { status: true, response: ['ok'] })
})

t.test("the app's own routes are not the plugin's to cut", async t => {
  const { port } = await listening(t, { requestTimeout: 60_000 })
  const client = trickle(port, '/own', 'Content-Length: 10000\r\n')
  t.teardown(client.stop)
  const outcome = await Promise.race([client.closed.then(() => 'closed'), new Promise(resolve => setTimeout(resolve, BODY_TIMEOUT * 4, 'open'))])
  t.equal(outcome, 'open', 'still receiving after four times bodyTimeout')
  t.equal(client.answer(), '')
})

t.test('a server that listens with no requestTimeout is warned about, once per registration', async t => {
  const warned = async (serverOptions: object, listen = true) => {
    const { logger, lines } = captureLogs('warn')
    const app = Fastify({ ...serverOptions, logger })
    await app.register(fastifyHaptik, { secret: SECRET, steps: [order] })
    if (listen) await app.listen({ port: 0, host: '127.0.0.1' })
    else await app.ready()
    await app.close()
    return lines.filter(line => /no requestTimeout/.test(String(line.msg)))
  }
  const lines = await warned({})
  t.equal(lines.length, 1)
  t.match(lines[0].msg, 'set one, e.g. Fastify({ requestTimeout: 15_000, http: { headersTimeout: 10_000 } })', "the README's and docs/security.md's figures")
  t.same(await warned({ requestTimeout: 15_000 }), [], 'no warning once it is set')
  t.same(await warned({}, false), [], 'nor for an app that only answers inject()')
})

t.test('close() does not wait for a keep-alive client: a call in flight is answered with Connection: close', async t => {
  const { app, port } = await listening(t, { requestTimeout: 60_000, keepAliveTimeout: 120_000 })
  const agent = new Agent({ keepAlive: true })
  t.teardown(() => agent.destroy())
  const body = JSON.stringify(envelope('order', {}))
  const answered = new Promise<{ status: number | undefined, connection: string | undefined, body: string }>((resolve, reject) => {
    const call = request({ port, host: '127.0.0.1', path: '/haptik/order', method: 'POST', agent, headers: { 'content-type': 'application/json', 'x-hub-signature': haptikSignature(body) } }, response => {
      let text = ''
      response.setEncoding('utf8')
      response.on('data', chunk => { text += chunk })
      response.on('end', () => resolve({ status: response.statusCode, connection: response.headers.connection, body: text }))
    })
    call.on('error', reject)
    call.end(body)
  })
  await new Promise(resolve => setTimeout(resolve, 50))
  // With keepAliveTimeout at 120 s, a close that waited on this connection would outlast the test's own timeout.
  const closing = app.close()
  const response = await answered
  t.equal(response.status, 200)
  t.equal(response.connection, 'close')
  t.same(JSON.parse(response.body), { status: true, response: ['ok'] })
  await closing
  t.pass('close() finished')
})
