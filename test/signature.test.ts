import { request as httpRequest } from 'node:http'
import type { AddressInfo } from 'node:net'
import t from 'tap'
import { Type } from '@sinclair/typebox'
import { defineStep, sign, verify } from '../lib/index.js'
import { SECRET, detection, envelope, haptikApp, haptikSignature, signedPost } from './helpers/haptik.js'
import { parseSignature } from '../lib/wire/signature.js'
import { captureLogs } from './helpers/logs.js'

function countingStep (name = 'product_price') {
  const calls: unknown[] = []
  const step = defineStep({
    name,
    entities: Type.Object({ product_name: Type.String() }),
    handler: ({ entities }) => {
      calls.push(entities)
      return `ok ${entities.product_name}`
    }
  })
  return { step, calls }
}

const body = JSON.stringify(envelope('product_price', { product_name: [detection('speaker')] }))

t.test('sign matches RFC 2202 HMAC-SHA1 test vectors', async t => {
  t.equal(sign('Hi There', Buffer.alloc(20, 0x0b)), 'sha1=b617318655057264e28bc0b6fb378c8ef146be00')
  t.equal(sign('what do ya want for nothing?', 'Jefe'), 'sha1=effcdf6ae5eb2fa2d27416d5f184df9c259a7c79')
  t.equal(sign(Buffer.alloc(50, 0xdd), Buffer.alloc(20, 0xaa)), 'sha1=125d7342b9ac11cd91a39af48aa17b4f63f175d3')
  t.equal(sign('Test Using Larger Than Block-Size Key - Hash Key First', Buffer.alloc(80, 0xaa)),
    'sha1=aa4ae5e15272d00e95705637ce8a3b55ed402112')
})

t.test('parseSignature reads only sha1= and 40 hex digits, and never throws', async t => {
  const digest = 'a'.repeat(40)
  t.same(parseSignature(`sha1=${digest}`), Buffer.from(digest, 'hex'))
  t.same(parseSignature(`sha1=${digest.toUpperCase()}`), Buffer.from(digest, 'hex'), 'upper-case hex is the same digest')
  t.equal(parseSignature(undefined), 'missing')
  t.equal(parseSignature(''), 'missing')
  t.equal(parseSignature(`sha256=${digest}`), 'wrong-prefix')
  t.equal(parseSignature(digest), 'wrong-prefix')
  t.equal(parseSignature(`SHA1=${digest}`), 'wrong-prefix')
  t.equal(parseSignature(`sha1=${digest}0`), 'wrong-length')
  t.equal(parseSignature('sha1='), 'wrong-length')
  t.equal(parseSignature(`sha1=${'g'.repeat(40)}`), 'not-hex')
  t.equal(parseSignature(`sha1=${digest}, sha1=${digest}`), 'repeated')
  t.equal(parseSignature(`sha256=x, sha1=${digest}`), 'repeated')
  t.equal(parseSignature([`sha1=${digest}`, `sha1=${digest}`]), 'repeated')
  t.equal(parseSignature(42), 'repeated')
})

