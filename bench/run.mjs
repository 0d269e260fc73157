// npm run bench: serves one workload (Haptik's sample step, signed) from each
// server in its own process, pinned to one core, loads it over loopback with
// autocannon from another core, and reports every figure as the median over
// interleaved rounds of its ratio to the bare Fastify route measured in the
// same round, so machine noise cancels. Every response body is checked.
import autocannon from 'autocannon'
import { execFileSync, spawn } from 'node:child_process'
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs'
import { cpus } from 'node:os'
import { parseArgs } from 'node:util'
import { fileURLToPath } from 'node:url'
import { answer, body, signature } from './workload.mjs'

const { values: args } = parseArgs({
  options: {
    rounds: { type: 'string', default: '5' },
    duration: { type: 'string', default: '5' },
    connections: { type: 'string', default: '50' },
    only: { type: 'string', default: 'all' },
    output: { type: 'string', default: 'bench/results.json' }
  }
})
const ROUNDS = Number(args.rounds)
const DURATION = Number(args.duration)
const CONNECTIONS = Number(args.connections)
const CLOCK_TICK_MS = 1000 / Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim())

const SERVERS = {
  'fastify-haptik': 'fastify-haptik.mjs',
  'bare Fastify route (no check)': 'bare-fastify.mjs',
  'Fastify + fastify-raw-body': 'fastify-raw-body.mjs',
  "Fastify + parseAs: 'buffer' parser": 'fastify-buffer-parser.mjs',
  'Express 5 + express.json({ verify })': 'express.mjs',
  'node:http by hand': 'node-http.mjs'
}
const BARE = 'bare Fastify route (no check)'

function hasTaskset () {
  try { execFileSync('taskset', ['-V'], { stdio: 'ignore' }); return true } catch { return false }
}
const PIN = hasTaskset() && cpus().length > 1
// The load generator on core 0, each server on core 1.
if (PIN) execFileSync('taskset', ['-p', '-c', '0', String(process.pid)], { stdio: 'ignore' })

function cpuMs (pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  return (Number(fields[11]) + Number(fields[12])) * CLOCK_TICK_MS // utime + stime
}

async function startServer (file, env = {}) {
  const script = fileURLToPath(new URL(`./servers/${file}`, import.meta.url))
  const command = PIN ? ['taskset', ['-c', '1', process.execPath, script, '0']] : [process.execPath, [script, '0']]
  const child = spawn(command[0], command[1], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] })
  const port = await new Promise((resolve, reject) => {
    child.stdout.once('data', chunk => resolve(Number(/ready (\d+)/.exec(String(chunk))[1])))
    child.once('exit', code => reject(new Error(`${file} exited with ${code}`)))
  })
  return { child, port }
}

function load (port, size, duration) {
  let wrong = 0
  const requests = ['speaker', 'powerbank'].map(product => {
    const payload = body(product, size)
    const expected = JSON.stringify(answer(product))
    return {
      method: 'POST',
      path: '/product_price',
      headers: { 'content-type': 'application/json', 'x-hub-signature': signature(payload) },
      body: payload,
      onResponse: (status, responseBody) => { if (status !== 200 || responseBody !== expected) wrong++ }
    }
  })
  return new Promise((resolve, reject) => {
    autocannon({ url: `http://127.0.0.1:${port}`, connections: CONNECTIONS, duration, requests }, (error, result) => {
      if (error) reject(error)
      else resolve({ result, wrong })
    })
  })
}

async function measure (file, { size = 1536, env = {} } = {}) {
  const { child, port } = await startServer(file, env)
  try {
    await load(port, size, 1.5) // warm-up: JIT, pools, caches
    const before = cpuMs(child.pid)
    const { result, wrong } = await load(port, size, DURATION)
    const cpu = cpuMs(child.pid) - before
    const requests = result.requests.total
    return {
      rps: result.requests.average,
      p99: result.latency.p99,
      cpuPerRequestUs: requests === 0 ? Infinity : (cpu * 1000) / requests,
      requests,
      failed: wrong + result.errors + result.timeouts + result.non2xx
    }
  } finally {
    child.kill()
    await new Promise(resolve => child.once('exit', resolve))
  }
}

const median = values => {
  const sorted = [...values].sort((a, b) => a - b)
  const middle = Math.floor(sorted.length / 2)
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
}

