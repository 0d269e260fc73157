// npm run bench:profile -- <server>: runs one benchmark server under
// `node --cpu-prof` with the benchmark's load, and prints where its CPU time goes
// (self time per function, top 40). Used to find the plugin's overhead.
import autocannon from 'autocannon'
import { spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { body, signature } from './workload.mjs'

const server = process.argv[2] ?? 'fastify-haptik'
const dir = mkdtempSync(join(tmpdir(), 'haptik-profile-'))
const script = fileURLToPath(new URL(`./servers/${server}.mjs`, import.meta.url))
const child = spawn(process.execPath, ['--cpu-prof', `--cpu-prof-dir=${dir}`, script, '0'], { stdio: ['ignore', 'pipe', 'inherit'] })
const port = await new Promise(resolve => child.stdout.once('data', chunk => resolve(Number(/ready (\d+)/.exec(String(chunk))[1]))))
const payload = body('speaker')
const result = await autocannon({
  url: `http://127.0.0.1:${port}`,
  connections: 10,
  duration: 5,
  requests: [{ method: 'POST', path: '/product_price', headers: { 'content-type': 'application/json', 'x-hub-signature': signature(payload) }, body: payload }]
})
child.kill('SIGINT')
await new Promise(resolve => child.once('exit', resolve))

const profile = JSON.parse(readFileSync(join(dir, readdirSync(dir)[0]), 'utf8'))
const nodes = new Map(profile.nodes.map(node => [node.id, node]))
const self = new Map()
for (const id of profile.samples) {
  const { functionName, url, lineNumber } = nodes.get(id).callFrame
  const key = `${functionName || '(anonymous)'} ${url.replace(/^.*node_modules\//, '').replace(/^file:\/\/.*?\/(dist|bench)\//, '$1/')}:${lineNumber + 1}`
  self.set(key, (self.get(key) ?? 0) + 1)
}
const busy = profile.samples.filter(id => nodes.get(id).callFrame.functionName !== '(idle)').length
console.log(`${server}: ${Math.round(result.requests.average)} req/s; self time as % of busy samples`)
for (const [key, count] of [...self].filter(([key]) => !key.startsWith('(idle)')).sort((a, b) => b[1] - a[1]).slice(0, 40)) {
  console.log(`${(100 * count / busy).toFixed(1).padStart(5)}  ${key}`)
}
