import { execFile, execFileSync, spawn } from 'node:child_process'
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import t, { type Test } from 'tap'
import { codeBlocks, type BlockKind } from '../helpers/docs.js'
import { requires } from '../helpers/requires.js'

// The package as a new user gets it: packed by npm, unpacked into fresh ESM and
// CommonJS TypeScript projects made with TypeScript 7's `tsc --init`, on either
// TypeBox (@fastify/type-provider-typebox 5 with @sinclair/typebox 0.34, or 6
// with typebox 1.x). Each project is type-checked with TypeScript 5.9 and 7,
// compiled, run, and called by a client that signs like Haptik's Python sample;
// the app calls the testing kit's stand-in of Haptik's API with the client.
// Every whole-module TypeScript block of README.md and docs/*.md is compiled in
// them too: the ES modules in the ESM projects, the CommonJS ones in the others.
// And the user's tests of docs/testing.md run there with that page's recipes
// for TypeScript 7.
//
// Packing, unpacking and seven compilations take a minute on a loaded 2-core
// machine, and more with a cold disk cache: this file says so to the runner.
t.setTimeout(600_000)

const root = fileURLToPath(new URL('../..', import.meta.url))
const fixtures = join(root, 'test', 'fixtures', 'consumer')
const modules = join(root, 'node_modules')
const compilers = {
  'TypeScript 5.9': join(modules, 'typescript', 'bin', 'tsc'),
  'TypeScript 7': join(modules, 'typescript-7', 'bin', 'tsc')
}
const run = promisify(execFile)
const python = requires(t, 'python3', 'each compiled app called by a client signing like Haptik\'s Python sample')

if (!existsSync(join(root, 'dist', 'esm', 'index.js'))) {
  throw new Error('dist/ is missing: run `npm run build` before the tests (`npm test` does)')
}

// Outside the repository, so that coverage never counts the projects' files.
const work = mkdtempSync(join(tmpdir(), 'fastify-haptik-consumers-'))
t.teardown(() => rmSync(work, { recursive: true, force: true }))
const [{ filename }] = JSON.parse(execFileSync('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', work], { cwd: root, encoding: 'utf8' }))

// What `tsc --init` writes with TypeScript 7.0, plus Node's types, which a server needs.
const TSC_INIT = {
  module: 'nodenext',
  target: 'esnext',
  types: ['node'],
  sourceMap: true,
  declaration: true,
  declarationMap: true,
  noUncheckedIndexedAccess: true,
  exactOptionalPropertyTypes: true,
  strict: true,
  jsx: 'react-jsx',
  verbatimModuleSyntax: true,
  isolatedModules: true,
  noUncheckedSideEffectImports: true,
  moduleDetection: 'force',
  skipLibCheck: true
}

type TypeBox = '0.34' | '1.x'

/** The repository's installed packages, linked, with the chosen type provider under its real name. */
function linkModules (dir: string, typebox: TypeBox): void {
  const target = join(dir, 'node_modules')
  for (const entry of readdirSync(modules)) {
    if (entry === '.bin' || entry === 'fastify-haptik') continue
    if (!entry.startsWith('@')) {
      symlinkSync(join(modules, entry), join(target, entry))
      continue
    }
    mkdirSync(join(target, entry))
    for (const scoped of readdirSync(join(modules, entry))) {
      if (scoped.startsWith('type-provider-typebox')) continue
      symlinkSync(join(modules, entry, scoped), join(target, entry, scoped))
    }
  }
  const provider = typebox === '1.x' ? 'type-provider-typebox-6' : 'type-provider-typebox'
  symlinkSync(join(modules, '@fastify', provider), join(target, '@fastify', 'type-provider-typebox'))
}

interface Project { dir: string, typebox: TypeBox, esm: boolean }

