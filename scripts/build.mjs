// Builds lib/ twice: ESM to dist/esm, CommonJS to dist/cjs (with a package.json
// marking it as such), both with declarations, so `import` and `require` type-check.
// The command line is ESM only (the package's bin): it is left out of dist/cjs.
import { execFileSync } from 'node:child_process'
import { rmSync, writeFileSync } from 'node:fs'

const tsc = (project, outDir) => execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', project, '--outDir', outDir], { stdio: 'inherit' })

rmSync('dist', { recursive: true, force: true })
tsc('tsconfig.build.json', 'dist/esm')
tsc('tsconfig.build-cjs.json', 'dist/cjs')
writeFileSync('dist/cjs/package.json', '{ "type": "commonjs" }\n')
