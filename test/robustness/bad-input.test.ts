// The bad-input matrix: one table of hostile or broken requests, each with
// the status and error code it must get, and after every one a check that
// the server still answers a good call. Cases `inject` can express go
// through `inject`; the rest (lying lengths, half bodies, slow clients,
// wire-level header tricks) go through a real socket.
import { connect, type AddressInfo, type Socket } from 'node:net'
import { request as httpRequest } from 'node:http'
import { Readable } from 'node:stream'
import { gzipSync } from 'node:zlib'
import t from 'tap'
import Fastify, { type FastifyInstance, type InjectOptions } from 'fastify'
import { Type } from '@sinclair/typebox'
import fastifyHaptik, { DEFAULT_FALLBACK_MESSAGE, DEFAULT_INVALID_ENTITY_MESSAGE, defineStep } from '../../lib/index.js'
import { SECRET, detection, envelope, haptikSignature } from '../helpers/haptik.js'

// Slow on a loaded 2-core machine: its slow-client cases wait for the server's request timeout. Tap's default is 30 s per file.
t.setTimeout(120_000)

const BODY_LIMIT = 4096
// Low on purpose, so the slow-client cases end in about two seconds.
const REQUEST_TIMEOUT = 2000
const STEP_TIMEOUT = 150

let orderCalls = 0
const order = defineStep({
  name: 'order',
  entities: Type.Object({ product: Type.String(), qty: Type.Optional(Type.Number()) }),
  handler: ({ entities }) => {
    orderCalls++
    return `ok ${entities.product}`
  }
})

const never = defineStep({ name: 'never', timeout: STEP_TIMEOUT, handler: () => new Promise<string>(() => {}) })

// What the `rejects` step rejects with, picked by conversation_details.kind.
const REJECTIONS: Record<string, unknown> = {
  string: 'plain string',
  null: null,
  undefined,
  number: 42,
  object: { not: 'an error' }
}
const rejects = defineStep({
  name: 'rejects',
  handler: ({ conversationDetails }) => Promise.reject(REJECTIONS[conversationDetails.kind as string])
})
const throwsSync = defineStep({
  name: 'throws',
  // eslint-disable-next-line no-throw-literal
  handler: () => { throw 'a thrown string' }
})

const FALLBACK = { status: false, response: [DEFAULT_FALLBACK_MESSAGE] }
const INVALID_ENTITY_REPLY = { status: false, response: [DEFAULT_INVALID_ENTITY_MESSAGE] }

/** A valid order body, as Haptik would send it. */
function orderBody (product = 'speaker', extra: Record<string, unknown> = {}): string {
  return JSON.stringify(envelope('order', { product: [detection(product)] }, extra))
}

function stepBody (step: string, extra: Record<string, unknown> = {}): string {
  return JSON.stringify(envelope(step, {}, extra))
}

/** Inject options for a POST, signed over `payload` unless headers say otherwise. */
function post (payload: string | Buffer, headers: Record<string, string | string[] | undefined> = {}, url = '/order'): InjectOptions {
  const all: Record<string, string | string[]> = { 'content-type': 'application/json', 'x-hub-signature': haptikSignature(payload) }
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) delete all[name]
    else all[name] = value
  }
  return { method: 'POST', url, payload, headers: all }
}

interface Outcome { status: number | null, code: string | null, body?: unknown }

function outcomeOf (status: number | null, text: string): Outcome {
  let body: unknown
  try { body = JSON.parse(text) } catch { body = text }
  const code = typeof body === 'object' && body !== null && typeof (body as { code?: unknown }).code === 'string'
    ? (body as { code: string }).code
    : null
  return { status, code, body }
}

/**
 * Opens a socket, lets `drive` write whatever it likes, and collects the
 * answer until the server closes. status is null when no answer came back.
 */
