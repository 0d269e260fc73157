// Builds lib/ twice: ESM to dist/esm, CommonJS to dist/cjs (with a package.json
// marking it as such), both with declarations, so `import` and `require` type-check.
// The command line is ESM only (the package's bin): it is left out of dist/cjs.
// The declarations keep the doc comments (editors show them); the JavaScript is
// emitted again without them (--noCheck: the first pass checked it).
// No source maps: the package ships no sources.
import { execFileSync } from 'node:child_process'
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

const tsc = (project, outDir, ...options) => execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', project, '--outDir', outDir, ...options], { stdio: 'inherit' })

// Optional peers, imported for their types only: `typebox` 1.x (a project on
// @sinclair/typebox 0.34 has none) and @opentelemetry/api (an app without
// OpenTelemetry has none). Their types are then `any`, and their imports must
// not fail a user's build under `skipLibCheck: false`.
const OPTIONAL = /^(import type .* from '(typebox|@opentelemetry\/api)';)$/gm

function markOptionalImports (dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile() || !/\.d\.c?ts$/.test(entry.name)) continue
    const file = join(entry.parentPath, entry.name)
    const text = readFileSync(file, 'utf8')
    const marked = text.replace(OPTIONAL, '// @ts-ignore: an optional peer dependency, absent when not used\n$1')
    if (marked !== text) writeFileSync(file, marked)
  }
}

rmSync('dist', { recursive: true, force: true })
for (const [project, outDir] of [['tsconfig.build.json', 'dist/esm'], ['tsconfig.build-cjs.json', 'dist/cjs']]) {
  tsc(project, outDir)
  tsc(project, outDir, '--noCheck', '--declaration', 'false', '--removeComments', 'true')
  markOptionalImports(outDir)
}
writeFileSync('dist/cjs/package.json', '{ "type": "commonjs" }\n')
