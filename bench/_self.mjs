import { readFileSync, readdirSync } from 'node:fs'
function load (dir, cpuUs) {
  const p = JSON.parse(readFileSync(dir + '/' + readdirSync(dir).find(f => f.endsWith('.cpuprofile')), 'utf8'))
  const nodes = new Map(p.nodes.map(n => [n.id, n]))
  const self = new Map()
  let busy = 0
  for (const id of p.samples) {
    const f = nodes.get(id).callFrame
    if (f.functionName === '(idle)') continue
    busy++
    const key = `${f.functionName || '(anon)'} ${f.url.replace(/^.*node_modules\//, '').replace(/^file:\/\/.*?\/dist\//, 'dist/')}:${f.lineNumber + 1}`
    self.set(key, (self.get(key) ?? 0) + 1)
  }
  return new Map([...self].map(([k, v]) => [k, v / busy * cpuUs]))
}
const a = load(process.argv[2], Number(process.argv[3])); const b = load(process.argv[4], Number(process.argv[5]))
const keys = new Set([...a.keys(), ...b.keys()])
const rows = [...keys].map(k => [k, (a.get(k) ?? 0), (b.get(k) ?? 0)]).map(([k, x, y]) => [k, x, y, y - x]).sort((p, q) => Math.abs(q[3]) - Math.abs(p[3]))
for (const [k, x, y, d] of rows.slice(0, 40)) console.log(d.toFixed(2).padStart(7), x.toFixed(2).padStart(6), y.toFixed(2).padStart(6), k)