t.test('verify checks a header against one or several secrets', async t => {
  t.ok(verify(body, haptikSignature(body), SECRET))
  t.ok(verify(Buffer.from(body), haptikSignature(body), ['new-secret', SECRET]), 'any listed secret passes')
  t.notOk(verify(body + ' ', haptikSignature(body), SECRET))
  t.notOk(verify(body, 'sha1=nothex', SECRET))
  t.notOk(verify(body, undefined, SECRET))
  t.throws(() => verify(body, haptikSignature(body), ''), /secret is empty/)
  t.throws(() => verify(body, haptikSignature(body), [SECRET, '']), /secret #1 is empty/)
  t.throws(() => verify(body, haptikSignature(body), [SECRET, 42 as unknown as string]), /secret #1 must be a string or a Buffer, got number/)
})

t.test('a correctly signed call reaches the handler', async t => {
  const { step, calls } = countingStep()
  const app = await haptikApp(t, { steps: [step] })
  const res = await signedPost(app, '/product_price', body)
  t.equal(res.statusCode, 200)
  t.same(res.json(), { status: true, response: ['ok speaker'] })
  t.same(calls, [{ product_name: 'speaker' }])
})

for (const url of ['/product_price', '/']) {
  t.test(`the signature matrix on ${url === '/' ? 'the dispatch route' : 'the step route'}: every bad signature is a 401 that never reaches validation or the handler`, async t => {
    const { step, calls } = countingStep()
    const app = await haptikApp(t, { steps: [step], dispatch: true })
    const good = haptikSignature(body)
    const digest = good.slice(5)
    const cases: Array<[string, Record<string, string | string[]>, string, string?]> = [
      ['missing header', {}, 'FST_HAPTIK_MISSING_SIGNATURE'],
      ['empty header', { 'x-hub-signature': '' }, 'FST_HAPTIK_MISSING_SIGNATURE'],
      ['sha256 prefix', { 'x-hub-signature': `sha256=${digest}` }, 'FST_HAPTIK_MALFORMED_SIGNATURE', 'sha1='],
      ['no prefix', { 'x-hub-signature': digest }, 'FST_HAPTIK_MALFORMED_SIGNATURE'],
      ['too short', { 'x-hub-signature': good.slice(0, -2) }, 'FST_HAPTIK_MALFORMED_SIGNATURE', '40 hex digits'],
      ['too long', { 'x-hub-signature': `${good}00` }, 'FST_HAPTIK_MALFORMED_SIGNATURE'],
      ['not hex', { 'x-hub-signature': `sha1=${'z'.repeat(40)}` }, 'FST_HAPTIK_MALFORMED_SIGNATURE', 'hex digits'],
      ['repeated header', { 'x-hub-signature': [good, good] }, 'FST_HAPTIK_MALFORMED_SIGNATURE', 'more than once'],
      ['wrong secret', { 'x-hub-signature': haptikSignature(body, 'other') }, 'FST_HAPTIK_INVALID_SIGNATURE'],
      ['zero digest', { 'x-hub-signature': `sha1=${'0'.repeat(40)}` }, 'FST_HAPTIK_INVALID_SIGNATURE']
    ]
    for (const [name, headers, code, message] of cases) {
      const res = await app.inject({ method: 'POST', url, payload: body, headers: { 'content-type': 'application/json', ...headers } })
      t.equal(res.statusCode, 401, `${name}: status`)
      t.equal(res.json().code, code, `${name}: code`)
      if (message !== undefined) t.match(res.json().message, message, `${name}: message`)
    }
    t.equal(calls.length, 0, 'no forged call reached the handler')
    t.equal((await signedPost(app, url, body)).statusCode, 200, 'and the signed call is served')
  })
}

t.test('upper-case hex is accepted (the same digest)', async t => {
  const { step, calls } = countingStep()
  const app = await haptikApp(t, { steps: [step] })
  const send = (signature: string) => app.inject({
    method: 'POST', url: '/product_price', payload: body, headers: { 'content-type': 'application/json', 'x-hub-signature': signature }
  })
  const upper = 'sha1=' + haptikSignature(body).slice(5).toUpperCase()
  t.not(upper, haptikSignature(body), 'the header really differs from the lower-case one')
  const res = await send(upper)
  t.equal(res.statusCode, 200)
  t.strictSame(res.json(), { status: true, response: ['ok speaker'] }, 'served like the lower-case digest')
  t.strictSame(calls, [{ product_name: 'speaker' }], 'the handler ran once, with the entities')
  // The same digest, not a looser check: other digests in upper case are still refused.
  const wrong = await send('sha1=' + haptikSignature(body, 'other').slice(5).toUpperCase())
  t.equal(wrong.statusCode, 401)
  t.equal(wrong.json().code, 'FST_HAPTIK_INVALID_SIGNATURE')
  const mixed = await send('sha1=' + [...haptikSignature(body).slice(5)].map((c, i) => i % 2 === 0 ? c.toUpperCase() : c).join(''))
  t.strictSame(mixed.json(), { status: true, response: ['ok speaker'] }, 'mixed case is the same digest too')
  t.equal(calls.length, 2, 'the refused call never reached the handler')
})

t.test('the signature covers the exact bytes', async t => {
  const { step, calls } = countingStep()
  const app = await haptikApp(t, { steps: [step] })
  const signature = haptikSignature(body)
  const send = (payload: string | Buffer) => app.inject({
    method: 'POST', url: '/product_price', payload, headers: { 'content-type': 'application/json', 'x-hub-signature': signature }
  })

  const flipped = Buffer.from(body)
  flipped[flipped.indexOf('speaker')] ^= 0x01 // 's' becomes 'r'
  t.equal((await send(flipped)).json().code, 'FST_HAPTIK_INVALID_SIGNATURE', 'one byte changed')
  t.equal((await send(JSON.stringify(JSON.parse(body), null, 2))).json().code, 'FST_HAPTIK_INVALID_SIGNATURE', 'same JSON, other whitespace')
  t.equal((await send(body + '\n')).json().code, 'FST_HAPTIK_INVALID_SIGNATURE', 'one byte appended')
  t.equal(calls.length, 0)

  const pythonStyle = JSON.stringify(JSON.parse(body)).replaceAll('","', '", "').replaceAll('":', '": ')
  const res = await signedPost(app, '/product_price', pythonStyle)
  t.equal(res.statusCode, 200, 'any whitespace passes when it is what was signed')
})

t.test('multibyte bodies are signed as bytes', async t => {
  const { step, calls } = countingStep()
  const app = await haptikApp(t, { steps: [step] })
  const payload = JSON.stringify(envelope('product_price', { product_name: [detection('स्पीकर 🔊', 'स्पीकर 🔊')] }))
  const res = await signedPost(app, '/product_price', Buffer.from(payload, 'utf8'))
  t.equal(res.statusCode, 200)
  t.same(calls, [{ product_name: 'स्पीकर 🔊' }])

  const latin1 = await app.inject({
    method: 'POST',
    url: '/product_price',
    payload: Buffer.from(payload, 'utf8'),
    headers: { 'content-type': 'application/json', 'x-hub-signature': haptikSignature(Buffer.from(payload, 'latin1')) }
  })
  t.equal(latin1.json().code, 'FST_HAPTIK_INVALID_SIGNATURE', 'signing other bytes for the same text fails')
})

function postChunked (port: number, chunks: Buffer[], headers: Record<string, string>): Promise<{ status: number, body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ port, method: 'POST', path: '/product_price', headers: { 'content-type': 'application/json', ...headers } }, res => {
      let text = ''
      res.setEncoding('utf8')
      res.on('data', chunk => { text += chunk })
      res.on('end', () => resolve({ status: res.statusCode as number, body: text }))
    })
    req.on('error', reject)
    let i = 0
    const next = (): void => {
      if (i === chunks.length) { req.end(); return }
      req.write(chunks[i++])
      setTimeout(next, 5)
    }
    next()
  })
}

