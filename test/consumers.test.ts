import { execFileSync } from 'node:child_process'
import { cpSync, existsSync, mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import t from 'tap'

// Packs the package as npm would publish it and installs the tarball into
// fresh ESM and CommonJS TypeScript projects. The projects sit inside the
// repository so fastify, TypeBox and TypeScript resolve from its node_modules.
const root = fileURLToPath(new URL('..', import.meta.url))
const fixtures = join(root, 'test', 'fixtures', 'consumer')
const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc')
const expected = '200 {"status":true,"response":["The Wireless Radio Alarm Clock Speaker can be yours only for Rs.1599"]}\n' +
  '200 {"status":true,"response":["The Ambrane Powerbank can be yours only for Rs.1799"]}'

// Packing and compiling three projects takes about 25 s alone on a small
// machine, more beside the other test files: more than tap's default 30 s.
t.setTimeout(120_000)

if (!existsSync(join(root, 'dist', 'esm', 'index.js'))) {
  throw new Error('dist/ is missing: run `npm run build` before the tests (`npm test` does)')
}

mkdirSync(join(root, '.tap'), { recursive: true })
const work = mkdtempSync(join(root, '.tap', 'consumers-'))
t.teardown(() => rmSync(work, { recursive: true, force: true }))
const [{ filename }] = JSON.parse(execFileSync('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', work], { cwd: root, encoding: 'utf8' }))

function project (name: string, packageJson: object, compilerOptions: object): string {
  const dir = join(work, name)
  mkdirSync(join(dir, 'node_modules'), { recursive: true })
  execFileSync('tar', ['xzf', join(work, filename), '-C', join(dir, 'node_modules')])
  renameSync(join(dir, 'node_modules', 'package'), join(dir, 'node_modules', 'fastify-haptik'))
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: `consumer-${name}`, private: true, ...packageJson }))
  writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({
    compilerOptions: { strict: true, skipLibCheck: false, target: 'ES2022', types: ['node'], typeRoots: [join(root, 'node_modules', '@types')], ...compilerOptions },
    files: ['app.ts']
  }))
  cpSync(join(fixtures, 'app.ts'), join(dir, 'app.ts'))
  cpSync(join(fixtures, 'require.cjs'), join(dir, 'require.cjs'))
  return dir
}

t.test('the tarball ships the build and nothing else', async t => {
  const files = execFileSync('tar', ['tzf', join(work, filename)], { encoding: 'utf8' }).trim().split('\n')
  t.ok(files.includes('package/dist/esm/index.js'))
  t.ok(files.includes('package/dist/cjs/index.js'))
  t.ok(files.includes('package/dist/cjs/index.d.ts'))
  t.ok(files.includes('package/LICENSE'))
  t.notOk(files.some(file => file.startsWith('package/lib/') || file.startsWith('package/test/') || file.startsWith('package/example/')), 'no sources, tests or examples')
})

t.test('an ESM TypeScript project imports, type-checks and runs it', async t => {
  const dir = project('esm', { type: 'module' }, { module: 'NodeNext', moduleResolution: 'NodeNext' })
  execFileSync(process.execPath, [tsc, '-p', dir], { cwd: dir, stdio: 'pipe' })
  t.equal(execFileSync(process.execPath, ['app.js'], { cwd: dir, encoding: 'utf8' }).trim(), expected)
  t.equal(execFileSync(process.execPath, ['require.cjs'], { cwd: dir, encoding: 'utf8' }).trim(), 'require ok')
})

t.test('a CommonJS TypeScript project requires, type-checks and runs it', async t => {
  const dir = project('cjs', { type: 'commonjs' }, { module: 'Node16', moduleResolution: 'Node16', esModuleInterop: true })
  execFileSync(process.execPath, [tsc, '-p', dir], { cwd: dir, stdio: 'pipe' })
  t.equal(execFileSync(process.execPath, ['app.js'], { cwd: dir, encoding: 'utf8' }).trim(), expected)
  t.equal(execFileSync(process.execPath, ['require.cjs'], { cwd: dir, encoding: 'utf8' }).trim(), 'require ok')
})

t.test('a CommonJS project with classic node10 resolution type-checks too', async t => {
  const dir = project('node10', {}, { module: 'commonjs', moduleResolution: 'node10', esModuleInterop: true })
  execFileSync(process.execPath, [tsc, '-p', dir], { cwd: dir, stdio: 'pipe' })
  t.equal(execFileSync(process.execPath, ['app.js'], { cwd: dir, encoding: 'utf8' }).trim(), expected)
})
