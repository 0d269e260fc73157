// The module map of DESIGN.md, checked: lib/ has no import cycle, type-only
// imports included, and every module only imports the layers below it.
import { readFileSync } from 'node:fs'
import madge from 'madge'
import t from 'tap'

const graph = await madge('lib', { fileExtensions: ['ts'], tsConfig: 'tsconfig.json' })
const imports = graph.obj()
const core = Object.keys(imports).filter(module => !module.startsWith('testing/') && !module.startsWith('cli/'))

t.test('lib/ has no import cycle, type-only imports included', async t => {
  t.same(graph.circular(), [])
})

t.test('wire/signature.ts knows nothing of Fastify or of the rest of the library', async t => {
  t.same(imports['wire/signature.ts'], [])
  const source = readFileSync('lib/wire/signature.ts', 'utf8')
  t.same([...source.matchAll(/from '([^']+)'/g)].map(match => match[1]), ['node:crypto'])
})

t.test('the core never imports the testing kit or the command line', async t => {
  for (const module of core) {
    const upward = imports[module].filter(target => target.startsWith('testing/') || target.startsWith('cli/'))
    t.same(upward, [], module)
  }
})

t.test('the testing kit and the command line use only the public API and wire/signature.ts', async t => {
  const allowed = new Set(['index.ts', 'wire/signature.ts'])
  for (const module of Object.keys(imports).filter(module => !core.includes(module))) {
    const inner = imports[module].filter(target => core.includes(target) && !allowed.has(target))
    t.same(inner, [], module)
  }
})

t.test('the core never loads @fastify/swagger (an optional peer dependency)', async t => {
  for (const module of core) {
    t.notMatch(readFileSync(`lib/${module}`, 'utf8'), /from '@fastify\/swagger/, module)
  }
})
