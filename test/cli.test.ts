import { spawn } from 'node:child_process'
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createServer, type IncomingHttpHeaders } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import t, { type Test } from 'tap'
import { parse as parseYaml } from 'yaml'
import { Validator } from '@seriousme/openapi-schema-validator'
import Fastify from 'fastify'
import { Type } from '@sinclair/typebox'
import fastifyHaptik, { defineStep, verify, withDefault } from '../lib/index.js'
import { hsl } from '../lib/hsl/index.js'
import { DEFAULT_USER, haptikRequest } from '../lib/testing/index.js'
import { run } from '../lib/cli/program.js'
import { loadFailure } from '../lib/cli/modules.js'
import { renderMessage, renderReply } from '../lib/cli/render.js'
import { build } from '../example/server.js'

// Slow on a loaded 2-core machine: spawns the command line, a fresh Node.js process per case. Tap's default is 30 s per file.
t.setTimeout(180_000)

const root = fileURLToPath(new URL('..', import.meta.url))
const lib = pathToFileURL(join(root, 'lib', 'index.ts')).href
const SPEAKER = 'The Wireless Radio Alarm Clock Speaker can be yours only for Rs.1599'

interface Result { code: number | null, stdout: string, stderr: string }

/** The command as a user runs it, as a child process (under the tests' TypeScript loader, for coverage). */
function cli (args: string[], env: Record<string, string> = {}, entry = 'lib/cli/main.ts'): Promise<Result> {
  return new Promise((resolve, reject) => {
    // The sources run under the tests' loader; the built command as a user runs it, with node alone.
    const execArgv = entry.endsWith('.ts') ? process.execArgv : []
    const child = spawn(process.execPath, [...execArgv, entry, ...args], {
      cwd: root,
      env: { ...process.env, HAPTIK_SECRET: '', ...env },
      stdio: ['ignore', 'pipe', 'pipe']
    })
    let stdout = ''
    let stderr = ''
    child.stdout.setEncoding('utf8').on('data', chunk => { stdout += chunk })
    child.stderr.setEncoding('utf8').on('data', chunk => { stderr += chunk })
    child.on('error', reject)
    child.on('close', code => resolve({ code, stdout, stderr }))
  })
}

/** The command in this process, with its output captured. */
async function runHere (args: string[], env: Record<string, string> = {}, cwd = root): Promise<Result> {
  let stdout = ''
  let stderr = ''
  const code = await run(args, { stdout: text => { stdout += text }, stderr: text => { stderr += text }, env, cwd })
  return { code, stdout, stderr }
}

async function example (t: Test, secret = 'test'): Promise<string> {
  const app = await build({ secret })
  t.teardown(() => app.close())
  return await app.listen({ port: 0, host: '127.0.0.1' })
}

interface Canned { status?: number, body?: string, delay?: number }

