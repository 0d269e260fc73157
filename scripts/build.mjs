// Builds lib/ twice: ESM to dist/esm, CommonJS to dist/cjs (with a package.json
// marking it as such), both with declarations, so `import` and `require` type-check.
import { execFileSync } from 'node:child_process'
import { rmSync, writeFileSync } from 'node:fs'

const tsc = (...args) => execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json', ...args], { stdio: 'inherit' })

rmSync('dist', { recursive: true, force: true })
tsc('--outDir', 'dist/esm')
tsc('--outDir', 'dist/cjs', '--module', 'commonjs', '--moduleResolution', 'node10')
writeFileSync('dist/cjs/package.json', '{ "type": "commonjs" }\n')