/** Interleaved rounds of several configurations, each compared with `baseline` in its own round. */
async function compare (label, configs, baseline) {
  const names = Object.keys(configs)
  const runs = Object.fromEntries(names.map(name => [name, []]))
  for (let round = 0; round < ROUNDS; round++) {
    const order = names.map((_, i) => names[(i + round) % names.length])
    const results = {}
    for (const name of order) {
      results[name] = await measure(configs[name].file, configs[name])
      process.stderr.write(`${label} round ${round + 1}/${ROUNDS} ${name}: ${Math.round(results[name].rps)} req/s\n`)
    }
    for (const name of names) {
      const base = results[baseline]
      runs[name].push({ ...results[name], rpsRatio: results[name].rps / base.rps, p99Ratio: results[name].p99 / base.p99, cpuRatio: results[name].cpuPerRequestUs / base.cpuPerRequestUs })
    }
  }
  return Object.fromEntries(names.map(name => {
    const list = runs[name]
    return [name, {
      rps: median(list.map(r => r.rps)),
      p99: median(list.map(r => r.p99)),
      cpuPerRequestUs: median(list.map(r => r.cpuPerRequestUs)),
      rpsRatio: median(list.map(r => r.rpsRatio)),
      p99Ratio: median(list.map(r => r.p99Ratio)),
      cpuRatio: median(list.map(r => r.cpuRatio)),
      failed: list.reduce((sum, r) => sum + r.failed, 0),
      rounds: list
    }]
  }))
}

const fmt = (n, digits = 2) => Number.isFinite(n) ? n.toFixed(digits) : '—'

function table (title, results) {
  const lines = [`\n${title}`, '', '| server | req/s | × bare | p99 ms | × bare | CPU µs/req | × bare | failed |', '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |']
  for (const [name, r] of Object.entries(results)) {
    lines.push(`| ${name} | ${Math.round(r.rps)} | ${fmt(r.rpsRatio)} | ${fmt(r.p99, 0)} | ${fmt(r.p99Ratio)} | ${fmt(r.cpuPerRequestUs, 0)} | ${fmt(r.cpuRatio)} | ${r.failed} |`)
  }
  return lines.join('\n')
}

const report = {
  date: new Date().toISOString(),
  machine: { node: process.version, cpus: cpus().length, model: cpus()[0]?.model, pinned: PIN },
  settings: { rounds: ROUNDS, duration: DURATION, connections: CONNECTIONS }
}
const out = []

if (args.only === 'all' || args.only === 'main') {
  const configs = Object.fromEntries(Object.entries(SERVERS).map(([name, file]) => [name, { file }]))
  const main = await compare('main', configs, BARE)
  report.main = main
  const haptik = main['fastify-haptik']
  report.targets = {
    'req/s ≥ 0.92× bare': { value: haptik.rpsRatio, pass: haptik.rpsRatio >= 0.92 },
    'CPU/req ≤ 1.10× bare': { value: haptik.cpuRatio, pass: haptik.cpuRatio <= 1.10 },
    'req/s ≥ 1.15× fastify-raw-body': { value: haptik.rpsRatio / main['Fastify + fastify-raw-body'].rpsRatio, pass: haptik.rpsRatio / main['Fastify + fastify-raw-body'].rpsRatio >= 1.15 },
    'req/s ≥ 3× Express': { value: haptik.rpsRatio / main['Express 5 + express.json({ verify })'].rpsRatio, pass: haptik.rpsRatio / main['Express 5 + express.json({ verify })'].rpsRatio >= 3 }
  }
  out.push(table(`Haptik's sample step, ~1.5 KB signed body, ${CONNECTIONS} connections, median of ${ROUNDS} rounds`, main))
  out.push('\n| target | measured | |\n| --- | ---: | --- |\n' + Object.entries(report.targets).map(([name, t]) => `| ${name} | ${fmt(t.value)} | ${t.pass ? 'met' : 'missed'} |`).join('\n'))
}

if (args.only === 'all' || args.only === 'scale') {
  report.bodySize = {}
  for (const size of [1024, 16 * 1024, 256 * 1024]) {
    const results = await compare(`body ${size}`, {
      'fastify-haptik': { file: 'fastify-haptik.mjs', size },
      [BARE]: { file: 'bare-fastify.mjs', size }
    }, BARE)
    report.bodySize[size] = results
    out.push(table(`Body of ${size / 1024} KB`, results))
  }
  report.steps = {}
  for (const steps of [1, 100]) {
    const results = await compare(`steps ${steps}`, {
      'fastify-haptik': { file: 'fastify-haptik.mjs', env: { BENCH_STEPS: String(steps) } },
      [BARE]: { file: 'bare-fastify.mjs' }
    }, BARE)
    report.steps[steps] = results
    out.push(table(`${steps} step${steps === 1 ? '' : 's'} registered`, results))
  }
}

const text = out.join('\n')
console.log(`Node ${process.version}, ${cpus().length} × ${cpus()[0]?.model}, ${PIN ? 'server pinned to core 1, load on core 0' : 'not pinned'}`)
console.log(text)
mkdirSync('bench', { recursive: true })
writeFileSync(args.output, JSON.stringify(report, (key, value) => key === 'rounds' ? undefined : value, 2) + '\n')
console.log(`\nJSON: ${args.output}`)
const failed = Object.values(report.main ?? {}).some(r => r.failed > 0)
if (failed) {
  console.error('Some server answered wrongly: its figures do not count.')
  process.exitCode = 1
}