function project (name: string, typebox: TypeBox, esm: boolean): Project {
  const dir = join(work, name)
  mkdirSync(join(dir, 'node_modules'), { recursive: true })
  execFileSync('tar', ['xzf', join(work, filename), '-C', join(dir, 'node_modules')])
  renameSync(join(dir, 'node_modules', 'package'), join(dir, 'node_modules', 'fastify-haptik'))
  linkModules(dir, typebox)
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: `consumer-${name}`, private: true, type: esm ? 'module' : 'commonjs' }))
  // A CommonJS project written with `import` compiles them to require(), which verbatimModuleSyntax forbids.
  const { verbatimModuleSyntax, ...commonjs } = TSC_INIT
  const compilerOptions = esm ? TSC_INIT : commonjs
  writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions, include: ['src', 'snippets'], exclude: ['src/type-errors.ts'] }))
  writeFileSync(join(dir, 'tsconfig.errors.json'), JSON.stringify({ compilerOptions: { ...compilerOptions, noEmit: true }, files: ['src/type-errors.ts'] }))
  cpSync(join(fixtures, 'src'), join(dir, 'src'), { recursive: true })
  cpSync(join(fixtures, 'require.cjs'), join(dir, 'require.cjs'))
  writeSnippets(dir, esm ? 'esm' : 'commonjs')
  return { dir, typebox, esm }
}

/**
 * Every TypeScript block of README.md and docs/*.md that is a whole module of
 * the project's kind, as the user copies it, under a name unique across pages
 * (`readme-2.ts`, `docs-hsl-1.ts`); next to the steps and orders they import as
 * './steps.js' and './orders.js'. test/package/docs.test.ts checks that every other
 * block is the user's test (run by test/testing-kit.test.ts) or a fragment.
 */
function writeSnippets (dir: string, kind: BlockKind): void {
  cpSync(join(fixtures, 'snippets'), join(dir, 'snippets'), { recursive: true })
  for (const block of snippets(kind)) writeFileSync(join(dir, 'snippets', block.name), block.code)
}

function snippets (kind: BlockKind) {
  return codeBlocks().filter(block => block.kind === kind)
}

t.test('the docs\' whole modules are found, ES modules and CommonJS, on the README and the docs pages', async t => {
  const esm = snippets('esm')
  t.ok(esm.some(block => block.file === 'README.md'), 'in the README')
  t.ok(esm.some(block => block.file.startsWith('docs/')), 'in docs/')
  t.ok(snippets('commonjs').length > 0, 'the CommonJS form')
})

async function typeCheck (t: Test, { dir }: Project, compiler: keyof typeof compilers): Promise<void> {
  try {
    await run(...node([compilers[compiler], '-p', dir, '--noEmit'], dir))
    t.pass(`${compiler} type-checks it`)
  } catch (error) {
    const { stdout, stderr } = error as { stdout: string, stderr: string }
    t.fail(`${compiler} type-checks it`, { output: stdout + stderr })
  }
}

/**
 * Node.js run as on a user's machine. The test runner adds its loaders and
 * coverage hooks (NODE_OPTIONS) to every process it sees spawned, so the
 * project's processes start from `env -i`, with only what a shell would have.
 */
function node (args: string[], cwd: string) {
  const env = [`PATH=${process.env.PATH ?? ''}`, `HOME=${process.env.HOME ?? ''}`, 'HAPTIK_SECRET=consumer-secret']
  return ['env', ['-i', ...env, process.execPath, ...args], { cwd }] as const
}

