import { execFile, execFileSync } from 'node:child_process'
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import t, { type Test } from 'tap'

// What fastify-haptik adds to a user's install: the packed tarball installed
// by npm, from the registry, into fresh projects that already have `fastify`
// and @fastify/type-provider-typebox (5.x with @sinclair/typebox 0.34, 6.x with
// typebox 1.x). The packages it adds, itself included, and their bytes on disk
// (blocks, as `du` counts them; the files' own sizes are printed too) are held
// to 5 packages and 5 MB. The optional peers (typebox 1.x, read only for its
// types, and @opentelemetry/api) are not installed there: the plugin serves a
// step with its telemetry off, from ESM and CommonJS, and the user's project
// type-checks with its entities inferred, the libraries' declarations checked too.
//
// Two npm installs per project from the registry (a cold npm cache fetches
// about 60 packages) and one compilation: about half a minute.
t.setTimeout(300_000)

const root = fileURLToPath(new URL('../..', import.meta.url))
const modules = join(root, 'node_modules')
const MB = 1_000_000
const TARGET = { packages: 5, bytes: 5 * MB }

if (!existsSync(join(root, 'dist', 'esm', 'index.js'))) {
  throw new Error('dist/ is missing: run `npm run build` before the tests (`npm test` does)')
}

const work = mkdtempSync(join(tmpdir(), 'fastify-haptik-weight-'))
t.teardown(() => rmSync(work, { recursive: true, force: true }))
const [{ filename }] = JSON.parse(execFileSync('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', work], { cwd: root, encoding: 'utf8' }))
const run = promisify(execFile)

/** npm as a user runs it, without the test runner's NODE_OPTIONS. */
async function npm (dir: string, ...args: string[]): Promise<void> {
  const env = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '' }
  await run('npm', ['install', '--no-audit', '--no-fund', '--ignore-scripts', ...args], { cwd: dir, env })
}

/** The installed packages: path in node_modules → version, from npm's lockfile. */
function installed (dir: string): Map<string, string> {
  const lock = JSON.parse(readFileSync(join(dir, 'package-lock.json'), 'utf8')) as { packages: Record<string, { version?: string }> }
  return new Map(Object.entries(lock.packages).filter(([path]) => path !== '').map(([path, { version }]) => [path, version ?? '']))
}

/** A package folder's weight: blocks on disk (as `du`) and the files' sizes, its own nested node_modules left out. */
function weigh (dir: string): { disk: number, size: number } {
  let disk = 0
  let size = 0
  const walk = (path: string): void => {
    const stats = lstatSync(path)
    disk += stats.blocks * 512
    if (!stats.isDirectory()) {
      size += stats.size
      return
    }
    for (const entry of readdirSync(path)) if (entry !== 'node_modules') walk(join(path, entry))
  }
  walk(dir)
  return { disk, size }
}

const mb = (bytes: number) => `${(bytes / MB).toFixed(2)} MB`

const STEP = `
const step = defineStep({ name: 'price', entities: Type.Object({ product: Type.String() }), handler: async ({ entities }) => 'Price of ' + entities.product })
const app = Fastify()
await app.register(haptik, { prefix: '/haptik', secret: 'weight', steps: [step] })
const { statusCode, reply } = await callStep(app, step, { product: 'speaker' }, { secret: 'weight', prefix: '/haptik' })
console.log(statusCode, JSON.stringify(reply))
`
const ESM = `import Fastify from 'fastify'
import { Type } from '@fastify/type-provider-typebox'
import haptik, { defineStep } from 'fastify-haptik'
import { callStep } from 'fastify-haptik/testing'
${STEP}`
const COMMONJS = `const Fastify = require('fastify')
const { Type } = require('@fastify/type-provider-typebox')
const { default: haptik, defineStep } = require('fastify-haptik')
const { callStep } = require('fastify-haptik/testing')
;(async () => {${STEP}})()
`
// Entities typed from the user's TypeBox, with the catalog's.
const CHECK = `import { Type } from '@fastify/type-provider-typebox'
import { defineStep, Entities } from 'fastify-haptik'

export const step = defineStep({
  name: 'weight',
  entities: Type.Object({ quantity: Type.Number(), city: Entities.City, notes: Type.Optional(Type.String()) }),
  handler: ({ entities }) => {
    const quantity: number = entities.quantity
    const city: string = entities.city.value
    const notes: string | undefined = entities.notes
    // @ts-expect-error a number is not a string
    const wrong: string = entities.quantity
    return [String(quantity), city, notes ?? '', wrong].join(' ')
  }
})
`