/** A server answering each path with a canned answer; it records what it received. */
async function cannedServer (t: Test, answers: Record<string, Canned>) {
  const received: Array<{ url: string, headers: IncomingHttpHeaders, body: string }> = []
  const server = createServer((request, response) => {
    let body = ''
    request.setEncoding('utf8').on('data', chunk => { body += chunk }).on('end', () => {
      received.push({ url: request.url as string, headers: request.headers, body })
      const { status = 200, body: answer = '', delay = 0 } = answers[request.url as string] ?? { status: 404 }
      setTimeout(() => { response.writeHead(status, { 'content-type': 'application/json' }).end(answer) }, delay)
    })
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  t.teardown(() => { server.closeAllConnections(); server.close() })
  return { base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, received }
}

const reply = (response: unknown[], extra: object = {}) => JSON.stringify({ status: true, response, ...extra })

t.test('send against the running example prints the speaker reply and exits 0', async t => {
  const base = await example(t)
  const { code, stdout, stderr } = await cli(['send', `${base}/haptik/product_price`, '--step', 'product_price', '--entity', 'product_name=speaker', '--secret', 'test'])
  t.equal(code, 0)
  t.equal(stderr, '')
  t.match(stdout, `POST ${base}/haptik/product_price: step "product_price", signed\n`)
  t.match(stdout, /^200 OK in \d+ ms$/m)
  t.match(stdout, `status true (success path), 1 message:\nbot> ${SPEAKER}\n`)
})

t.test('send with a wrong secret exits 1 and says why', async t => {
  const base = await example(t)
  const { code, stdout, stderr } = await cli(['send', `${base}/haptik/product_price`, '-e', 'product_name=speaker', '--secret', 'wrong'])
  t.equal(code, 1)
  t.match(stdout, /^401 Unauthorized in \d+ ms$/m)
  t.match(stderr, 'bot break: HTTP 401 (FST_HAPTIK_INVALID_SIGNATURE: X-Hub-Signature does not match the request body); Haptik shows the bot-break message for anything but 200\n')
  t.match(stderr, 'Check that --secret (or HAPTIK_SECRET) is the secret of this step')
})

t.test('send takes the secret from HAPTIK_SECRET, and structured entities as JSON', async t => {
  const base = await example(t, 'from-env')
  const { code, stdout } = await cli(['send', `${base}/haptik/nearest_store`, '-e', 'city={"value":"Mumbai","to":true}'], { HAPTIK_SECRET: 'from-env' })
  t.equal(code, 0)
  t.match(stdout, 'bot> Our Mumbai store is at 12 Linking Road, Bandra West. Call +91 22 5555 0101.\nuser_details: {"preferred_city":"Mumbai"}\n')
})

t.test('the built command (package.json bin) runs with node alone', async t => {
  const path = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).bin['fastify-haptik']
  if (!existsSync(join(root, path))) throw new Error('dist/ is missing: run `npm run build` before the tests (`npm test` does)')
  // A copy under .tap/, which coverage leaves out: the build is not the sources.
  const copy = t.testdir()
  cpSync(join(root, 'dist'), join(copy, 'dist'), { recursive: true })
  cpSync(join(root, 'package.json'), join(copy, 'package.json'))
  const bin = join(copy, path)
  t.match(readFileSync(bin, 'utf8'), /^#!\/usr\/bin\/env node\n/, 'it starts with a shebang')
  const base = await example(t)
  const sent = await cli(['send', `${base}/haptik/product_price`, '-e', 'product_name=speaker'], { HAPTIK_SECRET: 'test' }, bin)
  t.equal(sent.code, 0)
  t.match(sent.stdout, `bot> ${SPEAKER}`)
  const version = await cli(['--version'], {}, bin)
  t.equal(version.stdout, `${JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).version as string}\n`, '--version prints the package version')
  const ts = await cli(['openapi', 'example/steps.ts'], {}, bin)
  t.equal(ts.code, 1)
  t.match(ts.stderr, 'cannot load example/steps.ts: Node.js does not run TypeScript by itself. Compile it to JavaScript first, or run the command under a TypeScript loader, e.g. node --import tsx node_modules/.bin/fastify-haptik openapi example/steps.ts\n')
})

t.test('--help documents every flag and the exit codes', async t => {
  const main = await cli(['--help'])
  t.equal(main.code, 0)
  t.match(main.stdout, /send \[options\] <url>/)
  t.match(main.stdout, /openapi \[options\] <module>/)
  t.match(main.stdout, /Exit codes:\n {2}0 {2}success\n {2}1 .*\n {2}2 {2}usage error/)

  const send = await runHere(['send', '--help'])
  t.equal(send.code, 0)
  for (const flag of ['-s, --step <name>', '-e, --entity <name=value>', '-u, --user-details <key=value>', '-b, --body <file>',
    '-H, --header <"name: value">', '--secret <secret>', '$HAPTIK_SECRET', '--unsigned', '-t, --timeout <ms>', '--json', 'Exit codes:',
    '--user <key=value>', '-l, --language <code>', '-c, --conversation-no <n>', '--steps <module>', '--fail-on-handoff']) {
    t.ok(send.stdout.includes(flag), `send --help: ${flag}`)
  }
  const openapi = await runHere(['openapi', '--help'])
  t.equal(openapi.code, 0)
  for (const flag of ['--yaml', '-o, --output <file>', '-p, --prefix <prefix>', '--title <title>', '--webhooks', '--build-options <json>', '@fastify/swagger', 'node --import tsx', 'Exit codes:']) {
    t.ok(openapi.stdout.includes(flag), `openapi --help: ${flag}`)
  }
})

t.test('usage errors exit 2 and name the flag', async t => {
  const none = await cli([])
  t.equal(none.code, 2, 'no command')
  t.match(none.stderr, 'Usage: fastify-haptik')

  const cases: Array<[string[], string | RegExp]> = [
    [['sned'], "error: unknown command 'sned'"],
    [['send'], "error: missing required argument 'url'"],
    [['send', 'localhost:3000'], "error: command-argument value 'localhost:3000' is invalid for argument 'url'. Expected an http or https URL, got localhost:."],
    [['send', 'not a url'], 'Expected an absolute URL, e.g. http://127.0.0.1:3000/haptik/product_price.'],
    [['send', 'http://x.test/a', '--entity', 'speaker'], "error: option '-e, --entity <name=value>' argument 'speaker' is invalid. Expected name=value, e.g. product_name=speaker."],
    [['send', 'http://x.test/a', '--entity', '=speaker'], 'Expected name=value'],
    [['send', 'http://x.test/a', '--entity', 'city={"value":'], 'The value of entity "city" starts like JSON but is not valid JSON.'],
    [['send', 'http://x.test/a', '-u', 'city'], "option '-u, --user-details <key=value>' argument 'city' is invalid"],
    [['send', 'http://x.test/a', '-H', 'x-tenant acme'], 'Expected "Name: value", e.g. "x-tenant: acme".'],
    [['send', 'http://x.test/a', '-H', 'bad name: x'], 'Expected "Name: value"'],
    [['send', 'http://x.test/a', '--timeout', '0'], "option '-t, --timeout <ms>' argument '0' is invalid. Expected whole milliseconds from 1 to 30000 (Haptik gives up after 30 s)."],
    [['send', 'http://x.test/a', '--timeout', '30001'], 'Expected whole milliseconds'],
    [['send', 'http://x.test/a', '--timeout', '1.5'], 'Expected whole milliseconds'],
    [['send', 'http://x.test/a', '--secret', 's', '--unsigned'], "error: option '--unsigned' cannot be used with option '--secret <secret>'"],
    [['send', 'http://x.test/a', '--body', 'x.json', '-e', 'a=b'], "error: option '-b, --body <file>' cannot be used with option '-e, --entity <name=value>'"],
    [['send', 'http://x.test/a', '--nope'], "error: unknown option '--nope'"],
    [['send', 'http://x.test/a'], "error: no secret to sign with: pass --secret <secret> or set HAPTIK_SECRET (the step's secret in the bot builder), or pass --unsigned\n"],
    [['send', 'http://x.test/a', '--secret', ''], 'error: no secret to sign with'],
    [['send', 'http://x.test/', '--secret', 's'], 'error: --step is required: the URL has no path to take the step name from\n'],
    [['send', 'http://x.test/a', '--secret', 's', '--body', 'test/missing.json'], 'error: --body: cannot read test/missing.json (ENOENT)\n'],
    [['send', 'http://x.test/a', '--user', 'user_id'], "option '--user <key=value>' argument 'user_id' is invalid. Expected name=value"],
    [['send', 'http://x.test/a', '--secret', 's', '--user', 'device_platform=web'],
      'error: --user device_platform=web: Haptik sends device_platform as a number (2 Android, 3 Facebook, 5 Web SDK, 6 iOS, 13 Bot API, 14 WhatsApp, …), e.g. device_platform=5\n'],
    [['send', 'http://x.test/a', '--secret', 's', '--user', 'device_platform='], 'error: --user device_platform=: Haptik sends device_platform as a number'],
    [['send', 'http://x.test/a', '--body', 'x.json', '--language', 'hi'], "error: option '-b, --body <file>' cannot be used with option '-l, --language <code>'"],
    [['send', 'http://x.test/a', '--body', 'x.json', '--steps', 'example/steps.ts'], "error: option '-b, --body <file>' cannot be used with option '--steps <module>'"],
    [['send', 'http://x.test/a', '--secret', 's', '--steps', 'nowhere.js'], `error: --steps: no such file: ${join(root, 'nowhere.js')}\n`],
    [['send', 'http://x.test/haptik/flight_sarch', '--secret', 's', '--steps', 'example/steps.ts'],
      'error: --steps: example/steps.ts has no step "flight_sarch": it exports the steps "flight_search", "nearest_store", "product_price"\n'],
    [['send', 'http://x.test/haptik/a', '--secret', 's', '--steps', 'test/fixtures/consumer/snippets/orders.ts'],
      'error: --steps: test/fixtures/consumer/snippets/orders.ts has no step "a": it exports no steps (export the steps made with defineStep, alone or in lists)\n'],
    [['openapi'], "error: missing required argument 'module'"],
    [['openapi', 'example/steps.ts', '--build-options', 'secret=x'], "option '--build-options <json>' argument 'secret=x' is invalid. Expected a JSON object, e.g. '{\"secret\":\"documentation-only\"}'."],
    [['openapi', 'example/steps.ts', '--build-options', '["x"]'], 'Expected a JSON object'],
    [['openapi', 'nowhere.js'], `error: <module>: no such file: ${join(root, 'nowhere.js')}\n`]
  ]
  for (const [args, message] of cases) {
    const { code, stderr } = await runHere(args)
    t.equal(code, 2, `${args.join(' ')}: exit code`)
    t.match(stderr, message, `${args.join(' ')}: message`)
  }
})

t.test('send builds, signs and sends the request Haptik would', async t => {
  const { base, received } = await cannedServer(t, { '/haptik/order': { body: reply(['ok']) }, '/other': { body: reply(['ok']) } })
  const sent = await runHere(['send', `${base}/haptik/order`, '-e', 'order_id=AB1234', '-e', 'colors=red', '-e', 'colors=blue',
    '-e', 'sizes=["S","M"]', '-u', 'city=Pune', '-u', 'tier=gold=1', '-H', 'X-Tenant: acme'], { HAPTIK_SECRET: 'env-secret' })
  t.equal(sent.code, 0)
  const [{ headers, body }] = received
  t.ok(verify(body, headers['x-hub-signature'], 'env-secret'), 'signed with the secret')
  t.equal(headers['content-type'], 'application/json')
  t.equal(headers['x-tenant'], 'acme')
  t.same(JSON.parse(body), haptikRequest('order', { order_id: 'AB1234', colors: ['red', 'blue'], sizes: ['S', 'M'] }, { user_details: { city: 'Pune', tier: 'gold=1' } }),
    'the testing kit\'s envelope: repeated entities and JSON lists are several detections')

  const named = await runHere(['send', `${base}/other`, '--step', 'order', '--secret', 'flag'], { HAPTIK_SECRET: 'env' })
  t.equal(named.code, 0)
  t.equal(JSON.parse(received[1].body).step, 'order', '--step names the step')
  t.ok(verify(received[1].body, received[1].headers['x-hub-signature'], 'flag'), '--secret wins over HAPTIK_SECRET')

  const unsigned = await runHere(['send', `${base}/haptik/order`, '--unsigned', '-H', 'content-type: text/plain'], { HAPTIK_SECRET: 'env' })
  t.equal(unsigned.code, 0)
  t.match(unsigned.stdout, `POST ${base}/haptik/order: step "order", unsigned\n`)
  t.equal(received[2].headers['x-hub-signature'], undefined, '--unsigned sends no signature')
  t.equal(received[2].headers['content-type'], 'text/plain', '--header replaces a default header')
})

t.test('send --body replays a captured request byte for byte', async t => {
  const { base, received } = await cannedServer(t, { '/haptik/order': { body: reply(['ok']) } })
  const dir = t.testdir({ 'captured.json': '{ "step": "order",  "event": "API_INTEGRATION", "entities": {} }\n' })
  const { code, stdout } = await runHere(['send', `${base}/haptik/order`, '--body', 'captured.json', '--secret', 's'], {}, dir)
  t.equal(code, 0)
  t.match(stdout, `POST ${base}/haptik/order: body of captured.json (65 bytes), signed\n`)
  t.equal(received[0].body, readFileSync(join(dir, 'captured.json'), 'utf8'))
  t.ok(verify(received[0].body, received[0].headers['x-hub-signature'], 's'))
})

t.test('send shows the messages as the user sees them', async t => {
  const hsl = { type: 'TEXT', text: 'Pick one', data: { quick_replies: [{ actionable_text: 'Yes', type: 'TEXT_ONLY', payload: { message: 'Yes' } }] } }
  const { base } = await cannedServer(t, {
    '/rich': { body: reply(['Hello!\nHow can I help?', JSON.stringify(hsl)], { conversation_details: { last: 'AB1' }, user_details: { city: 'Pune' } }) },
    '/failure': { body: JSON.stringify({ status: false, response: ['Sorry.'] }) }
  })
  const rich = await runHere(['send', `${base}/rich`, '--secret', 's'])
  t.equal(rich.code, 0)
  t.match(rich.stdout, [
    'status true (success path), 2 messages:',
    'bot> Hello!',
    '     How can I help?',
    'bot> Pick one',
    '     [Yes]',
    'conversation_details: {"last":"AB1"}',
    'user_details: {"city":"Pune"}',
    ''
  ].join('\n'))
  const json = await runHere(['send', `${base}/rich`, '--secret', 's', '--json'])
  t.same(JSON.parse(json.stdout.slice(json.stdout.indexOf('{'))).response[1], JSON.stringify(hsl), '--json prints the reply as sent')

  const failure = await runHere(['send', `${base}/failure`, '--secret', 's'])
  t.equal(failure.code, 0, 'the failure path is no bot break')
  t.match(failure.stdout, 'status false (failure path: Haptik files these as the step\'s failure response), 1 message:\nbot> Sorry.\n')
})

t.test('send sets the user\'s language and fields: numbers where Haptik sends numbers', async t => {
  const { base, received } = await cannedServer(t, { '/haptik/order': { body: reply(['ok']) } })
  const sent = await runHere(['send', `${base}/haptik/order`, '--secret', 's', '--language', 'hi', '--user', 'device_platform=14',
    '--user', 'user_id=42', '--user', 'language_code=en', '--user', 'auth_id=', '--user', 'tier=gold', '--user', 'constructor=x'])
  t.equal(sent.code, 0)
  const { user } = JSON.parse(received[0].body)
  t.same(user, { ...DEFAULT_USER, device_platform: 14, user_id: '42', language_code: 'hi', auth_id: '', tier: 'gold', constructor: 'x' },
    'device_platform a number, user_id as given (Haptik sends either), --language over --user language_code, other fields as text')
  t.equal(user.device_platform, 14)
})

t.test('a hand-over (status false, no messages) shows as one and exits 0, or 1 with --fail-on-handoff', async t => {
  const { base } = await cannedServer(t, {
    '/agent': { body: JSON.stringify({ status: false, response: [], conversation_details: { topic: 'refund' } }) }
  })
  const handover = await runHere(['send', `${base}/agent`, '--secret', 's'])
  t.equal(handover.code, 0)
  t.equal(handover.stderr, '')
  t.match(handover.stdout, 'status false, no messages: a hand-over to a human agent (Haptik moves the chat to Pending for an agent when Human Assistance is on, ' +
    'and shows its bot-break message when it is off)\nconversation_details: {"topic":"refund"}\n')
  const json = await runHere(['send', `${base}/agent`, '--secret', 's', '--json'])
  t.equal(json.code, 0, 'with --json too')
  const strict = await runHere(['send', `${base}/agent`, '--secret', 's', '--fail-on-handoff'])
  t.equal(strict.code, 1)
  t.equal(strict.stderr, 'hand-over: the reply has no messages (--fail-on-handoff): Haptik hands the chat to an agent when Human Assistance is on, and shows its bot-break message when it is off\n')
  t.equal(renderReply({ status: false, response: [] }).split('\n')[0], 'status false, no messages: a hand-over to a human agent (Haptik moves the chat to Pending for an agent when Human Assistance is on, and shows its bot-break message when it is off)')
})

t.test('send --steps checks the entities against the step\'s schema and names what the server will not take', async t => {
  const base = await example(t)
  const url = `${base}/haptik/flight_search`
  const check = 'entities checked against example/steps.ts'
  const refused = ". The step will not run: the server answers with its invalid-entity message on the failure path (or 400 with invalidEntities 'reject') and logs a warning, FST_HAPTIK_INVALID_ENTITY.\n"
  const failurePath = 'status false (failure path: Haptik files these as the step\'s failure response), 1 message:\nbot> Sorry, I didn\'t quite get that. Could you say it another way?\n'

  const date = await runHere(['send', url, '--secret', 'test', '--steps', 'example/steps.ts', '-e', 'from_city=Mumbai', '-e', 'to_city=Goa', '-e', 'travel_date=tomorrow'])
  t.equal(date.code, 0, 'the failure path is no bot break')
  t.match(date.stdout, `POST ${url}: step "flight_search", signed\n${check}:\n` +
    '  Step "flight_search": entity "travel_date" (detection 0) must be a date ({ value: { dd, mm, yy, type }, normal?, from?, to?, start_range?, end_range? }), got a string' + refused)
  t.match(date.stdout, failurePath, 'which the server then answers')

  const typo = await runHere(['send', url, '--secret', 'test', '--steps', 'example/steps.ts', '-e', 'from_city=Mumbai', '-e', 'to_cty=Goa', '-e', 'travel_date={"dd":2,"mm":1,"yy":2026,"type":"date"}'])
  t.equal(typo.code, 0)
  t.match(typo.stdout, `${check}:\n` +
    '  step "flight_search" has no entity "to_cty" (did you mean "to_city"?); the required "to_city" is not given. Its entities: from_city, to_city, travel_date, passengers (optional). ' +
    'The server ignores an entity the step does not declare.\n' +
    '  Step "flight_search": entity "to_city" is required but Haptik sent no detection for it; expected a city ("x" or { value, from?, to?, via?, normal? }); ' +
    'the request has an entity the step does not declare: "to_cty" (check the entity names in the bot builder)' + refused)
  t.match(typo.stdout, failurePath)

  const extra = await runHere(['send', url, '--secret', 'test', '--steps', 'example/steps.ts', '-e', 'from_city=Mumbai', '-e', 'to_city=Goa', '-e', 'travel_date={"dd":2,"mm":1,"yy":2026,"type":"date"}', '-e', 'pasengers=2'])
  t.match(extra.stdout, `${check}:\n  step "flight_search" has no entity "pasengers" (did you mean "passengers"?). Its entities: from_city, to_city, travel_date, passengers (optional). The server ignores an entity the step does not declare.\n200 OK`)
  t.match(extra.stdout, 'status true (success path), 3 messages:', 'an undeclared entity alone: the step runs')

  const fine = await runHere(['send', `${base}/haptik/product_price`, '--step', 'Product_Price', '--secret', 'test', '--steps', 'example/steps.ts', '-e', 'product_name=speaker'])
  t.equal(fine.code, 0)
  t.match(fine.stdout, `POST ${base}/haptik/product_price: step "Product_Price", signed\n${check}: they match step "Product_Price"\n200 OK`, 'the step found ignoring case, as the plugin matches it')
})

t.test('without --steps, the default invalid-entity reply says what it means and where to look', async t => {
  const base = await example(t)
  const { code, stdout } = await runHere(['send', `${base}/haptik/flight_search`, '--secret', 'test', '-e', 'from_city=Mumbai', '-e', 'to_city=Goa', '-e', 'travel_date=tomorrow'])
  t.equal(code, 0)
  t.match(stdout, "bot> Sorry, I didn't quite get that. Could you say it another way?\n" +
    "note: this is the plugin's default invalid-entity message: an entity did not match the step's schema, so the step did not run. " +
    'The server logs which one (a warning with code FST_HAPTIK_INVALID_ENTITY); add --steps <module> to check the entities here.\n')
  const { base: canned } = await cannedServer(t, { '/own': { body: JSON.stringify({ status: false, response: ['Sorry, no flights.'] }) } })
  const own = await runHere(['send', `${canned}/own`, '--secret', 's'])
  t.notMatch(own.stdout, 'note:', 'a failure of the step\'s own is not one')
})

t.test('send exits 1 for everything Haptik treats as a bot break', async t => {
  const { base } = await cannedServer(t, {
    '/error': { status: 500, body: '{"statusCode":500,"code":"FST_HAPTIK_INTERNAL","error":"Internal Server Error","message":"Internal error"}' },
    '/teapot': { status: 418, body: 'short and stout' },
    '/empty-error': { status: 503 },
    '/text': { body: 'OK' },
    '/list': { body: '["hi"]' },
    '/no-status': { body: '{"response":["hi"]}' },
    '/no-list': { body: '{"status":true,"response":"hi"}' },
    '/object-message': { body: '{"status":true,"response":["hi",{"type":"TEXT","text":"x"}]}' },
    '/no-messages': { body: '{"status":true,"response":[]}' },
    '/slow': { body: reply(['late']), delay: 1000 }
  })
  const cases: Array<[string, string, string?]> = [
    ['/error', 'bot break: HTTP 500 (FST_HAPTIK_INTERNAL: Internal error); Haptik shows the bot-break message for anything but 200\n', 'Internal error'],
    ['/teapot', 'bot break: HTTP 418; Haptik shows the bot-break message for anything but 200\n', 'short and stout'],
    ['/empty-error', 'bot break: HTTP 503; Haptik shows the bot-break message for anything but 200\n'],
    ['/text', 'bot break: malformed reply: the body is not JSON\n', 'OK'],
    ['/list', 'bot break: malformed reply: the body is not a JSON object\n'],
    ['/no-status', 'bot break: malformed reply: "status" must be true or false\n'],
    ['/no-list', 'bot break: malformed reply: "response" must be a list of messages\n'],
    ['/object-message', 'bot break: malformed reply: response[1] must be a string (HSL messages go in as JSON strings)\n'],
    ['/no-messages', 'bot break: the reply has status true and no messages (with Human Assistance on, Haptik hands the chat to an agent instead); to hand over on purpose, return handoff(), which answers status false\n', 'status true (success path), 0 messages:'],
    ['/slow', 'bot break (Haptik gives up after 30 s and shows the bot-break message): no reply within 200 ms\n']
  ]
  for (const [path, message, shown] of cases) {
    const { code, stdout, stderr } = await runHere(['send', base + path, '--secret', 's', '--timeout', '200'])
    t.equal(code, 1, `${path}: exit code`)
    t.equal(stderr, message, `${path}: message`)
    if (shown !== undefined) t.match(stdout, shown, `${path}: the body is shown`)
  }
  const closed = createServer()
  await new Promise<void>(resolve => closed.listen(0, '127.0.0.1', resolve))
  const { port } = closed.address() as AddressInfo
  await new Promise(resolve => closed.close(resolve))
  const refused = await runHere(['send', `http://127.0.0.1:${port}/haptik/x`, '--secret', 's'])
  t.equal(refused.code, 1)
  t.equal(refused.stderr, `could not reach http://127.0.0.1:${port}/haptik/x: ECONNREFUSED\n`)
  const credentials = await runHere(['send', `http://user:password@127.0.0.1:${port}/haptik/x`, '--secret', 's'])
  t.equal(credentials.code, 1)
  t.match(credentials.stderr, /^could not reach http:\/\/user:password@127\.0\.0\.1:\d+\/haptik\/x: .*credentials/)
})

t.test('an unexpected error exits 1 with its stack', async t => {
  const code = await run(['send', 'http://127.0.0.1:9/x', '--secret', 's'], {
    stdout: () => { throw new Error('stdout is closed') },
    stderr: text => { t.match(text, /^error: Error: stdout is closed\n {4}at /) },
    env: {},
    cwd: root
  })
  t.equal(code, 1)
})

t.test('rich (HSL) messages render as what the user sees', async t => {
  const link = (text: string, url: string) => ({ actionable_text: text, uri: 'LINK', type: 'APP_ACTION', payload: { url, gogo_message: '' } })
  t.equal(renderMessage('plain'), 'bot> plain')
  t.equal(renderMessage('{not json'), 'bot> {not json')
  t.equal(renderMessage('{"text":"no type"}'), 'bot> {"text":"no type"}', 'JSON without a type is text')
  t.equal(renderMessage(JSON.stringify({
    type: 'BUTTON',
    text: 'Need more help?',
    data: { items: [link('Open FAQ', 'https://example.test/faq'), { actionable_text: 'Call us', uri: 'CALL', payload: { phone_number: '+91 22 5555 0101' } }, { actionable_text: 'Talk to agent', payload: { message: 'agent' } }, { actionable_text: 'No payload' }, 'junk'] }
  })), [
    'bot> Need more help?',
    '     [Open FAQ -> https://example.test/faq]',
    '     [Call us -> +91 22 5555 0101]',
    '     [Talk to agent]',
    '     [No payload]'
  ].join('\n'))
  t.equal(renderMessage(JSON.stringify({
    type: 'CAROUSEL',
    text: 'Your orders',
    data: {
      width: 'MEDIUM',
      items: [
        { thumbnail: { image: 'https://example.test/a.png' }, title: 'Order AB1234', sub_title: 'Shipped', description: 'ETA Friday', actionables: [{ actionable_text: 'Track', payload: { link: 'https://example.test/t' } }] },
        { title: 'Order CD5678' },
        { thumbnail: { image: 'https://example.test/receipt.png' }, actionables: [] }
      ]
    }
  })), [
    'bot> Your orders',
    '     1. Order AB1234 - Shipped',
    '        ETA Friday',
    '        image: https://example.test/a.png',
    '        [Track -> https://example.test/t]',
    '     2. Order CD5678',
    '     3. (no title)',
    '        image: https://example.test/receipt.png'
  ].join('\n'))
  t.equal(renderMessage(JSON.stringify({ type: 'CAROUSEL', text: '', data: { items: [{ title: 'Receipt' }] } })), 'bot> 1. Receipt', 'an image card without text')
  t.equal(renderMessage(JSON.stringify({ type: 'RECEIPT', text: 'Your receipt', data: 'x' })), 'bot> Your receipt\n     (RECEIPT message)')
  t.equal(renderMessage(JSON.stringify({ type: 'SILENT', text: 42 })), 'bot> (silent actions: none)')
  t.equal(renderMessage(JSON.stringify({ type: 'TEXT', text: '' })), 'bot> (empty TEXT message)')
  t.equal(renderReply({ status: true, response: ['one'] }), 'status true (success path), 1 message:\nbot> one\n')
})

t.test('every HSL type the builders make renders readably', async t => {
  const lines = (message: unknown) => renderMessage(JSON.stringify(message)).split('\n').map(line => line.trim())
  t.same(lines(hsl.form('Book a table', [
    { key: 'email', type: 'text', hint: 'Your email', keyboardType: 'email' },
    { key: 'guests', type: 'picker', hint: 'Guests', options: ['1', '2', '3'] },
    { key: 'when', type: 'date' }
  ], { subtitle: 'We need a few details' })), [
    'bot> Book a table',
    'We need a few details',
    'field email "Your email" (text, email keyboard)',
    'field guests "Guests" (picker: 1 | 2 | 3)',
    'field when (date)'
  ])
  t.same(lines({ type: 'FORM', text: 'Old form', data: { fields: [{ key: 'x' }] } }), ['bot> Old form', 'field x (text)'], 'a hand-written form: text for a title, text for a type')
  t.same(lines(hsl.system('Chat complete', 'chat_complete')), ['bot> Chat complete', '(system event: chat_complete)'])
  t.same(lines({ type: 'SYSTEM', text: '' }), ['bot> (system event: none)'])
  t.same(lines(hsl.silent('', [hsl.silentAction('refresh_cart', 1, 'shop'), hsl.silentAction('track', 2, 'shop')])), ['bot> (silent actions: refresh_cart, track)'])
  t.same(lines(hsl.nativeAction('Opening your cart', 'open_cart')), ['bot> Opening your cart', '(native action: open_cart)'])
  t.same(lines({ type: 'NATIVE_ACTION', text: '' }), ['bot> (native action: none)'])
  t.same(lines(hsl.text('Your balance is 40 rupees', { voiceText: 'Your balance is forty rupees' })), ['bot> Your balance is 40 rupees', '(voice: Your balance is forty rupees)'], 'what a voice bot says, when it differs')
  t.same(lines(hsl.text('Hi', { voiceText: 'Hi' })), ['bot> Hi'])
  t.same(lines(hsl.carousel([{ image: 'https://x.test/tip.png', miniAction: hsl.share('Share', { message: 'A tip' }) }])), [
    'bot> 1. (no title)', 'image: https://x.test/tip.png', '(mini) [Share]'
  ])
})

t.test('openapi prints the document of a module\'s steps, in JSON or YAML, to stdout or a file', async t => {
  const json = await cli(['openapi', 'example/steps.ts', '--prefix', '/haptik'])
  t.equal(json.code, 0)
  t.equal(json.stderr, '')
  const document = JSON.parse(json.stdout)
  t.match(document, { openapi: /^3\./, info: { title: 'Haptik steps', version: '1.0.0' } })
  t.ok(document.paths['/haptik/product_price'].post, 'product_price is documented')
  t.ok(document.paths['/haptik/nearest_store'].post, 'nearest_store is documented')
  t.same(document.paths['/haptik/product_price'].post.security, [{ haptikSignature: [] }], 'documented as signed, as the steps will be served')
  t.notOk(document.webhooks)
  t.same((await new Validator().validate(document)).errors ?? [], [], 'the printed document validates')

  const withWebhooks = await runHere(['openapi', 'example/steps.ts', '--webhooks'])
  t.equal(withWebhooks.code, 0)
  const webhookDocument = JSON.parse(withWebhooks.stdout)
  t.match(webhookDocument, { openapi: '3.1.0' })
  t.same(Object.keys(webhookDocument.webhooks).sort(), ['flight_search', 'nearest_store', 'product_price'], 'one webhook per step')
  t.same((await new Validator().validate(webhookDocument)).errors ?? [], [], 'the 3.1 document with webhooks validates')

  const yaml = await runHere(['openapi', 'example/steps.ts', '--yaml', '--title', 'Shop bot'])
  t.equal(yaml.code, 0)
  t.match(yaml.stdout, /^openapi: 3\./)
  const fromYaml = parseYaml(yaml.stdout)
  t.equal(fromYaml.info.title, 'Shop bot')
  t.ok(fromYaml.paths['/product_price'].post, 'without --prefix the steps are at the root')

  const dir = t.testdir()
  const toFile = await runHere(['openapi', join(root, 'example', 'steps.ts'), '-o', 'openapi.yaml', '--yaml'], {}, dir)
  t.equal(toFile.code, 0)
  t.equal(toFile.stdout, '', 'nothing on stdout')
  t.equal(toFile.stderr, 'wrote the OpenAPI document to openapi.yaml\n')
  t.ok(parseYaml(readFileSync(join(dir, 'openapi.yaml'), 'utf8')).paths['/nearest_store'].post)

  const jsonFile = await cli(['openapi', 'example/steps.ts', '--output', join(dir, 'openapi.json')])
  t.equal(jsonFile.code, 0)
  t.ok(JSON.parse(readFileSync(join(dir, 'openapi.json'), 'utf8')).paths['/product_price'].post)
})

t.test('openapi uses the app a module builds', async t => {
  const app = (exportLine: string, swagger = true) => `
    import Fastify from 'fastify'
    import swagger from '@fastify/swagger'
    import haptik, { defineStep } from '${lib}'
    const step = defineStep({ name: 'built_step', handler: () => 'ok' })
    ${exportLine} async () => {
      const app = Fastify()
      ${swagger ? "await app.register(swagger, { openapi: { info: { title: 'Built', version: '2.0.0' } } })" : ''}
      await app.register(haptik, { prefix: '/bot', secret: 'x', steps: [step] })
      return app
    }`
  const dir = t.testdir({ 'named.mjs': app('export const build ='), 'default.mjs': app('export default'), 'bare.mjs': app('export const build =', false) })
  for (const file of ['named.mjs', 'default.mjs']) {
    const { code, stdout } = await runHere(['openapi', file], {}, dir)
    t.equal(code, 0, `${file}: exit code`)
    const document = JSON.parse(stdout)
    t.equal(document.info.title, 'Built', `${file}: the app's own swagger`)
    t.ok(document.paths['/bot/built_step'].post, `${file}: the step is documented`)
  }
  const bare = await runHere(['openapi', 'bare.mjs'], {}, dir)
  t.equal(bare.code, 1)
  t.equal(bare.stderr, 'bare.mjs: the app its build function returns has no @fastify/swagger: register @fastify/swagger before fastify-haptik there, or export the steps instead\n')
})

t.test("openapi calls a build function with options, as the README's apps take them", async t => {
  // The README's pattern: build({ secret }) with its options destructured.
  const app = `
    import Fastify from 'fastify'
    import swagger from '@fastify/swagger'
    import haptik, { defineStep } from '${lib}'
    const step = defineStep({ name: 'built_step', handler: () => 'ok' })
    export async function build ({ secret, title = 'Built' }) {
      const app = Fastify()
      await app.register(swagger, { openapi: { info: { title, version: '2.0.0' } } })
      await app.register(haptik, { prefix: '/bot', secret, steps: [step] })
      return app
    }`
  const dir = t.testdir({ 'app.mjs': app })
  const byDefault = await runHere(['openapi', 'app.mjs'], {}, dir)
  t.equal(byDefault.code, 0, 'a placeholder secret by default')
  t.ok(JSON.parse(byDefault.stdout).paths['/bot/built_step'].post)
  const given = await runHere(['openapi', 'app.mjs', '--build-options', '{"secret":"docs","title":"Shop bot"}'], {}, dir)
  t.equal(JSON.parse(given.stdout).info.title, 'Shop bot', 'the given options reach build()')
  const noSecret = await runHere(['openapi', 'app.mjs', '--build-options', '{}'], {}, dir)
  t.equal(noSecret.code, 1)
  t.match(noSecret.stderr, /^app\.mjs: building the app failed: fastify-haptik: no secret was given to the plugin, and step "built_step" has no secret of its own/)
})

t.test('openapi says why it cannot describe a module, and exits 1', async t => {
  const dir = t.testdir({
    'nothing.mjs': 'export const answer = 42\n',
    'broken.mjs': 'export const = 1\n',
    'throws.mjs': "export function build () { throw new Error('no database') }\n",
    'not-an-app.mjs': 'export const build = () => 42\n',
    'null-app.mjs': 'export default async () => null\n',
    'failing-plugin.mjs': ["import Fastify from 'fastify'", "export const build = () => Fastify().register(async () => { throw new Error('plugin failed') })"].join('\n'),
    'failing-start.mjs': [
      "import Fastify from 'fastify'",
      'export function build () {',
      '  const app = Fastify()',
      "  app.addHook('onReady', async () => { throw new Error('no database') })",
      '  return app',
      '}'
    ].join('\n'),
    'twice.mjs': `import { defineStep } from '${lib}'\nexport const a = defineStep({ name: 'same', handler: () => 'a' })\nexport const b = defineStep({ name: 'same', path: '/b', handler: () => 'b' })\n`
  })
  const cases: Array<[string, string | RegExp]> = [
    ['nothing.mjs', 'nothing.mjs exports no steps and no build function: export the steps made with defineStep (or a list of them), or a function build() that returns the Fastify app\n'],
    ['broken.mjs', /^cannot load broken\.mjs: Unexpected token/],
    ['throws.mjs', 'throws.mjs: building the app failed: no database\n'],
    ['not-an-app.mjs', 'not-an-app.mjs: its build function must return a Fastify app (or a promise of one), got number\n'],
    ['null-app.mjs', 'null-app.mjs: its build function must return a Fastify app (or a promise of one), got null\n'],
    ['failing-plugin.mjs', 'failing-plugin.mjs: building the app failed: plugin failed\n'],
    ['failing-start.mjs', 'failing-start.mjs: the app it builds failed to start: no database\n'],
    ['twice.mjs', /^twice\.mjs: its steps cannot be served: fastify-haptik: step "same" is listed twice\n/]
  ]
  for (const [file, message] of cases) {
    const { code, stderr } = await runHere(['openapi', file], {}, dir)
    t.equal(code, 1, `${file}: exit code`)
    t.match(stderr, message, `${file}: message`)
  }

  const unwritable = await runHere(['openapi', 'example/steps.ts', '-o', join(dir, 'no', 'such', 'dir.json')])
  t.equal(unwritable.code, 1)
  t.equal(unwritable.stderr, `--output: cannot write ${join(dir, 'no', 'such', 'dir.json')} (ENOENT)\n`)
})

t.test('openapi without @fastify/swagger installed says how to install it', async t => {
  // Outside the repository, so that no node_modules above the module has @fastify/swagger.
  const dir = mkdtempSync(join(tmpdir(), 'fastify-haptik-cli-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  writeFileSync(join(dir, 'steps.mjs'), `import { defineStep } from '${lib}'\nexport const steps = [defineStep({ name: 'lonely', handler: () => 'hi' })]\n`)
  const { code, stderr } = await cli(['openapi', join(dir, 'steps.mjs')])
  t.equal(code, 1)
  t.equal(stderr, `the openapi command needs @fastify/swagger, which is not installed where ${join(dir, 'steps.mjs')} is: npm install --save-dev @fastify/swagger\n`)
})

t.test('a TypeScript module that Node.js cannot load gets the way out', async t => {
  const unknownExtension = Object.assign(new TypeError('Unknown file extension ".ts"'), { code: 'ERR_UNKNOWN_FILE_EXTENSION' })
  t.equal(loadFailure('src/steps.ts', unknownExtension).message,
    'cannot load src/steps.ts: Node.js does not run TypeScript by itself. Compile it to JavaScript first, or run the command under a TypeScript loader, e.g. node --import tsx node_modules/.bin/fastify-haptik openapi src/steps.ts')
  t.equal(loadFailure('steps.coffee', unknownExtension).message, 'cannot load steps.coffee: Unknown file extension ".ts"', 'other extensions get the plain message')
  t.match(loadFailure('src/steps.ts', unknownExtension, 'send <url> --steps src/steps.ts').message, / node --import tsx node_modules\/\.bin\/fastify-haptik send <url> --steps src\/steps\.ts$/, 'the command it was called as')
})

t.test('send --event delivers a webhook event signed as Haptik signs it, and says whether Haptik would send it again', async t => {
  const events: Array<Record<string, unknown>> = []
  let failing = false
  const app = Fastify()
  t.teardown(() => app.close())
  await app.register(fastifyHaptik, {
    secret: 'test',
    prefix: '/haptik',
    steps: [],
    webhooks: { on: { message: event => { if (failing) throw new Error('crm down'); events.push(event) }, webhook_conversation_complete: event => { events.push(event) } } }
  })
  const base = await app.listen({ port: 0, host: '127.0.0.1' })
  const delivered = await runHere(['send', `${base}/haptik/webhook`, '--event', 'message', '--message', 'Your order has shipped', '--secret', 'test', '--user', 'user_id=42'])
  t.equal(delivered.code, 0)
  t.match(delivered.stdout, /^POST http:\/\/127\.0\.0\.1:\d+\/haptik\/webhook: webhook event "message", signed\n200 OK in \d+ ms\n\{"status":"handled"\}\ndelivered: Haptik does not send it again\n$/)
  t.match(events[0], { event_name: 'message', user: { user_id: '42' }, message: { body: { type: 'TEXT', text: 'Your order has shipped' } } })
  const complete = await runHere(['send', `${base}/haptik/webhook`, '--event', 'webhook_conversation_complete', '--secret', 'test', '-u', 'city=Pune'])
  t.equal(complete.code, 0)
  t.match(events[1], { event_name: 'webhook_conversation_complete', data: { user_details: { city: 'Pune' } } })
  t.equal((await runHere(['send', `${base}/haptik/webhook`, '--event', 'webhook_conversation_complete', '--secret', 'test', '--user', 'user_id=43'])).code, 0)
  t.match(events[2], { data: { user_details: {} } })
  failing = true
  const retried = await runHere(['send', `${base}/haptik/webhook`, '--event', 'message', '--secret', 'test'])
  t.equal(retried.code, 1)
  t.match(retried.stderr, /not delivered: HTTP 503; Haptik sends the event again \(6 times over 60 minutes\), then disables the webhook/)
  const forged = await runHere(['send', `${base}/haptik/webhook`, '--event', 'message', '--secret', 'wrong'])
  t.equal(forged.code, 1)
  t.match(forged.stdout, /FST_HAPTIK_INVALID_SIGNATURE/)
})

t.test('send --event sends a new event each time, which the webhook handles rather than answering duplicate; --body sends the same event again', async t => {
  const handled: Array<Record<string, unknown>> = []
  const app = Fastify()
  t.teardown(() => app.close())
  await app.register(fastifyHaptik, {
    secret: 'test',
    steps: [],
    webhooks: { on: { message: event => { handled.push(event) }, webhook_conversation_complete: event => { handled.push(event) } } }
  })
  const base = await app.listen({ port: 0, host: '127.0.0.1' })
  for (const event of ['webhook_conversation_complete', 'message']) {
    for (let time = 1; time <= 2; time++) {
      const sent = await runHere(['send', `${base}/webhook`, '--event', event, '--secret', 'test'])
      t.match(sent.stdout, '{"status":"handled"}', `${event}, sent the same way a ${time === 1 ? 'first' : 'second'} time: handled`)
    }
  }
  t.equal(handled.length, 4, 'each event ran its handler')
  const [first, second, third, fourth] = handled as Array<{ data?: { conversation_identifier?: unknown }, message?: { id?: unknown } }>
  t.not(first.data?.conversation_identifier, second.data?.conversation_identifier, 'a fresh data.conversation_identifier')
  t.ok(Number.isSafeInteger(third.message?.id), 'a numeric message.id, as Haptik\'s')
  t.not(third.message?.id, fourth.message?.id, 'a fresh message.id')
  const dir = t.testdir({ 'event.json': JSON.stringify({ event_name: 'message', message: { id: 7, body: 'Hi' } }) })
  const answers = []
  for (let time = 1; time <= 2; time++) answers.push((await runHere(['send', `${base}/webhook`, '--body', 'event.json', '--secret', 'test'], {}, dir)).stdout)
  t.match(answers, [/\{"status":"handled"\}/, /\{"status":"duplicate"\}/], '--body: the file\'s event, a retry when sent again')
})

t.test('send --conversation-no reaches another conversation of the user, and its state', async t => {
  const Count = withDefault(Type.Object({ count: Type.Integer() }), { count: 0 })
  const count = defineStep({
    name: 'count',
    state: Count,
    handler: ({ state, conversationNo }) => ({ response: `conversation ${String(conversationNo)}: ${state.count + 1}`, state: { count: state.count + 1 } })
  })
  const ended: unknown[] = []
  const app = Fastify()
  t.teardown(() => app.close())
  await app.register(fastifyHaptik, { secret: 'test', steps: [count], webhooks: { on: { webhook_conversation_complete: event => { ended.push(event.data?.conversation_no) } } } })
  const base = await app.listen({ port: 0, host: '127.0.0.1' })
  const send = async (...flags: string[]) => (await runHere(['send', `${base}/count`, '--secret', 'test', '--user', 'user_id=42', ...flags])).stdout.split('\n').at(-2)
  t.equal(await send(), 'bot> conversation 1: 1', 'conversation 1 by default')
  t.equal(await send(), 'bot> conversation 1: 2')
  t.equal(await send('--conversation-no', '2'), 'bot> conversation 2: 1', 'a second conversation, its own state')
  t.equal(await send('-c', '1'), 'bot> conversation 1: 3', 'and back to the first')
  await runHere(['send', `${base}/webhook`, '--event', 'webhook_conversation_complete', '--secret', 'test', '-c', '2'])
  t.same(ended, [2], "the event's data.conversation_no")
  const bad = await runHere(['send', `${base}/count`, '--secret', 'test', '-c', 'two'])
  t.equal(bad.code, 2)
  t.match(bad.stderr, "Expected a whole number, e.g. 2 (Haptik numbers a user's conversations).")
  const both = await runHere(['send', `${base}/count`, '--body', 'x.json', '-c', '2'])
  t.equal(both.code, 2, 'not with --body')
})

t.test('send --event: a webhook that answers late is not delivered', async t => {
  const { base } = await cannedServer(t, { '/hook': { status: 200, body: '{}', delay: 400 } })
  const late = await runHere(['send', `${base}/hook`, '--event', 'chat_pinned', '--secret', 's', '--timeout', '200'])
  t.equal(late.code, 1)
  t.equal(late.stderr, 'not delivered (Haptik waits 5000 ms, then sends the event again): no reply within 200 ms\n')
})
