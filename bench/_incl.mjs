import { readFileSync, readdirSync } from 'node:fs'
const dir = process.argv[2]
const profile = JSON.parse(readFileSync(dir + '/' + readdirSync(dir).find(f => f.endsWith('.cpuprofile')), 'utf8'))
const nodes = new Map(profile.nodes.map(n => [n.id, n]))
const counts = new Map()
for (const id of profile.samples) counts.set(id, (counts.get(id) ?? 0) + 1)
const parent = new Map()
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id)
const total = profile.samples.filter(id => nodes.get(id).callFrame.functionName !== '(idle)').length
const incl = new Map()
for (const [id, c] of counts) {
  const seen = new Set()
  let cur = id
  while (cur !== undefined) {
    const f = nodes.get(cur).callFrame
    const key = `${f.functionName || '(anon)'} ${f.url.replace(/^.*node_modules\//, '').replace(/^file:\/\/.*?\/dist\//, 'dist/')}:${f.lineNumber + 1}`
    if (!seen.has(key)) { incl.set(key, (incl.get(key) ?? 0) + c); seen.add(key) }
    cur = parent.get(cur)
  }
}
const filter = process.argv[3] ?? ''
for (const [k, v] of [...incl].filter(([k]) => k.includes(filter)).sort((a, b) => b[1] - a[1]).slice(0, 45)) console.log((100 * v / total).toFixed(1).padStart(5), k)
