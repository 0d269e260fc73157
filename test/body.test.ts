import { connect } from 'node:net'
import type { AddressInfo } from 'node:net'
import { gzipSync } from 'node:zlib'
import t from 'tap'
import Fastify from 'fastify'
import { Type } from '@sinclair/typebox'
import fastifyHaptik, { defineStep } from '../lib/index.js'
import { SECRET, detection, envelope, haptikApp, haptikSignature, signedPost } from './helpers/haptik.js'
import { DEFAULT_BODY_LIMIT } from '../lib/options.js'

const echo = defineStep({
  name: 'echo',
  entities: Type.Object({ text: Type.Optional(Type.String()) }),
  handler: ({ entities }) => entities.text ?? 'nothing'
})

function rawRequest (port: number, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.end(text))
    let answer = ''
    socket.setEncoding('utf8')
    socket.on('data', chunk => { answer += chunk })
    socket.on('end', () => resolve(answer))
    socket.on('error', reject)
  })
}

t.test('raw body flow: the exact bytes are on request.rawBody once parsed, and the signature is checked before validation', async t => {
  const stages: Array<[string, boolean]> = []
  const app = Fastify()
  t.teardown(() => app.close())
  const record = (stage: string) => async (request: { rawBody?: Buffer | null }) => {
    stages.push([stage, Buffer.isBuffer(request.rawBody)])
  }
  app.addHook('onRequest', record('onRequest'))
  app.addHook('preParsing', record('preParsing'))
  app.addHook('preValidation', record('preValidation'))
  app.addHook('preHandler', record('preHandler'))
  let raw: Buffer | null | undefined
  const step = defineStep({
    name: 'echo',
    entities: Type.Object({ text: Type.Optional(Type.String()) }),
    handler: ({ request }) => { raw = request.rawBody; return 'ok' }
  })
  await app.register(fastifyHaptik, { secret: SECRET, steps: [step] })
  const payload = JSON.stringify(envelope('echo', { text: [detection('नमस्ते')] }), null, 1)
  const res = await signedPost(app, '/echo', payload)
  t.equal(res.statusCode, 200)
  t.same(stages, [['onRequest', false], ['preParsing', false], ['preValidation', true], ['preHandler', true]])
  t.ok(raw?.equals(Buffer.from(payload)), 'rawBody holds the exact bytes, whitespace and all')

  stages.length = 0
  const forged = await signedPost(app, '/echo', payload, { secret: 'wrong' })
  t.equal(forged.statusCode, 401)
  t.same(stages, [['onRequest', false], ['preParsing', false]], 'a forged call stops before preValidation')
})

t.test('unsupported media types and encodings are a 415', async t => {
  const app = await haptikApp(t, { steps: [echo] })
  const payload = JSON.stringify(envelope('echo', {}))
  const send = (headers: Record<string, string>, body: string | Buffer = payload) => app.inject({
    method: 'POST', url: '/echo', payload: body, headers: { 'x-hub-signature': haptikSignature(body), ...headers }
  })
  const cases: Array<[string, Record<string, string>, string | Buffer | undefined, RegExp]> = [
    ['text/plain', { 'content-type': 'text/plain' }, undefined, /application\/json/],
    ['form', { 'content-type': 'application/x-www-form-urlencoded' }, undefined, /application\/json/],
    ['latin-1 charset', { 'content-type': 'application/json; charset=iso-8859-1' }, undefined, /only UTF-8 JSON is supported/],
    ['charset given twice', { 'content-type': 'application/json; charset=utf-8; charset=latin1' }, undefined, /the Content-Type gives the parameter "charset" twice/],
    ['charset given twice, the same', { 'content-type': 'application/json; charset=utf-8; Charset=utf-8' }, undefined, /the Content-Type gives the parameter "charset" twice/],
    ['gzip', { 'content-type': 'application/json', 'content-encoding': 'gzip' }, gzipSync(payload), /a Content-Encoding other than identity is not supported/],
    ['invalid content type', { 'content-type': '/' }, undefined, /application\/json/]
  ]
  for (const [name, headers, body, message] of cases) {
    const res = await send(headers, body)
    t.equal(res.statusCode, 415, `${name}: status`)
    t.equal(res.json().code, 'FST_HAPTIK_UNSUPPORTED_MEDIA_TYPE', `${name}: code`)
    t.match(res.json().message, message, `${name}: message`)
  }
  t.notMatch((await send({ 'content-type': 'application/json', 'content-encoding': '<script>' })).body, '<script>', 'header values are not echoed')
  for (const contentType of ['application/json; charset=utf-8', 'application/json; charset="UTF-8"', 'Application/JSON', 'application/json; charset=utf-8; version=1', 'application/json;']) {
    t.equal((await send({ 'content-type': contentType })).statusCode, 200, `${contentType} is accepted`)
  }
  t.equal((await send({ 'content-type': 'application/json', 'content-encoding': 'identity' })).statusCode, 200, 'identity encoding is accepted')
})