/** Runs the compiled app and calls it the way Haptik does. */
async function serveAndCall (t: Test, { dir }: Project): Promise<void> {
  await run(...node([compilers['TypeScript 7'], '-p', dir], dir))
  const [command, args, options] = node([join('src', 'main.js')], dir)
  const server = spawn(command, args, { ...options, stdio: ['ignore', 'pipe', 'inherit'] })
  t.teardown(() => { server.kill() })
  let output = ''
  const port = await new Promise<number>((resolve, reject) => {
    server.stdout.on('data', chunk => {
      output += String(chunk)
      const listening = /listening (\d+)/.exec(output)
      if (listening !== null) resolve(Number(listening[1]))
    })
    server.once('exit', code => { reject(new Error(`the app exited with ${code}: ${output}`)) })
  })
  t.match(output, 'kit 200 {"status":true,"response":["{\\"text\\":\\"Our Pune store is at 4 FC Road.\\"', 'the testing kit calls a step')
  t.match(output, 'own 200 {"id":"AB1"}', "the app's own typed route is untouched")
  t.match(output, 'client 1411200492 HaptikApiError user_not_registered', 'fastify-haptik/client against the testing kit\'s stand-in')
  if (python !== undefined) {
    const client = join(root, 'test', 'fixtures', 'haptik_client.py')
    const url = `http://127.0.0.1:${port}/haptik/product_price`
    const speaker = await run(python, [client, url, 'consumer-secret', 'product_price', 'speaker'])
    t.equal(speaker.stdout, '200\n{"status":true,"response":["The Wireless Radio Alarm Clock Speaker can be yours only for Rs.1599"]}\n')
    const forged = await run(python, [client, url, 'not-the-secret', 'product_price', 'speaker'])
    t.match(forged.stdout, /^401\n.*FST_HAPTIK_INVALID_SIGNATURE/)
  }
  const required = await run(...node(['require.cjs'], dir))
  t.equal(required.stdout.trim(), 'require ok', 'require() gives the named exports, of the plugin and of the client')
}

/**
 * The compiler's messages for the mistakes in type-errors.ts, as a terminal or
 * an editor shows them, name the entity, the expected type and the rule.
 */