function rawExchange (port: number, drive: (socket: Socket) => void): Promise<Outcome> {
  return new Promise(resolve => {
    const socket = connect(port, '127.0.0.1', () => drive(socket))
    let raw = ''
    socket.setEncoding('utf8')
    socket.on('data', chunk => { raw += chunk })
    socket.on('error', () => {})
    socket.on('close', () => {
      const match = /^HTTP\/1\.1 (\d{3})/.exec(raw)
      // The first response only: what follows a lying Content-Length is another request.
      const first = raw.split('HTTP/1.1 ').filter(Boolean)[0] ?? ''
      const bodyText = first.slice(first.indexOf('\r\n\r\n') + 4)
      const outcome = outcomeOf(match === null ? null : Number(match[1]), bodyText)
      resolve(outcome)
    })
  })
}

function head (lines: string[]): string {
  return ['POST /order HTTP/1.1', 'Host: localhost', ...lines, '', ''].join('\r\n')
}

const chunk = (bytes: string): string => `${Buffer.byteLength(bytes).toString(16)}\r\n${bytes}\r\n`

/** A good call over a real socket (node:http), for "still serving" after socket cases. */
function httpPost (port: number, payload: string): Promise<{ status: number, body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({
      port,
      host: '127.0.0.1',
      method: 'POST',
      path: '/order',
      agent: false,
      headers: { 'content-type': 'application/json', 'x-hub-signature': haptikSignature(payload), 'content-length': Buffer.byteLength(payload) }
    }, res => {
      let text = ''
      res.setEncoding('utf8')
      res.on('data', part => { text += part })
      res.on('end', () => resolve({ status: res.statusCode as number, body: text }))
    })
    req.on('error', reject)
    req.end(payload)
  })
}

interface Case {
  name: string
  status: number | null
  code: string | null
  /** The exact JSON body expected, when it matters (handler failures). */
  body?: unknown
  /** Whether the `order` handler may run. Default: only for 200 answers. */
  reachesHandler?: boolean
  inject?: InjectOptions
  socket?: (port: number) => Promise<Outcome>
  todo?: string
}

const good = orderBody()
const goodSignature = haptikSignature(good)
const big = orderBody('x'.repeat(BODY_LIMIT))
function nested (depth: number): string {
  return '['.repeat(depth) + ']'.repeat(depth)
}
const deepBody = `{"step":"order","event":"API_INTEGRATION","conversation_details":{"deep":${nested(1500)}},"entities":{"product":[{"entity_value":"speaker"}]}}`
const deepEntity = `{"step":"order","event":"API_INTEGRATION","entities":{"product":[{"entity_value":${nested(1500)}}]}}`
const invalidUtf8InString = Buffer.concat([Buffer.from(good.slice(0, good.lastIndexOf('speaker'))), Buffer.from([0xff, 0xfe]), Buffer.from(good.slice(good.lastIndexOf('speaker')))])
const invalidUtf8Token = Buffer.concat([Buffer.from([0xc3, 0x28]), Buffer.from(good)])
const utf16 = Buffer.from(good, 'utf16le')

