import { startServer, stopServer, cpuMs, load, median, pinLoadGenerator } from './harness.mjs'
pinLoadGenerator()
const files = process.argv.slice(2)
const servers = []
for (const f of files) servers.push({ f, ...(await startServer(f)), cpu: [], rps: [] })
for (const s of servers) await load(s.port, { duration: 1, connections: 50 })
const W = Number(process.env.W ?? 8)
for (let w = 0; w < W; w++) {
  for (let i = 0; i < servers.length; i++) {
    const s = servers[(i + w) % servers.length]
    const before = cpuMs(s.child.pid)
    const { result, wrong } = await load(s.port, { duration: 2, connections: 50 })
    const cpu = cpuMs(s.child.pid) - before
    if (wrong) console.log('WRONG', s.f, wrong)
    s.cpu.push(cpu * 1000 / result.requests.total); s.rps.push(result.requests.average)
  }
}
const base = median(servers[0].cpu)
for (const s of servers) console.log(s.f.padEnd(28), 'cpu µs/req', median(s.cpu).toFixed(1), 'x', (median(s.cpu) / base).toFixed(2), 'rps', Math.round(median(s.rps)))
for (const s of servers) await stopServer(s)