t.test('malformed JSON is a 400 that does not echo the body', async t => {
  const app = await haptikApp(t, { steps: [echo] })
  const cases: Array<[string, string, RegExp]> = [
    ['truncated', '{"step":"echo","event":"API_INTEGRATION","entities":{"text":[{"entity_value":"secret-value', /not valid JSON/],
    ['empty', '', /the body is empty/],
    ['__proto__ key', '{"event":"API_INTEGRATION","entities":{},"__proto__":{"polluted":true}}', /"__proto__"/],
    ['constructor key', '{"event":"API_INTEGRATION","entities":{},"constructor":{"prototype":{"polluted":true}}}', /"constructor.prototype"/],
    ['__proto__ key spelled with escapes', '{"event":"API_INTEGRATION","entities":{},"\\u005f\\u005fproto\\u005F\\u005f":{"polluted":true}}', /"__proto__"/],
    ['constructor key spelled with escapes', '{"entities":{},"\\u0063onstructor":{"\\u0070rototype":{"polluted":true}}}', /"constructor.prototype"/]
  ]
  for (const [name, payload, message] of cases) {
    const res = await signedPost(app, '/echo', payload)
    t.equal(res.statusCode, 400, `${name}: status`)
    t.equal(res.json().code, 'FST_HAPTIK_INVALID_JSON', `${name}: code`)
    t.match(res.json().message, message, `${name}: message`)
    t.match(res.json().message, /^Step "echo": /, `${name}: names the step`)
    t.notMatch(res.body, 'secret-value', `${name}: the body is not echoed`)
  }
  t.notOk(({} as Record<string, unknown>).polluted, 'no prototype was polluted')
})

t.test('bodies over the limit are a 413, with or without Content-Length', async t => {
  t.equal(DEFAULT_BODY_LIMIT, 131072)
  const app = await haptikApp(t, { steps: [echo], bodyLimit: 1024 })
  const big = JSON.stringify(envelope('echo', { text: [detection('x'.repeat(2000))] }))
  const res = await signedPost(app, '/echo', big)
  t.equal(res.statusCode, 413)
  t.same(res.json(), { statusCode: 413, code: 'FST_HAPTIK_BODY_TOO_LARGE', error: 'Payload Too Large', message: 'Request body is larger than 1024 bytes' })
  t.equal((await signedPost(app, '/echo', envelope('echo', { text: [detection('fits')] }))).statusCode, 200)

  await app.listen({ port: 0, host: '127.0.0.1' })
  const { port } = app.server.address() as AddressInfo
  const chunk = (text: string) => `${Buffer.byteLength(text).toString(16)}\r\n${text}\r\n`
  const answer = await rawRequest(port, [
    'POST /echo HTTP/1.1', 'Host: localhost', 'Content-Type: application/json', 'Transfer-Encoding: chunked',
    `X-Hub-Signature: ${haptikSignature(big)}`, 'Connection: close', '', chunk(big.slice(0, 900)) + chunk(big.slice(900)) + '0\r\n\r\n'
  ].join('\r\n'))
  t.match(answer, /^HTTP\/1.1 413/, 'a chunked body without Content-Length is cut at the limit')
  t.match(answer, /FST_HAPTIK_BODY_TOO_LARGE/)
})

t.test('a Content-Length that does not match the body is a 400', async t => {
  const app = await haptikApp(t, { steps: [echo] })
  await app.listen({ port: 0, host: '127.0.0.1' })
  const { port } = app.server.address() as AddressInfo
  const payload = JSON.stringify(envelope('echo', {}))
  const answer = await rawRequest(port, [
    'POST /echo HTTP/1.1', 'Host: localhost', 'Content-Type: application/json', `Content-Length: ${payload.length + 10}`,
    `X-Hub-Signature: ${haptikSignature(payload)}`, 'Connection: close', '', payload
  ].join('\r\n'))
  // The client half-closes after sending fewer bytes than announced: Node.js's parser answers.
  t.match(answer, /^HTTP\/1.1 400/)
  t.equal((await signedPost(app, '/echo', payload)).statusCode, 200, 'the server still serves')

  const lying = await app.inject({
    method: 'POST',
    url: '/echo',
    payload,
    headers: { 'content-type': 'application/json', 'content-length': String(payload.length - 5), 'x-hub-signature': haptikSignature(payload) }
  })
  t.equal(lying.statusCode, 400)
  t.equal(lying.json().code, 'FST_HAPTIK_INVALID_CONTENT_LENGTH', 'a body longer than announced is refused by Fastify')
})

t.test('an unsigned step refuses compressed bodies too', async t => {
  const app = await haptikApp(t, { steps: [echo], secret: undefined, allowUnsigned: true })
  const res = await app.inject({ method: 'POST', url: '/echo', payload: gzipSync(JSON.stringify(envelope('echo', {}))), headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' } })
  t.equal(res.statusCode, 415)
  t.equal(res.json().code, 'FST_HAPTIK_UNSUPPORTED_MEDIA_TYPE')
})

t.test('with a validator that accepts anything, an unsigned request still never reaches the handler', async t => {
  let called = 0
  const step = defineStep({ name: 'open_door', handler: () => { called++; return 'opened' } })
  const app = Fastify()
  t.teardown(() => app.close())
  app.setValidatorCompiler(() => () => true)
  await app.register(fastifyHaptik, { secret: SECRET, steps: [step] })
  const noBody = await app.inject({ method: 'POST', url: '/open_door', headers: { 'x-hub-signature': haptikSignature('not this') } })
  t.equal(noBody.statusCode, 401)
  t.equal(noBody.json().code, 'FST_HAPTIK_INVALID_SIGNATURE')
  t.equal(called, 0)
})

t.test('a body in Hindi, as Python\'s json.dumps escapes it, is parsed exactly', async t => {
  const app = await haptikApp(t, { steps: [echo] })
  // json.dumps({"text": "नमस्ते 👋"}) with Python's default ensure_ascii=True:
  const hindi = '{"step": "echo", "entities": {"text": [{"entity_value": "\\u0928\\u092e\\u0938\\u094d\\u0924\\u0947 \\ud83d\\udc4b"}]}}'
  t.same((await signedPost(app, '/echo', hindi)).json(), { status: true, response: ['नमस्ते 👋'] })
  const escapedAscii = '{"step": "echo", "entities": {"text": [{"entity_value": "caf\\u00e9"}]}}'
  t.same((await signedPost(app, '/echo', escapedAscii)).json(), { status: true, response: ['café'] })
})