const cases: Case[] = [
  // ---- signature header ----
  { name: 'no X-Hub-Signature', inject: post(good, { 'x-hub-signature': undefined }), status: 401, code: 'FST_HAPTIK_MISSING_SIGNATURE' },
  { name: 'empty X-Hub-Signature', inject: post(good, { 'x-hub-signature': '' }), status: 401, code: 'FST_HAPTIK_MISSING_SIGNATURE' },
  { name: 'X-Hub-Signature twice (array)', inject: post(good, { 'x-hub-signature': [goodSignature, goodSignature] }), status: 401, code: 'FST_HAPTIK_MALFORMED_SIGNATURE' },
  { name: 'X-Hub-Signature twice, joined by a comma', inject: post(good, { 'x-hub-signature': `${goodSignature}, ${goodSignature}` }), status: 401, code: 'FST_HAPTIK_MALFORMED_SIGNATURE' },
  { name: 'oversized X-Hub-Signature (8 KiB of hex)', inject: post(good, { 'x-hub-signature': goodSignature + 'a'.repeat(8192) }), status: 401, code: 'FST_HAPTIK_MALFORMED_SIGNATURE' },
  { name: 'sha256= prefix', inject: post(good, { 'x-hub-signature': 'sha256=' + goodSignature.slice(5) }), status: 401, code: 'FST_HAPTIK_MALFORMED_SIGNATURE' },
  { name: 'non-hex digest', inject: post(good, { 'x-hub-signature': 'sha1=' + 'x'.repeat(40) }), status: 401, code: 'FST_HAPTIK_MALFORMED_SIGNATURE' },
  { name: 'signed with another secret', inject: post(good, { 'x-hub-signature': haptikSignature(good, 'not-the-secret') }), status: 401, code: 'FST_HAPTIK_INVALID_SIGNATURE' },
  { name: 'signature of another body', inject: post(good, { 'x-hub-signature': haptikSignature(orderBody('powerbank')) }), status: 401, code: 'FST_HAPTIK_INVALID_SIGNATURE' },
  // ---- content types, charsets, encodings ----
  { name: 'no Content-Type', inject: post(good, { 'content-type': undefined }), status: 415, code: 'FST_HAPTIK_UNSUPPORTED_MEDIA_TYPE' },
  { name: 'text/plain', inject: post(good, { 'content-type': 'text/plain' }), status: 415, code: 'FST_HAPTIK_UNSUPPORTED_MEDIA_TYPE' },
  { name: 'application/x-www-form-urlencoded', inject: post(good, { 'content-type': 'application/x-www-form-urlencoded' }), status: 415, code: 'FST_HAPTIK_UNSUPPORTED_MEDIA_TYPE' },
  { name: 'multipart/form-data', inject: post(good, { 'content-type': 'multipart/form-data; boundary=x' }), status: 415, code: 'FST_HAPTIK_UNSUPPORTED_MEDIA_TYPE' },
  { name: 'application/xml', inject: post(good, { 'content-type': 'application/xml' }), status: 415, code: 'FST_HAPTIK_UNSUPPORTED_MEDIA_TYPE' },
  { name: 'application/json-patch+json', inject: post(good, { 'content-type': 'application/json-patch+json' }), status: 415, code: 'FST_HAPTIK_UNSUPPORTED_MEDIA_TYPE' },
  { name: 'charset=iso-8859-1', inject: post(good, { 'content-type': 'application/json; charset=iso-8859-1' }), status: 415, code: 'FST_HAPTIK_UNSUPPORTED_MEDIA_TYPE' },
  { name: 'charset given twice (utf-8, then latin1)', inject: post(good, { 'content-type': 'application/json; charset=utf-8; charset=latin1' }), status: 415, code: 'FST_HAPTIK_UNSUPPORTED_MEDIA_TYPE' },
  { name: 'charset=utf-16le with a UTF-16 body', inject: post(utf16, { 'content-type': 'application/json; charset=utf-16le' }), status: 415, code: 'FST_HAPTIK_UNSUPPORTED_MEDIA_TYPE' },
  { name: 'Content-Encoding: gzip', inject: post(gzipSync(good), { 'content-encoding': 'gzip' }), status: 415, code: 'FST_HAPTIK_UNSUPPORTED_MEDIA_TYPE' },
  { name: 'Content-Encoding: br (body not compressed)', inject: post(good, { 'content-encoding': 'br' }), status: 415, code: 'FST_HAPTIK_UNSUPPORTED_MEDIA_TYPE' },
  // ---- bodies that are not a Haptik request ----
  { name: 'empty body, application/json', inject: post(''), status: 400, code: 'FST_HAPTIK_INVALID_JSON' },
  { name: 'no body, no Content-Type, signed empty', inject: { method: 'POST', url: '/order', headers: { 'x-hub-signature': haptikSignature('') } }, status: 400, code: 'FST_HAPTIK_INVALID_ENVELOPE' },
  { name: 'no body, signature of something else', inject: { method: 'POST', url: '/order', headers: { 'x-hub-signature': goodSignature } }, status: 401, code: 'FST_HAPTIK_INVALID_SIGNATURE' },
  { name: 'body null', inject: post('null'), status: 400, code: 'FST_HAPTIK_INVALID_ENVELOPE' },
  { name: 'body an array', inject: post(`[${good}]`), status: 400, code: 'FST_HAPTIK_INVALID_ENVELOPE' },
  { name: 'body a string', inject: post('"API_INTEGRATION"'), status: 400, code: 'FST_HAPTIK_INVALID_ENVELOPE' },
  { name: 'body a number', inject: post('42'), status: 400, code: 'FST_HAPTIK_INVALID_ENVELOPE' },
  { name: 'truncated JSON', inject: post(good.slice(0, -3)), status: 400, code: 'FST_HAPTIK_INVALID_JSON' },
  { name: 'invalid UTF-8 between tokens', inject: post(invalidUtf8Token), status: 400, code: 'FST_HAPTIK_INVALID_JSON' },
  {
    name: 'invalid UTF-8 inside a string',
    inject: post(invalidUtf8InString),
    status: 400,
    code: 'FST_HAPTIK_INVALID_JSON'
  },
  { name: 'deep nesting (1500 levels) in conversation_details', inject: post(deepBody), status: 200, code: null },
  { name: 'deep nesting (1500 levels) as an entity value', inject: post(deepEntity), status: 200, code: null, body: INVALID_ENTITY_REPLY, reachesHandler: false },
  { name: '__proto__ key at the top', inject: post(good.replace('{', '{"__proto__":{"polluted":true},')), status: 400, code: 'FST_HAPTIK_INVALID_JSON' },
  { name: '__proto__ key inside user_details', inject: post(orderBody('speaker', { user_details: JSON.parse('{"__proto__":{"polluted":true}}') })), status: 400, code: 'FST_HAPTIK_INVALID_JSON' },
  { name: 'constructor.prototype key', inject: post(orderBody('speaker', { conversation_details: { constructor: { prototype: { polluted: true } } } })), status: 400, code: 'FST_HAPTIK_INVALID_JSON' },
  { name: 'plain "constructor" key is data', inject: post(orderBody('speaker', { conversation_details: { constructor: 'fine' } })), status: 200, code: null },
  // secure-json-parse skips a leading BOM, as Fastify's own JSON parser does.
  { name: 'UTF-8 byte order mark before the JSON', inject: post(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(good)])), status: 200, code: null },
  // The docs give API_INTEGRATION as an example, not a rule.
  { name: 'another event', inject: post(orderBody('speaker', { event: 'MESSAGE' })), status: 200, code: null },
  { name: 'event not a string', inject: post(orderBody('speaker', { event: { type: 'MESSAGE' } })), status: 400, code: 'FST_HAPTIK_INVALID_ENVELOPE' },
  { name: 'no entities field', inject: post(JSON.stringify({ step: 'order', event: 'API_INTEGRATION' })), status: 400, code: 'FST_HAPTIK_INVALID_ENVELOPE' },
  { name: 'user_details a string', inject: post(orderBody('speaker', { user_details: 'Pune' })), status: 400, code: 'FST_HAPTIK_INVALID_ENVELOPE' },
  // (A number would be coerced to the declared string, as Fastify's validator does.)
  // The user's input, not a broken integration: the failure path, and the handler never runs.
  { name: 'entity of the wrong type', inject: post(JSON.stringify(envelope('order', { product: [detection({ no: 'value' })] }))), status: 200, code: null, body: INVALID_ENTITY_REPLY, reachesHandler: false },
  { name: 'required entity with no detection', inject: post(JSON.stringify(envelope('order', { product: [] }))), status: 200, code: null, body: INVALID_ENTITY_REPLY, reachesHandler: false },
  { name: 'request for another step', inject: post(JSON.stringify(envelope('other', { product: [detection('speaker')] }))), status: 400, code: 'FST_HAPTIK_STEP_MISMATCH' },
  // ---- sizes and lengths ----
  { name: 'body over the limit, with Content-Length', inject: post(big), status: 413, code: 'FST_HAPTIK_BODY_TOO_LARGE' },
  {
    name: 'body over the limit, streamed without Content-Length',
    inject: { ...post(big), payload: Readable.from([Buffer.from(big.slice(0, 3000)), Buffer.from(big.slice(3000))]) },
    status: 413,
    code: 'FST_HAPTIK_BODY_TOO_LARGE'
  },
  { name: 'Content-Length shorter than the body', inject: post(good, { 'content-length': String(good.length - 5) }), status: 400, code: 'FST_HAPTIK_INVALID_CONTENT_LENGTH' },
  { name: 'Content-Length over the limit', inject: post(good, { 'content-length': String(BODY_LIMIT + 1) }), status: 413, code: 'FST_HAPTIK_BODY_TOO_LARGE' },
  // ---- handlers that fail: the bot carries on (200, failure path) ----
  { name: 'handler never resolves (deadline)', inject: post(stepBody('never'), {}, '/never'), status: 200, code: null, body: FALLBACK },
  ...Object.keys(REJECTIONS).map((kind): Case => ({
    name: `handler rejects with ${kind}`,
    inject: post(stepBody('rejects', { conversation_details: { kind } }), {}, '/rejects'),
    status: 200,
    code: null,
    body: FALLBACK
  })),
  { name: 'handler throws a string synchronously', inject: post(stepBody('throws'), {}, '/throws'), status: 200, code: null, body: FALLBACK },
  // ---- over a real socket ----
  {
    name: 'X-Hub-Signature repeated on the wire',
    socket: port => rawExchange(port, s => s.end(head([
      'Content-Type: application/json', `Content-Length: ${good.length}`, `X-Hub-Signature: ${goodSignature}`,
      `X-Hub-Signature: ${goodSignature}`, 'Connection: close'
    ]) + good)),
    status: 401,
    code: 'FST_HAPTIK_MALFORMED_SIGNATURE'
  },
  {
    name: 'Content-Type repeated on the wire (Node keeps the first)',
    socket: port => rawExchange(port, s => s.end(head([
      'Content-Type: text/plain', 'Content-Type: application/json', `Content-Length: ${good.length}`,
      `X-Hub-Signature: ${goodSignature}`, 'Connection: close'
    ]) + good)),
    status: 415,
    code: 'FST_HAPTIK_UNSUPPORTED_MEDIA_TYPE'
  },
  {
    name: 'headers over 16 KiB',
    socket: port => rawExchange(port, s => s.end(head([
      'Content-Type: application/json', `Content-Length: ${good.length}`, `X-Hub-Signature: ${goodSignature}`,
      `X-Padding: ${'p'.repeat(17000)}`, 'Connection: close'
    ]) + good)),
    status: 431,
    code: null
  },
  {
    name: 'Content-Length not a number',
    socket: port => rawExchange(port, s => s.end(head([
      'Content-Type: application/json', 'Content-Length: 12abc', `X-Hub-Signature: ${goodSignature}`, 'Connection: close'
    ]) + good)),
    status: 400,
    code: null
  },
  {
    name: 'Content-Length and Transfer-Encoding together',
    socket: port => rawExchange(port, s => s.end(head([
      'Content-Type: application/json', `Content-Length: ${good.length}`, 'Transfer-Encoding: chunked',
      `X-Hub-Signature: ${goodSignature}`, 'Connection: close'
    ]) + chunk(good) + '0\r\n\r\n')),
    status: 400,
    code: null
  },
  {
    name: 'Content-Length longer than the body, then the client half-closes',
    socket: port => rawExchange(port, s => s.end(head([
      'Content-Type: application/json', `Content-Length: ${good.length + 10}`, `X-Hub-Signature: ${goodSignature}`, 'Connection: close'
    ]) + good)),
    status: 400,
    code: null
  },
  {
    // The extra bytes are parsed as a second request, which is garbage: Node refuses the connection.
    name: 'Content-Length shorter than the body on the wire',
    socket: port => rawExchange(port, s => s.end(head([
      'Content-Type: application/json', `Content-Length: ${good.length - 5}`, `X-Hub-Signature: ${goodSignature}`, 'Connection: close'
    ]) + good)),
    status: 400,
    code: null
  },
  {
    name: 'chunked body over the limit',
    socket: port => rawExchange(port, s => s.end(head([
      'Content-Type: application/json', 'Transfer-Encoding: chunked', `X-Hub-Signature: ${haptikSignature(big)}`, 'Connection: close'
    ]) + chunk(big.slice(0, 2000)) + chunk(big.slice(2000)) + '0\r\n\r\n')),
    status: 413,
    code: 'FST_HAPTIK_BODY_TOO_LARGE'
  },
  {
    name: 'half the body, then the client disconnects',
    socket: port => rawExchange(port, s => {
      s.write(head(['Content-Type: application/json', `Content-Length: ${good.length}`, `X-Hub-Signature: ${goodSignature}`]) + good.slice(0, good.length >> 1))
      setTimeout(() => s.destroy(), 100)
    }),
    status: null,
    code: null
  },
  {
    name: 'one byte a second (requestTimeout ends it)',
    socket: port => rawExchange(port, s => {
      s.write(head(['Content-Type: application/json', `Content-Length: ${good.length}`, `X-Hub-Signature: ${goodSignature}`]))
      let sent = 0
      const drip = setInterval(() => {
        if (s.destroyed || sent === good.length) { clearInterval(drip); return }
        s.write(good[sent++])
      }, 1000)
      s.on('close', () => clearInterval(drip))
    }),
    status: 408,
    code: null
  },
  {
    name: 'headers, then silence (requestTimeout ends it)',
    socket: port => rawExchange(port, s => {
      s.write(head(['Content-Type: application/json', `Content-Length: ${good.length}`, `X-Hub-Signature: ${goodSignature}`]))
    }),
    status: 408,
    code: null
  }
]