t.test('a chunked body over a real socket is verified across chunk boundaries', async t => {
  const { step, calls } = countingStep()
  const app = await haptikApp(t, { steps: [step] })
  await app.listen({ port: 0, host: '127.0.0.1' })
  const { port } = app.server.address() as AddressInfo
  const bytes = Buffer.from(JSON.stringify(envelope('product_price', { product_name: [detection('पावरबैंक')] })))
  // Split inside a multibyte character on purpose.
  const cut = bytes.indexOf(Buffer.from('पावरबैंक')) + 1
  const chunks = [bytes.subarray(0, 7), bytes.subarray(7, cut), bytes.subarray(cut)]

  const ok = await postChunked(port, chunks, { 'x-hub-signature': haptikSignature(bytes) })
  t.equal(ok.status, 200)
  t.same(calls, [{ product_name: 'पावरबैंक' }])

  const forged = await postChunked(port, chunks, { 'x-hub-signature': haptikSignature(bytes, 'wrong') })
  t.equal(forged.status, 401)
  t.equal(JSON.parse(forged.body).code, 'FST_HAPTIK_INVALID_SIGNATURE')
})

t.test('secret rotation: any listed secret passes', async t => {
  const { step } = countingStep()
  const app = await haptikApp(t, { steps: [step], secret: ['new-secret', Buffer.from('old-secret')] })
  t.equal((await signedPost(app, '/product_price', body, { secret: 'new-secret' })).statusCode, 200)
  t.equal((await signedPost(app, '/product_price', body, { secret: 'old-secret' })).statusCode, 200)
  t.equal((await signedPost(app, '/product_price', body, { secret: 'retired' })).statusCode, 401)
})

t.test('a step secret overrides the plugin secret', async t => {
  const own = defineStep({ name: 'own', secret: 'step-secret', handler: () => 'own' })
  const shared = defineStep({ name: 'shared', handler: () => 'shared' })
  const app = await haptikApp(t, { steps: [own, shared] })
  const ownBody = envelope('own', {})
  t.equal((await signedPost(app, '/own', ownBody, { secret: 'step-secret' })).statusCode, 200)
  t.equal((await signedPost(app, '/own', ownBody)).statusCode, 401, 'the plugin secret does not open a step with its own')
  t.equal((await signedPost(app, '/shared', envelope('shared', {}))).statusCode, 200)
})

t.test('a secret function picks the secret per request (per tenant)', async t => {
  const { step, calls } = countingStep()
  const tenants: Record<string, string | string[] | null> = { acme: 'acme-secret', globex: ['globex-new', 'globex-old'], retired: null }
  const app = await haptikApp(t, {
    steps: [step],
    secret: async request => tenants[request.headers['x-tenant'] as string] as string | string[] | undefined
  })
  const send = (tenant: string, secret: string) => signedPost(app, '/product_price', body, { secret, headers: { 'x-tenant': tenant } })
  t.equal((await send('acme', 'acme-secret')).statusCode, 200)
  t.equal((await send('globex', 'globex-old')).statusCode, 200)
  t.equal((await send('acme', 'globex-new')).json().code, 'FST_HAPTIK_INVALID_SIGNATURE', "another tenant's secret fails")
  t.equal((await send('retired', 'anything')).json().code, 'FST_HAPTIK_SECRET_NOT_FOUND', 'null means no secret too')
  const unknown = await send('initech', 'anything')
  t.equal(unknown.statusCode, 401)
  t.equal(unknown.json().code, 'FST_HAPTIK_SECRET_NOT_FOUND')
  t.match(unknown.json().message, 'product_price')
  t.equal(calls.length, 2)
})