async function typeErrors (t: Test, { dir }: Project, compiler: keyof typeof compilers): Promise<void> {
  const result = await run(...node([compilers[compiler], '-p', join(dir, 'tsconfig.errors.json'), '--pretty'], dir))
    .then(() => ({ stdout: '' }), (error: { stdout: string }) => error)
  // eslint-disable-next-line no-control-regex
  const messages = result.stdout.replace(/\x1b\[[0-9;]*m/g, '')
  t.match(messages, /error TS2322: Type 'number' is not assignable to type '("speaker" \| "powerbank"|"powerbank" \| "speaker")'/, `${compiler}: a wrong entity value`)
  t.match(messages, /The expected type comes from property 'product_name'/, `${compiler}: the message names the entity`)
  t.notMatch(messages, /is not assignable to parameter of type 'string'/, `${compiler}: not the confusing overload message of old`)
  t.match(messages, /Argument of type '""' is not assignable to parameter of type '"a label or text that must not be empty"'/, `${compiler}: an empty quick-reply label`)
  t.match(messages, /Property '"a carousel needs at least one card"' is missing in type '\[\]'/, `${compiler}: an empty literal carousel`)
  // A misspelt entity: the entity values as the plain object type they are, then the compiler's "Did you mean".
  t.match(messages, /'product_nme' does not exist in type '\{ product_name: ("speaker" \| "powerbank"|"powerbank" \| "speaker"); \}'\. Did you mean to write 'product_name'\?/, `${compiler}: a misspelt entity`)
  // The order TypeScript prints an object's keys in is its own (it differs between runs): each key is looked for.
  const cityType = /'cty' does not exist in type '\{ [^']*city: string \| \{ ([^}]*) \};[^']*\}'\. Did you mean to write 'city'\?/.exec(messages)?.[1]
  t.same(cityType?.split('; ').map(key => key.replace(/;$/, '')).sort(), ['from?: boolean', 'normal?: boolean', 'to?: boolean', 'value: string', 'via?: boolean'], `${compiler}: a misspelt catalog entity, with what Haptik may send for it`)
  t.match(messages, /notes\?: string \| \{ [^']*value: string; \} \| undefined/, `${compiler}: an optional entity may be undefined`)
  t.notMatch(messages, /UndefinedAllowed|RawOf|DualSchema|TObject/, `${compiler}: no type-level plumbing in the messages`)
  // A reply object is checked as a reply object: the message names its field, not an HSL type's missing text and type.
  t.notMatch(messages, /HslOther|missing the following properties from type[^\n]*: text, type/, `${compiler}: a reply object is not read as an HSL message`)
  t.match(messages, /Types of property 'state' are incompatible\.\s+Property 'items' is missing in type '\{ item: never\[\]; \}'/, `${compiler}: a misspelt state field`)
  t.match(messages, /The types of 'user_details\.last_order' are incompatible[^\n]*\s+Type 'number' is not assignable to type 'string'/, `${compiler}: a user_details value of the wrong type`)
  t.match(messages, /Types of property 'state' are incompatible\.\s+Type '\{ items: never\[\]; \}' is not assignable to type 'undefined'/, `${compiler}: a state from a step without a state schema`)
  // Under declaration: true, no "cannot be named without a reference to 'ObjectSchema'" before the real error.
  t.notMatch(messages, /TS2883|cannot be named without a reference/, `${compiler}: every type a step's inferred type names is exported`)
  t.match(messages, /'quantity' does not exist in type 'ObjectSchema'/, `${compiler}: entities that are not a Type.Object`)
}

t.test('the tarball ships the build, the docs and nothing else', async t => {
  const files = execFileSync('tar', ['tzf', join(work, filename)], { encoding: 'utf8' }).trim().split('\n')
  t.ok(files.includes('package/dist/esm/index.js'))
  t.ok(files.includes('package/dist/cjs/index.js'))
  t.ok(files.includes('package/dist/cjs/index.d.ts'))
  t.ok(files.includes('package/LICENSE'))
  t.ok(files.includes('package/README.md') && files.includes('package/SECURITY.md') && files.includes('package/docs/security.md'), 'the docs')
  t.notOk(files.some(file => file.startsWith('package/lib/') || file.startsWith('package/test/') || file.startsWith('package/example/')), 'no sources, tests or examples')
})

const projects: Array<[string, TypeBox, boolean]> = [
  ['esm', '0.34', true],
  ['cjs', '0.34', false],
  ['esm-typebox1', '1.x', true],
  ['cjs-typebox1', '1.x', false]
]

for (const [name, typebox, esm] of projects) {
  t.test(`${esm ? 'an ESM' : 'a CommonJS'} project on ${typebox === '1.x' ? 'typebox 1.x' : '@sinclair/typebox 0.34'}`, async t => {
    const consumer = project(name, typebox, esm)
    const kind = esm ? 'esm' : 'commonjs'
    t.same(readdirSync(join(consumer.dir, 'snippets')).filter(file => !['steps.ts', 'orders.ts', 'haptik.ts'].includes(file)).sort(),
      snippets(kind).map(block => block.name).sort(), `the docs' whole-module ${kind} snippets are in it`)
    await typeCheck(t, consumer, 'TypeScript 5.9')
    await typeCheck(t, consumer, 'TypeScript 7')
    await serveAndCall(t, consumer)
    if (esm) {
      await typeErrors(t, consumer, 'TypeScript 5.9')
      await typeErrors(t, consumer, 'TypeScript 7')
    }
  })
}

/** A command's exit code and output, whether it succeeds or not. */
async function attempt ([command, args, options]: ReturnType<typeof node>): Promise<{ code: number, output: string }> {
  return await run(command, args, options).then(
    ({ stdout, stderr }) => ({ code: 0, output: stdout + stderr }),
    (error: { code: number, stdout: string, stderr: string }) => ({ code: error.code, output: error.stdout + error.stderr }))
}

/** The user's test of docs/testing.md, for tap or for node:test, and the page itself. */
function testingPage () {
  const tests = codeBlocks().filter(block => block.kind === 'test')
  const text = readFileSync(join(root, 'docs', 'testing.md'), 'utf8')
  const pick = (runner: string) => tests.find(block => block.code.includes(`from '${runner}'`))?.code ?? ''
  const json = [...text.matchAll(/^```json\n([\s\S]*?)^```/gm)].map(match => JSON.parse(match[1]) as Record<string, unknown>)
  return { tap: pick('tap'), nodeTest: pick('node:test'), text, packageJson: json.find(fields => 'tap' in fields) ?? {} }
}

t.test("docs/testing.md's tests run on TypeScript 7 with that page's three recipes", async t => {
  const { dir } = project('recipes', '0.34', true)
  const modulesOf = join(dir, 'node_modules')
  // The user's `typescript` is 7, and tap is the project's own: tap builds its
  // test class inside its own package for the plugins configured, which must
  // not touch the repository's.
  rmSync(join(modulesOf, 'typescript'))
  symlinkSync(join(modules, 'typescript-7'), join(modulesOf, 'typescript'))
  for (const name of ['tap', ...readdirSync(join(modules, '@tapjs')).map(scoped => `@tapjs/${scoped}`)]) {
    rmSync(join(modulesOf, name))
    cpSync(join(modules, name), join(modulesOf, name), { recursive: true })
  }
  const page = testingPage()
  const testFile = join(dir, 'test', 'steps.test.ts')
  mkdirSync(join(dir, 'test'))

  // 1. node:test with tsx.
  writeFileSync(testFile, page.nodeTest)
  t.ok(page.text.includes('node --import tsx --test test/steps.test.ts'), 'the command is on the page')
  const tsx = await attempt(node(['--import', 'tsx', '--test', 'test/steps.test.ts'], dir))
  t.equal(tsx.code, 0, 'node:test with tsx')
  t.match(tsx.output, /^# pass 3$/m, 'node:test with tsx: the three tests pass')

  // 2. node:test on the compiled output: TypeScript 7 type-checks and compiles the tests with the app.
  t.ok(page.text.includes('npx tsc\nnode --test test/steps.test.js'), 'the commands are on the page')
  writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions: TSC_INIT, include: ['src', 'test'], exclude: ['src/type-errors.ts'] }))
  const compiled = await attempt(node([join(modulesOf, 'typescript', 'bin', 'tsc'), '-p', dir], dir))
  t.equal(compiled.code, 0, 'TypeScript 7 compiles the tests', { output: compiled.output })
  const fromJs = await attempt(node(['--test', 'test/steps.test.js'], dir))
  t.match(fromJs.output, /^# pass 3$/m, 'node:test on the compiled tests: the three pass')

  // 3. tap. With its default TypeScript plugin on TypeScript 7, the crash the page quotes.
  writeFileSync(testFile, page.tap)
  const tap = join('node_modules', 'tap', 'dist', 'esm', 'run.mjs') // what `npx tap` runs
  const crash = await attempt(node([tap, 'test/steps.test.ts'], dir))
  t.not(crash.code, 0, 'tap with @tapjs/typescript on TypeScript 7 fails')
  t.match(crash.output, "TypeError: Cannot read properties of undefined (reading 'fileExists')", 'in ts-node, as the page says')
  // The recipe: the page's package.json fields, then npm test (tap build && tap).
  const packageJson = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'))
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ ...packageJson, ...page.packageJson }))
  t.same((page.packageJson.scripts as Record<string, string> | undefined)?.test, 'tap build && tap', 'npm test builds tap, then runs it')
  const built = await attempt(node([tap, 'build'], dir))
  t.equal(built.code, 0, 'tap build', { output: built.output })
  const tapRun = await attempt(node([tap], dir))
  t.equal(tapRun.code, 0, 'tap with tsx instead of its TypeScript plugin', { output: tapRun.output })
  t.match(tapRun.output, /^# \{ total: \d+, pass: \d+ \}$/m, 'no test fails')
  t.match(tapRun.output, /^ok 1 - test\/steps\.test\.ts/m, 'found by the include pattern, and passed')
})

t.test('a CommonJS project with classic node10 resolution type-checks its declarations too', async t => {
  const consumer = project('node10', '0.34', false)
  writeFileSync(join(consumer.dir, 'tsconfig.json'), JSON.stringify({
    compilerOptions: { strict: true, skipLibCheck: false, target: 'ES2022', types: ['node'], module: 'commonjs', moduleResolution: 'node10', esModuleInterop: true, noEmit: true },
    include: ['src'],
    exclude: ['src/type-errors.ts']
  }))
  await typeCheck(t, consumer, 'TypeScript 5.9')
})
