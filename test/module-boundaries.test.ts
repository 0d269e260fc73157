// The module map of DESIGN.md and CONTRIBUTING.md, checked: lib/ has no
// import cycle, and each folder imports only the folders below it.
import { readdirSync, readFileSync } from 'node:fs'
import { dirname, join, normalize, relative } from 'node:path'
import madge from 'madge'
import t from 'tap'

const LIB = 'lib'

/** Every module of lib/, as a path relative to it. */
function modules (dir = LIB): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap(entry =>
    entry.isDirectory() ? modules(join(dir, entry.name)) : entry.name.endsWith('.ts') ? [relative(LIB, join(dir, entry.name))] : [])
}

interface Import { readonly target: string, readonly typeOnly: boolean }

/** A module's imports of other lib/ modules, and whether each is erased at run time (`import type`). */
function importsOf (module: string): Import[] {
  const source = readFileSync(join(LIB, module), 'utf8')
  return [...source.matchAll(/^(?:import|export)(\s+type)?[^'"]*?from '(\.[^']+)'/gm)].map(([, type, specifier]) => ({
    target: normalize(join(dirname(module), specifier)).replace(/\.js$/, '.ts'),
    typeOnly: type !== undefined
  }))
}

/** A module's layer: its folder, or the root module itself. */
const layerOf = (module: string) => module.includes('/') ? module.split('/')[0] + '/' : module

// The leaves every layer may use: the plugin's errors and warnings, reading
// untrusted values and JSON, reading schemas of either TypeBox, checking
// options, and keeping deadlines (a wait with a deadline, limited calls of a
// user's function).
const LEAVES = ['call-limit.ts', 'deadlines.ts', 'errors.ts', 'json-values.ts', 'option-checks.ts', 'schema-reading.ts', 'time-limit.ts', 'untrusted.ts', 'warnings.ts']
// The one root module whose types (never its code) the request path names:
// the telemetry a call reports to.
const ROOT_TYPES = ['telemetry.ts']

/** What each layer may import at run time (itself and the leaves always). */
const ALLOWED: Record<string, readonly string[]> = {
  'hsl/': [],
  'store/': [],
  'wire/': [],
  'client/': [],
  'reply/': ['hsl/'],
  'webhooks/': ['store/', 'wire/', 'hsl/', 'client/'],
  'step/': ['reply/', 'wire/', 'store/', 'hsl/', 'client/'],
  'openapi/': ['step/', 'reply/', 'wire/', 'webhooks/', 'hsl/'],
  'routes/': ['openapi/', 'step/', 'reply/', 'wire/', 'webhooks/', 'store/', 'hsl/', 'client/'],
  'cli/': ['index.ts', 'hsl/', 'testing/'],
  'testing/': ['index.ts', 'hsl/', 'client/']
}
// Layers that stand apart from the plugin: not even its leaves, errors.ts included.
const APART = ['cli/', 'testing/', 'client/']

const all = modules()

t.test('every module is in a known layer', async t => {
  const roots = all.filter(module => !module.includes('/')).sort()
  t.same(roots, ['call-limit.ts', 'deadlines.ts', 'errors.ts', 'index.ts', 'json-values.ts', 'option-checks.ts', 'options.ts', 'schema-reading.ts', 'telemetry.ts', 'time-limit.ts', 'untrusted.ts', 'warnings.ts'], 'lib/ holds the wiring, options, errors and warnings, the leaves and telemetry; everything else is in a folder')
  for (const module of all.filter(module => module.includes('/'))) t.ok(layerOf(module) in ALLOWED, module)
})

t.test('lib/ has no import cycle, type-only imports included', async t => {
  const graph = await madge(LIB, { fileExtensions: ['ts'], tsConfig: 'tsconfig.json' })
  t.same(graph.circular(), [])
})

t.test('each folder imports only the layers below it', async t => {
  for (const module of all.filter(module => layerOf(module) in ALLOWED)) {
    const layer = layerOf(module)
    const allowed = new Set([layer, ...ALLOWED[layer], ...(APART.includes(layer) ? [] : LEAVES)])
    const wrong = importsOf(module)
      .filter(({ target, typeOnly }) => !allowed.has(layerOf(target)) && !(typeOnly && ROOT_TYPES.includes(target) && !APART.includes(layer)))
      .map(({ target }) => target)
    t.same(wrong, [], `${module} imports only ${[...allowed].join(', ')}`)
  }
})

t.test('hsl/ stands alone (JSON helpers aside), and the leaves import only leaves', async t => {
  for (const module of all.filter(module => module.startsWith('hsl/'))) {
    t.same(importsOf(module).map(({ target }) => target).filter(target => !target.startsWith('hsl/') && target !== 'json-values.ts'), [], module)
  }
  for (const module of LEAVES) {
    t.same(importsOf(module).map(({ target }) => target).filter(target => !LEAVES.includes(target)), [], module)
  }
})

t.test('the command line and the testing kit use only the public entry points', async t => {
  const entries = new Set(['index.ts', 'hsl/index.ts', 'testing/index.ts', 'client/index.ts'])
  for (const module of all.filter(module => module.startsWith('cli/') || module.startsWith('testing/'))) {
    const inner = importsOf(module).map(({ target }) => target).filter(target => layerOf(target) !== layerOf(module) && !entries.has(target))
    t.same(inner, [], module)
  }
})

t.test('the core never imports the testing kit, the command line, the example or @fastify/swagger', async t => {
  for (const module of all.filter(module => !module.startsWith('cli/') && !module.startsWith('testing/'))) {
    const source = readFileSync(join(LIB, module), 'utf8')
    const targets = importsOf(module).map(({ target }) => target)
    t.same(targets.filter(target => target.startsWith('cli/') || target.startsWith('testing/') || target.startsWith('..')), [], module)
    t.notMatch(source, /from '@fastify\/swagger/, `${module} does not load @fastify/swagger (an optional peer)`)
  }
})

t.test('client/ imports nothing but itself: no other lib/ module, no package (Fastify included), nothing of node: (a worker or a script can use it)', async t => {
  const client = all.filter(module => module.startsWith('client/'))
  t.ok(client.includes('client/index.ts') && client.includes('client/transport.ts'), `${client.length} modules`)
  for (const module of client) {
    const source = readFileSync(join(LIB, module), 'utf8')
    const specifiers = [...source.matchAll(/^(?:import|export)[^'"]*?from '([^']+)'/gm)].map(match => match[1])
    t.same(specifiers.filter(specifier => !specifier.startsWith('.')), [], `${module} imports no package`)
    t.same(importsOf(module).filter(({ target }) => !target.startsWith('client/')).map(({ target }) => target), [], `${module} imports only client/`)
  }
})

t.test('wire/signature.ts knows nothing of Fastify or of the rest of the library', async t => {
  const source = readFileSync('lib/wire/signature.ts', 'utf8')
  t.same([...source.matchAll(/from '([^']+)'/g)].map(match => match[1]), ['node:crypto'])
})

t.test('the rules catch what they should', async t => {
  t.equal(layerOf('step/run-step.ts'), 'step/')
  t.equal(layerOf('index.ts'), 'index.ts')
  t.same(importsOf('step/context.ts').find(({ target }) => target === 'telemetry.ts'), { target: 'telemetry.ts', typeOnly: true }, 'type-only imports are told apart')
  t.ok(importsOf('step/run-step.ts').some(({ target }) => target === 'reply/normalize-reply.ts'), 'imports resolve to lib/ paths')
})
