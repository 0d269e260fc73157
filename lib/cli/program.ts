import { inspect } from 'node:util'
import { Command, CommanderError, Option } from 'commander'
import { DEFAULT_BUILD_OPTIONS, HAPTIK_TIMEOUT_MS, collectEntity, collectHeader, collectPair, parseBuildOptions, parseConversationNo, parseTimeout, parseUrl } from './args.js'
import { EXIT_FAILURE, EXIT_OK, EXIT_USAGE, CommandFailure, UsageError } from './errors.js'
import type { Io } from './io.js'
import { packageVersion } from './version.js'
import type { OpenapiOptions } from './openapi.js'
import type { SendOptions } from './send.js'

const EXIT_CODES = `
Exit codes:
  0  success
  1  the call failed or Haptik would show a bot break, or a hand-over with --fail-on-handoff (for send); the command failed (for openapi)
  2  usage error: a missing or malformed argument or flag`

const SEND_HELP = `
Builds the request Haptik sends when a step runs (the same envelope as
fastify-haptik/testing builds), signs it with HMAC-SHA1 like Haptik
(X-Hub-Signature), POSTs it and shows the status, the time taken and the
messages as the user would see them.

It exits 1 when Haptik would show the bot-break message: any status but 200,
no reply within 30 s (--timeout), a reply that is not {status, response}
with a list of strings, or status true with no messages. A reply with
status false is the step's failure path, not a bot break: it exits 0. With
no messages it is a hand-over to an agent (handoff()): it exits 0, or 1
with --fail-on-handoff.

With --steps, the entities are checked against the step's schema before
the call, as the server checks them: an entity the step does not declare
(with the one it most likely meant) and a value that does not match its
type are named.
${EXIT_CODES}

Examples:
  $ fastify-haptik send http://127.0.0.1:3000/haptik/product_price --entity product_name=speaker --secret test
  $ HAPTIK_SECRET=test fastify-haptik send http://127.0.0.1:3000/haptik/nearest_store -e 'city={"value":"Mumbai"}' --language hi --user device_platform=14
  $ fastify-haptik send http://127.0.0.1:3000/haptik/flight_search -e from_city=Mumbai -e to_city=Goa -e travel_date=tomorrow --steps dist/steps.js
  $ fastify-haptik send https://bots.example.com/haptik/order_status --body captured.json --header 'x-tenant: acme'
  $ fastify-haptik send http://127.0.0.1:3000/haptik/add_to_cart -e product=tea --user user_id=42 --conversation-no 2
  $ fastify-haptik send http://127.0.0.1:3000/haptik/webhook --event message --message 'Your order has shipped'`

const OPENAPI_HELP = `
<module> is a JavaScript module (run a TypeScript one under a loader, e.g.
node --import tsx node_modules/.bin/fastify-haptik openapi steps.ts) that
exports either
  - steps made with defineStep, alone or in lists: they are registered on a
    throwaway app with @fastify/swagger (an optional peer dependency; install
    it) under --prefix; or
  - a function build() (or a default export function) that returns the
    Fastify app with @fastify/swagger and fastify-haptik registered; it is
    called with the --build-options object (default ${DEFAULT_BUILD_OPTIONS},
    for the build({ secret }) of the README's apps).
No server is started and no request is served.
${EXIT_CODES}

Examples:
  $ fastify-haptik openapi dist/steps.js --prefix /haptik > openapi.json
  $ fastify-haptik openapi dist/app.js --yaml --output openapi.yaml
  $ fastify-haptik openapi dist/app.js --build-options '{"secret":"docs","tenant":"acme"}'`