t.test('the secret function is not called for a request whose headers already refuse it', async t => {
  const { step, calls } = countingStep()
  const asked: string[] = []
  const app = await haptikApp(t, { steps: [step], secret: async request => { asked.push(request.headers['x-probe'] as string); return SECRET } })
  const probe = (probe: string, headers: Record<string, string>) =>
    app.inject({ method: 'POST', url: '/product_price', payload: body, headers: { 'content-type': 'application/json', 'x-probe': probe, ...headers } })
  t.equal((await probe('none', {})).json().code, 'FST_HAPTIK_MISSING_SIGNATURE')
  t.equal((await probe('malformed', { 'x-hub-signature': 'sha256=abc' })).json().code, 'FST_HAPTIK_MALFORMED_SIGNATURE')
  t.equal((await probe('gzip', { 'x-hub-signature': haptikSignature(body), 'content-encoding': 'gzip' })).json().code, 'FST_HAPTIK_UNSUPPORTED_MEDIA_TYPE')
  t.same(asked, [], 'no lookup in the database or vault behind it')
  t.equal((await signedPost(app, '/product_price', body, { headers: { 'x-probe': 'signed' } })).statusCode, 200)
  t.same(asked, ['signed'])
  t.equal(calls.length, 1)
})

t.test('a secret function that returns an empty list or throws never lets a call through', async t => {
  const { step: empty } = countingStep('empty')
  const { step: broken } = countingStep('broken')
  const { step: bad } = countingStep('bad')
  const { step: offline } = countingStep('offline')
  const { logger, lines: errors } = captureLogs<{ msg: string, err?: { message: string } }>('error')
  const app = await haptikApp(t, {
    steps: [
      { ...empty, secret: () => [] },
      { ...broken, secret: () => { throw Object.assign(new Error('tenant acme-7781 not found'), { statusCode: 404 }) } },
      { ...bad, secret: () => '' },
      { ...offline, secret: () => { throw Object.assign(new Error('getaddrinfo ENOTFOUND vault.internal'), { code: 'ENOTFOUND' }) } }
    ].map(s => defineStep(s))
  }, { logger })
  const emptyRes = await signedPost(app, '/empty', envelope('empty', { product_name: [detection('x')] }))
  t.equal(emptyRes.json().code, 'FST_HAPTIK_SECRET_NOT_FOUND')
  for (const name of ['broken', 'bad', 'offline']) {
    const res = await signedPost(app, `/${name}`, envelope(name, { product_name: [detection('x')] }))
    t.equal(res.statusCode, 500, `${name}: status`)
    t.same(res.json(), { statusCode: 500, code: 'FST_HAPTIK_INTERNAL', error: 'Internal Server Error', message: 'Internal error' }, `${name}: nothing leaks`)
  }
  t.same(errors.map(line => [line.msg, line.err?.message]), [
    ['fastify-haptik: the secret function threw', 'tenant acme-7781 not found'],
    ['fastify-haptik: the secret function returned something that is not a secret', 'secret is empty'],
    ['fastify-haptik: the secret function threw', 'getaddrinfo ENOTFOUND vault.internal']
  ], 'each failure is logged once, with its cause')
})

t.test('malformed JSON with a bad signature is a 401, not a 400', async t => {
  const { step } = countingStep()
  const app = await haptikApp(t, { steps: [step] })
  const res = await app.inject({
    method: 'POST', url: '/product_price', payload: '{"not json', headers: { 'content-type': 'application/json', 'x-hub-signature': haptikSignature('other') }
  })
  t.equal(res.statusCode, 401)
  t.equal(res.json().code, 'FST_HAPTIK_INVALID_SIGNATURE')
})

t.test('a request without a body is still verified before validation', async t => {
  const { step } = countingStep()
  const app = await haptikApp(t, { steps: [step] })
  const forged = await app.inject({ method: 'POST', url: '/product_price', headers: { 'x-hub-signature': haptikSignature('x') } })
  t.equal(forged.json().code, 'FST_HAPTIK_INVALID_SIGNATURE')
  const signedEmpty = await app.inject({ method: 'POST', url: '/product_price', headers: { 'x-hub-signature': haptikSignature('') } })
  t.equal(signedEmpty.statusCode, 400)
  t.equal(signedEmpty.json().code, 'FST_HAPTIK_INVALID_ENVELOPE')
})