async function project (t: Test, provider: 5 | 6): Promise<void> {
  const dir = join(work, `provider-${provider}`)
  mkdirSync(dir)
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: `weight-${provider}`, private: true, type: 'module' }))
  await npm(dir, 'fastify@5', `@fastify/type-provider-typebox@${provider}`)
  const before = installed(dir)
  await npm(dir, join(work, filename))
  const after = installed(dir)
  const added = [...after].filter(([path, version]) => before.get(path) !== version).map(([path]) => path)
  const names = added.map(path => path.replace(/^.*node_modules\//, ''))
  const weights = added.map(path => weigh(join(dir, path)))
  const disk = weights.reduce((sum, weight) => sum + weight.disk, 0)
  const size = weights.reduce((sum, weight) => sum + weight.size, 0)
  t.comment(`@fastify/type-provider-typebox ${provider}: fastify-haptik adds ${added.length} packages, ${mb(disk)} on disk (${mb(size)} of files)`)
  for (const [index, name] of names.entries()) t.comment(`  ${name} ${after.get(added[index] ?? '')}: ${mb(weights[index]?.disk ?? 0)} (${mb(weights[index]?.size ?? 0)})`)

  t.ok(names.includes('fastify-haptik'), 'the package is installed')
  t.ok(added.length <= TARGET.packages, `at most ${TARGET.packages} packages, itself included`, { found: names })
  const other = provider === 5 ? 'typebox' : '@sinclair/typebox'
  t.notOk(names.includes('@opentelemetry/api'), '@opentelemetry/api is an optional peer: not installed')
  if (provider === 5) {
    t.notOk(names.includes(other), 'one TypeBox: not typebox 1.x beside 0.34', { found: names })
    t.ok(disk <= TARGET.bytes, `at most ${mb(TARGET.bytes)} on disk`, { found: mb(disk) })
  } else {
    // Known gap, held as it is so that a change either way shows: the plugin's own schemas and the
    // declarations of its HSL, reply and webhook types are built on @sinclair/typebox 0.34, which a
    // typebox 1.x project does not have. The size is printed above.
    t.ok(names.includes(other), 'known gap: @sinclair/typebox 0.34 is installed beside typebox 1.x (the plugin builds its schemas with it)', { found: names })
  }

  // It works there, without the optional peers.
  const env = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '' }
  writeFileSync(join(dir, 'serve.mjs'), ESM)
  writeFileSync(join(dir, 'serve.cjs'), COMMONJS)
  const served = '200 {"status":true,"response":["Price of speaker"]}'
  t.equal((await run(process.execPath, ['serve.mjs'], { cwd: dir, env })).stdout.trim(), served, 'ESM: a step served, telemetry off')
  t.equal((await run(process.execPath, ['serve.cjs'], { cwd: dir, env })).stdout.trim(), served, 'CommonJS: a step served, telemetry off')

  // TypeScript 7 (the repository's, with Node's types) type-checks it, the
  // package's declarations too: the optional peers' imports must not fail there.
  mkdirSync(join(dir, 'node_modules', '@types'), { recursive: true })
  symlinkSync(join(modules, '@types', 'node'), join(dir, 'node_modules', '@types', 'node'))
  mkdirSync(join(dir, 'src'))
  writeFileSync(join(dir, 'src', 'check.ts'), CHECK)
  const compilerOptions = { module: 'nodenext', target: 'esnext', types: ['node'], strict: true, exactOptionalPropertyTypes: true, skipLibCheck: false, noEmit: true }
  writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions, include: ['src'] }))
  const checked = await run(process.execPath, [join(modules, 'typescript-7', 'bin', 'tsc'), '-p', dir], { cwd: dir, env })
    .then(() => '', (error: { stdout: string }) => error.stdout)
  t.equal(checked, '', 'tsc passes, with the entities inferred')
}

t.test('@fastify/type-provider-typebox 5 (@sinclair/typebox 0.34)', t => project(t, 5))
t.test('@fastify/type-provider-typebox 6 (typebox 1.x)', t => project(t, 6))