/** The command line: `send` and `openapi`. Each action's exit code goes to `done`. */
export function program (io: Io, done: (code: number) => void): Command {
  const cli = new Command('fastify-haptik')
    .description('Call and describe Haptik step routes served by fastify-haptik.')
    .version(packageVersion(), '-V, --version', 'print the version of fastify-haptik')
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr })
    .showHelpAfterError('(add --help for usage)')
    .addHelpText('after', EXIT_CODES)

  cli.command('send')
    .summary('call a step the way Haptik does and show the reply')
    .description('Call a step the way Haptik does and show the reply.')
    .argument('<url>', 'the step URL, e.g. http://127.0.0.1:3000/haptik/product_price', parseUrl)
    .option('-s, --step <name>', 'the step name sent in the request (default: the last segment of the URL)')
    .option('-e, --entity <name=value>', 'an entity value, sent as one detection; repeat the flag for more entities, or with the same name for several detections; a value starting with { or [ is read as JSON (structured entities)', collectEntity)
    .option('-u, --user-details <key=value>', 'a user_details entry of the request; repeatable', collectPair)
    .option('--user <key=value>', 'a field of the request\'s user, e.g. user_id=42 or device_platform=14 (a number where Haptik sends one); repeatable', collectPair)
    .option('-l, --language <code>', 'the user\'s language_code, e.g. hi: the step\'s failure and invalid-entity messages are picked by it')
    .option('-c, --conversation-no <n>', 'the request\'s conversation_no (default 1): another conversation of the user, with its own state', parseConversationNo)
    .option('--steps <module>', 'a module exporting the steps (as openapi takes it): the entities are checked against the step\'s schema before the call, and what does not match is named')
    .addOption(new Option('-b, --body <file>', 'send this file byte for byte (e.g. a captured request) instead of building a request').conflicts(['step', 'entity', 'userDetails', 'user', 'language', 'conversationNo', 'steps']))
    .option('-H, --header <"name: value">', 'an extra request header, or one that replaces the default; repeatable', collectHeader)
    .option('--secret <secret>', 'the step secret to sign with (default: $HAPTIK_SECRET)')
    .addOption(new Option('--unsigned', 'send no X-Hub-Signature (for steps served with allowUnsigned)').conflicts('secret'))
    .option('-t, --timeout <ms>', `how long to wait for the reply, at most Haptik's ${HAPTIK_TIMEOUT_MS}`, parseTimeout, HAPTIK_TIMEOUT_MS)
    .option('--json', 'print the reply body as JSON instead of the messages as the user sees them')
    .option('--fail-on-handoff', 'exit 1 on a hand-over too (status false and no messages, what handoff() answers)')
    .option('--event <name>', 'send a webhook event instead of a step call (message, chat_pinned, chat_complete, webhook_conversation_complete), signed as Haptik signs it, a new event each time (never a retry of the last); exits 1 unless the answer is a 2xx within 5 s')
    .option('--message <text>', 'the text of the webhook event\'s message (with --event; default: Hi)')
    .addHelpText('after', SEND_HELP)
    .action(async (url: URL, options: SendOptions) => {
      const { send } = await import('./send.js')
      done(await send(url, options, io))
    })

  cli.command('openapi')
    .summary('write the OpenAPI document of a module\'s steps, without starting a server')
    .description('Write the OpenAPI document of a module\'s steps (or of the app it builds), without starting a server.')
    .argument('<module>', 'the module exporting the steps or a build function')
    .option('--yaml', 'YAML instead of JSON')
    .option('-o, --output <file>', 'write the document to this file instead of stdout')
    .option('-p, --prefix <prefix>', 'the prefix the steps are served under, e.g. /haptik (steps only)', '')
    .option('--title <title>', 'the document title (steps only)', 'Haptik steps')
    .option('--webhooks', 'OpenAPI 3.1, with a webhooks entry per step describing what Haptik sends (steps only)')
    .option('--build-options <json>', 'the object the module\'s build function is called with (build modules only)', parseBuildOptions, parseBuildOptions(DEFAULT_BUILD_OPTIONS))
    .addHelpText('after', OPENAPI_HELP)
    .action(async (module: string, options: OpenapiOptions) => {
      const { openapi } = await import('./openapi.js')
      done(await openapi(module, options, io))
    })

  return cli
}

/** Runs the command line `argv` (without node and the script) and returns the exit code. */
export async function run (argv: readonly string[], io: Io): Promise<number> {
  let code = EXIT_OK
  try {
    await program(io, result => { code = result }).parseAsync(argv, { from: 'user' })
    return code
  } catch (error) {
    // Commander has already printed its own message (or the help).
    if (error instanceof CommanderError) return error.exitCode === 0 ? EXIT_OK : EXIT_USAGE
    if (error instanceof UsageError || error instanceof CommandFailure) {
      io.stderr(`${error instanceof UsageError ? 'error: ' : ''}${error.message}\n`)
      return error.exitCode
    }
    io.stderr(`error: ${inspect(error)}\n`)
    return EXIT_FAILURE
  }
}
