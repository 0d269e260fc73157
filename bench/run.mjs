// npm run bench: serves one workload (Haptik's sample step, signed) from each
// server in its own process, pinned to one core, loads it over loopback with
// autocannon from another core, and reports every figure as the median over
// interleaved rounds of its ratio to the bare Fastify route measured in the
// same round, so machine noise cancels. Every response body is checked.
// `--only main | scale | startup | state | client` runs one part; startup is steps against
// ready time and heap, for the plugin and for bare Fastify; state is a stateful step
// in memory and on a loopback redis-server against the same step without state; client is
// a step with the plugin's `client` option, unused, against the same step without it.
import { execFileSync, spawn } from 'node:child_process'
import { writeFileSync, mkdirSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { cpus } from 'node:os'
import { parseArgs } from 'node:util'
import { PIN, cpuMs, failures, fmt, load, machine, median, pinLoadGenerator, startServer, stopServer } from './harness.mjs'

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

const SERVERS = {
  'fastify-haptik (async handler)': 'fastify-haptik.mjs',
  'fastify-haptik, synchronous handler': { file: 'fastify-haptik.mjs', env: { BENCH_HANDLER: 'sync' } },
  'fastify-haptik, served unsigned (no HMAC)': 'fastify-haptik-unsigned.mjs',
  'bare Fastify route (no check)': 'bare-fastify.mjs',
  'Fastify + fastify-raw-body': 'fastify-raw-body.mjs',
  "Fastify + parseAs: 'buffer' parser": 'fastify-buffer-parser.mjs',
  'Express 5 + express.json({ verify })': 'express.mjs',
  'node:http by hand': 'node-http.mjs'
}
const BARE = 'bare Fastify route (no check)'

// The load generator on core 0, each server on core 1.
pinLoadGenerator()

async function measure (file, { size = 1536, env = {}, conversationPerConnection = false } = {}) {
  const server = await startServer(file, { env })
  try {
    const workload = { size, connections: CONNECTIONS, conversationPerConnection }
    await load(server.port, { ...workload, duration: 1.5 }) // warm-up: JIT, pools, caches
    const before = cpuMs(server.child.pid)
    const loaded = await load(server.port, { ...workload, duration: DURATION })
    const cpu = cpuMs(server.child.pid) - before
    const { result } = loaded
    const requests = result.requests.total
    return {
      rps: result.requests.average,
      p99: result.latency.p99,
      cpuPerRequestUs: requests === 0 ? Infinity : (cpu * 1000) / requests,
      requests,
      failed: failures(loaded)
    }
  } finally {
    await stopServer(server)
  }
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

function table (title, results) {
  const lines = [`\n${title}`, '', '| server | req/s | × bare | p99 ms | × bare | CPU µs/req | × bare | failed |', '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |']
  for (const [name, r] of Object.entries(results)) {
    lines.push(`| ${name} | ${Math.round(r.rps)} | ${fmt(r.rpsRatio)} | ${fmt(r.p99, 0)} | ${fmt(r.p99Ratio)} | ${fmt(r.cpuPerRequestUs, 0)} | ${fmt(r.cpuRatio)} | ${r.failed} |`)
  }
  return lines.join('\n')
}

const report = {
  date: new Date().toISOString(),
  machine: machine(),
  settings: { rounds: ROUNDS, duration: DURATION, connections: CONNECTIONS }
}
const out = []

if (args.only === 'all' || args.only === 'main') {
  const configs = Object.fromEntries(Object.entries(SERVERS).map(([name, server]) => [name, typeof server === 'string' ? { file: server } : server]))
  const main = await compare('main', configs, BARE)
  report.main = main
  const haptik = main['fastify-haptik (async handler)']
  const floor = main["Fastify + parseAs: 'buffer' parser"]
  const rawBody = main['Fastify + fastify-raw-body']
  report.targets = {
    "CPU/req ≤ 1.03× the parseAs: 'buffer' floor recipe": { value: haptik.cpuRatio / floor.cpuRatio, pass: haptik.cpuRatio / floor.cpuRatio <= 1.03 },
    'req/s ≥ 1.05× fastify-raw-body': { value: haptik.rpsRatio / rawBody.rpsRatio, pass: haptik.rpsRatio / rawBody.rpsRatio >= 1.05 },
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

if (args.only === 'all' || args.only === 'startup') {
  // Steps against ready time and heap: a fresh process per measurement (bench/startup-app.mjs),
  // the plugin and bare Fastify with the same routes and schemas interleaved, median of the rounds.
  const script = fileURLToPath(new URL('./startup-app.mjs', import.meta.url))
  const STEPS = [1, 10, 100, 500, 1000]
  const runs = {}
  for (let round = 0; round < Math.min(ROUNDS, 3); round++) {
    for (const steps of STEPS) {
      for (const kind of round % 2 ? ['bare', 'haptik'] : ['haptik', 'bare']) {
        const command = [process.execPath, '--expose-gc', script, kind, String(steps)]
        const [file, ...rest] = PIN ? ['taskset', '-c', '1', ...command] : command
        const result = JSON.parse(execFileSync(file, rest, { encoding: 'utf8' }))
        ;((runs[steps] ??= {})[kind] ??= []).push(result)
        process.stderr.write(`startup round ${round + 1} ${kind} ${steps} steps: ready in ${Math.round(result.readyMs)} ms, heap ${result.heapMB.toFixed(1)} MB\n`)
      }
    }
  }
  const of = (list, key) => median(list.map(r => r[key]).filter(v => v !== undefined))
  report.startup = Object.fromEntries(STEPS.map(steps => [steps, Object.fromEntries(['haptik', 'bare'].map(kind => {
    const list = runs[steps][kind]
    return [kind, { readyMs: of(list, 'readyMs'), heapMB: of(list, 'heapMB'), appFirstCallMs: of(list, 'appFirstCallMs'), stepFirstCallMs: steps > 1 ? of(list, 'stepFirstCallMs') : undefined, warmCallMs: of(list, 'warmCallMs') }]
  }))]))
  const lines = [
    `\nStartup: steps with Entities.Date, Entities.City and a union of literals of their own; Fastify() to ready(), heap after a full GC, median of ${Math.min(ROUNDS, 3)} fresh processes`,
    '',
    '| steps | fastify-haptik ready ms | heap MB | bare Fastify ready ms | heap MB | ready × bare | first call ms: app / step / warm (haptik) | (bare) |',
    '| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |'
  ]
  for (const steps of STEPS) {
    const { haptik, bare } = report.startup[steps]
    const calls = r => [r.appFirstCallMs, r.stepFirstCallMs, r.warmCallMs].map(v => v === undefined ? '—' : fmt(v, 1)).join(' / ')
    lines.push(`| ${steps} | ${Math.round(haptik.readyMs)} | ${fmt(haptik.heapMB, 1)} | ${Math.round(bare.readyMs)} | ${fmt(bare.heapMB, 1)} | ${fmt(haptik.readyMs / bare.readyMs)} | ${calls(haptik)} | ${calls(bare)} |`)
  }
  out.push(lines.join('\n'))
}

if (args.only === 'all' || args.only === 'state') {
  // Each connection is a conversation of its own, as Haptik sends a conversation's calls one
  // after the other: every call of the stateful step reads its state and writes it back.
  // redis-server (Debian's) runs on core 0 beside the load generator, as a Redis on another
  // host would: the figures are the plugin process's own cost, and its wait for the store.
  const redisPort = 6390 + Math.floor(Math.random() * 100)
  const redisCommand = ['redis-server', '--port', String(redisPort), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no']
  const [file, ...rest] = PIN ? ['taskset', '-c', '0', ...redisCommand] : redisCommand
  const redis = spawn(file, rest, { stdio: 'ignore' })
  const redisStarted = await new Promise(resolve => { redis.once('error', () => resolve(false)); setTimeout(() => resolve(redis.exitCode === null), 500) })
  const STATELESS = 'stateless step (async handler)'
  const configs = {
    [STATELESS]: { file: 'fastify-haptik.mjs' },
    'stateful, memoryStore()': { file: 'fastify-haptik-state.mjs', env: { BENCH_STORE: 'memory' } },
    // A control: what these rounds make of 4 µs of work added to each call (the 1.10× budget).
    'control: stateless, handler busy 4 µs per call': { file: 'fastify-haptik.mjs', env: { BENCH_BUSY_US: '4' } }
  }
  const redisUrl = `redis://127.0.0.1:${redisPort}`
  if (redisStarted) {
    configs['stateful, redisStore(ioredis), loopback'] = { file: 'fastify-haptik-state.mjs', env: { BENCH_STORE: 'ioredis', BENCH_REDIS_URL: redisUrl } }
    configs['stateful, redisStore(node-redis), loopback'] = { file: 'fastify-haptik-state.mjs', env: { BENCH_STORE: 'node-redis', BENCH_REDIS_URL: redisUrl } }
  } else {
    process.stderr.write('redis-server did not start (apt-get install -y redis-server): the Redis rows are left out\n')
  }
  for (const config of Object.values(configs)) config.conversationPerConnection = true
  try {
    const state = await compare('state', configs, STATELESS)
    report.state = state
    const memory = state['stateful, memoryStore()']
    report.targets = { ...report.targets, 'stateful step in memory: CPU/req ≤ 1.10× stateless': { value: memory.cpuRatio, pass: memory.cpuRatio <= 1.10 } }
    out.push(table(`State: a conversation per connection (${CONNECTIONS}), each call reads and writes its state; × the stateless step, median of ${ROUNDS} rounds`, state).replaceAll('× bare', '× stateless'))
    out.push(`\n| target | measured | |\n| --- | ---: | --- |\n| stateful step in memory: CPU/req ≤ 1.10× stateless | ${fmt(memory.cpuRatio)} | ${memory.cpuRatio <= 1.10 ? 'met' : 'missed'} |`)
  } finally {
    redis.kill()
  }
}

if (args.only === 'all' || args.only === 'client') {
  // A step that makes no API call, with the plugin's `client` option and without, beside a
  // second process of the same server as the A/A control.
  const STEP_ALONE = 'stateless step (async handler)'
  const configs = {
    [STEP_ALONE]: { file: 'fastify-haptik.mjs' },
    'the same, again (A/A control)': { file: 'fastify-haptik.mjs' },
    'with the client option, unused': { file: 'fastify-haptik.mjs', env: { BENCH_CLIENT: '1' } }
  }
  const client = await compare('client', configs, STEP_ALONE)
  report.client = client
  out.push(table(`Client: a step that makes no API call, with and without the plugin's client option; × the step without it, median of ${ROUNDS} rounds`, client).replaceAll('× bare', '× without'))
}

const text = out.join('\n')
console.log(`Node ${process.version}, ${cpus().length} × ${cpus()[0]?.model}, ${PIN ? 'server pinned to core 1, load on core 0' : 'not pinned'}`)
console.log(text)
mkdirSync('bench', { recursive: true })
writeFileSync(args.output, JSON.stringify(report, (key, value) => key === 'rounds' ? undefined : value, 2) + '\n')
console.log(`\nJSON: ${args.output}`)
const failed = [report.main, report.state, report.client].some(results => Object.values(results ?? {}).some(r => r.failed > 0))
if (failed) {
  console.error('Some server answered wrongly: its figures do not count.')
  process.exitCode = 1
}
