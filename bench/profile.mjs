// npm run bench:profile -- <server>: runs one benchmark server under
// `node --cpu-prof` with the benchmark's load, and prints where its CPU time goes
// (self time per function, top 40). Used to find the plugin's overhead.
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { load, startServer, stopServer } from './harness.mjs'

const server = process.argv[2] ?? 'fastify-haptik'
const dir = mkdtempSync(join(tmpdir(), 'haptik-profile-'))
const running = await startServer(`${server}.mjs`, { nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${dir}`], pin: false })
// A conversation per connection, as the benchmark loads a stateful step (it changes nothing for the others).
const { result } = await load(running.port, { duration: 5, connections: 10, conversationPerConnection: true })
await stopServer(running, 'SIGINT')

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