async function buildApp (): Promise<FastifyInstance> {
  const app = Fastify({
    requestTimeout: REQUEST_TIMEOUT,
    // Node checks request timeouts every 30 s by default: check often so the test is quick.
    // Node ignores requestTimeout while headersTimeout (60 s by default) is longer than it.
    http: { connectionsCheckingInterval: 200, headersTimeout: 1000 }
  })
  await app.register(fastifyHaptik, { secret: SECRET, bodyLimit: BODY_LIMIT, steps: [order, never, rejects, throwsSync] })
  await app.listen({ port: 0, host: '127.0.0.1' })
  return app
}

t.test('bad-input matrix: every case gets its status and code, and the server still serves', async t => {
  t.ok(cases.length >= 40, `${cases.length} cases`)
  const app = await buildApp()
  t.teardown(() => app.close())
  const { port } = app.server.address() as AddressInfo

  for (const c of cases) {
    await t.test(c.name, c.todo === undefined ? {} : { todo: c.todo }, async tt => {
      const before = orderCalls
      let outcome: Outcome
      if (c.inject !== undefined) {
        const res = await app.inject(c.inject)
        outcome = outcomeOf(res.statusCode, res.body)
      } else {
        const socketOutcome = await (c.socket as NonNullable<Case['socket']>)(port)
        outcome = socketOutcome
      }
      tt.equal(outcome.status, c.status, `status ${String(c.status)}`)
      tt.equal(outcome.code, c.code, `code ${String(c.code)}`)
      if (outcome.status !== c.status || outcome.code !== c.code) tt.comment(`got ${JSON.stringify(outcome.body)}`)
      if (c.body !== undefined) tt.same(outcome.body, c.body, 'body')
      const reaches = c.reachesHandler ?? c.status === 200
      if (!reaches) tt.equal(orderCalls, before, 'the handler never ran')

      const alive = await app.inject(post(good))
      tt.equal(alive.statusCode, 200, 'still serving (inject)')
      if (c.socket !== undefined) {
        const wire = await httpPost(port, good)
        tt.equal(wire.status, 200, 'still serving (socket)')
        tt.same(JSON.parse(wire.body), { status: true, response: ['ok speaker'] })
      }
    })
  }
  t.notOk(({} as Record<string, unknown>).polluted, 'no prototype was polluted')
})
