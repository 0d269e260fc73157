// npm run bench:ab -- --a <ref-or-dir> --b <ref-or-dir>: a paired A/B comparison of two
// builds of fastify-haptik. Six servers run side by side, each in its own warm process on
// core 1: A, A' (a second process of build A: the A/A control), B, the bare Fastify route,
// the fastify-raw-body recipe and the floor recipe (a parseAs: 'buffer' parser doing the
// HMAC, then secure-json-parse); the peers load their schemas from build A. autocannon on core 0
// loads them in turn in short windows, in an order that changes every round, and every figure
// is a ratio of two servers in the same round: its median and interquartile range over the
// rounds are printed beside the A/A control, since neighbours on these machines move absolute
// figures by ±30%. Every response is checked. Raw results: bench/results/ab-<date>.json.
import { spawn, execFileSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { fileURLToPath } from 'node:url'
import { setTimeout as sleep } from 'node:timers/promises'
import { PIN, cpuMs, failures, fmt, load, machine, median, pinLoadGenerator, quantile, startServer } from './harness.mjs'

const USAGE = `Usage: node bench/ab.mjs --a <ref-or-dir> --b <ref-or-dir> [options]
       npm run bench:ab -- --a HEAD --b .

A build is a directory holding a built dist/esm/index.js (e.g. . after npm run build),
or a git ref: it is checked out in a temporary git worktree, given this checkout's
node_modules, built with npm run build, and removed at the end.

  --a <ref-or-dir>        the baseline (default HEAD); also the build the peers load
  --b <ref-or-dir>        the candidate (default .)
  --windows <n>           windows per server (default 12)
  --window-seconds <s>    length of a window (default 2)
  --connections <c>       autocannon connections (default 50)
  --handler <kind>        the step's handler in A and B: async (default, as users write
                          it) or sync
  -h, --help              this text`

// The servers, each started once; the peers load their schemas from build A.
const SERVERS = [
  { name: 'A', file: 'fastify-haptik.mjs', build: 'A' },
  { name: "A'", file: 'fastify-haptik.mjs', build: 'A' },
  { name: 'B', file: 'fastify-haptik.mjs', build: 'B' },
  { name: 'bare', file: 'bare-fastify.mjs', build: 'A' },
  { name: 'raw-body', file: 'fastify-raw-body.mjs', build: 'A' },
  { name: 'floor', file: 'fastify-buffer-parser.mjs', build: 'A' }
]
// Ratios of two servers in the same round: [numerator, denominator, label].
const RATIOS = [
  ["A'", 'A', "A' / A (A/A control)"],
  ['B', 'A', 'B / A'],
  ['A', 'bare', 'A / bare route'],
  ['B', 'bare', 'B / bare route'],
  ['A', 'raw-body', 'A / fastify-raw-body'],
  ['B', 'raw-body', 'B / fastify-raw-body'],
  ['A', 'floor', 'A / floor recipe'],
  ['B', 'floor', 'B / floor recipe']
]
// The targets: at the HMAC floor, and ahead of the common recipe.
const TARGETS = [
  { metric: 'cpu', label: 'CPU/req', peer: 'floor', peerLabel: 'floor recipe', sign: '≤', limit: 1.03 },
  { metric: 'rps', label: 'req/s', peer: 'raw-body', peerLabel: 'fastify-raw-body', sign: '≥', limit: 1.05 }
]
const PAUSE_MS = 250
const ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)))

class Failure extends Error {}

let args
try {
  args = parseArgs({
    options: {
      a: { type: 'string', default: 'HEAD' },
      b: { type: 'string', default: '.' },
      windows: { type: 'string', default: '12' },
      'window-seconds': { type: 'string', default: '2' },
      connections: { type: 'string', default: '50' },
      handler: { type: 'string', default: 'async' },
      help: { type: 'boolean', short: 'h', default: false }
    }
  }).values
} catch (error) {
  console.error(`${error.message}\n\n${USAGE}`)
  process.exit(2)
}
if (args.help) {
  console.log(USAGE)
  process.exit(0)
}
const WINDOWS = Number(args.windows)
const SECONDS = Number(args['window-seconds'])
const CONNECTIONS = Number(args.connections)
const HANDLER = args.handler
if (HANDLER !== 'async' && HANDLER !== 'sync') {
  console.error(`--handler takes async or sync\n\n${USAGE}`)
  process.exit(2)
}
if (!(Number.isInteger(WINDOWS) && WINDOWS >= 1 && SECONDS > 0 && Number.isInteger(CONNECTIONS) && CONNECTIONS >= 1)) {
  console.error(`--windows and --connections take a whole number ≥ 1, --window-seconds a number > 0\n\n${USAGE}`)
  process.exit(2)
}

// Everything started here is stopped on every way out (normal end, error, Ctrl-C).
const stops = []
const worktrees = []
function cleanup () {
  for (const stop of stops.splice(0)) stop()
  if (worktrees.length === 0) return
  for (const dir of worktrees.splice(0)) {
    try { unlinkSync(join(dir, 'node_modules')) } catch {} // the link only, never what it points to
    try { git('worktree', 'remove', '--force', dir) } catch { rmSync(dir, { recursive: true, force: true }) }
  }
  try { git('worktree', 'prune') } catch {}
}
const running = child => child.exitCode === null && child.signalCode === null
process.on('exit', cleanup)
for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143]]) process.on(signal, () => process.exit(code))

function git (...gitArgs) {
  return execFileSync('git', ['-C', ROOT, ...gitArgs], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim()
}

function npmBuild (cwd) {
  // In its own process group, so that stopping it stops tsc too.
  const child = spawn('npm', ['run', 'build'], { cwd, stdio: ['ignore', 2, 2], detached: true })
  stops.push(() => { if (running(child)) process.kill(-child.pid) })
  return new Promise((resolve, reject) => child.once('exit', code => code === 0 ? resolve() : reject(new Failure(`npm run build failed in ${cwd} (exit ${code})`))))
}

/** The commit a directory is at, and whether its lib/ has uncommitted changes or is newer than its dist. */
function describe (dir) {
  const notes = []
  try {
    notes.push(execFileSync('git', ['-C', dir, 'rev-parse', '--short', 'HEAD'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim())
    if (execFileSync('git', ['-C', dir, 'status', '--porcelain', '--', 'lib'], { encoding: 'utf8' }).trim()) notes.push('uncommitted changes in lib/')
  } catch {}
  const built = statSync(join(dir, 'dist/esm/index.js')).mtimeMs
  const lib = join(dir, 'lib')
  if (existsSync(lib) && readdirSync(lib, { recursive: true }).some(file => statSync(join(lib, file)).mtimeMs > built)) {
    notes.push('WARNING: lib/ is newer than dist/, run npm run build')
  }
  return notes.join(', ') || 'not a git checkout'
}

/** A build: a directory with dist/esm/index.js, or a git ref built in a temporary worktree. */
async function prepare (spec, role) {
  if (existsSync(spec) && statSync(spec).isDirectory()) {
    const dir = resolve(spec)
    if (!existsSync(join(dir, 'dist/esm/index.js'))) throw new Failure(`--${role} ${spec}: ${dir} has no dist/esm/index.js (run npm run build there)`)
    return { spec, source: 'directory', dir, dist: join(dir, 'dist'), note: describe(dir) }
  }
  let commit
  try {
    commit = git('rev-parse', '--verify', '--quiet', `${spec}^{commit}`)
  } catch {
    throw new Failure(`--${role} ${spec}: neither a directory nor a git ref of ${ROOT}`)
  }
  const dir = mkdtempSync(join(tmpdir(), `haptik-ab-${role}-`))
  worktrees.push(dir)
  git('worktree', 'add', '--detach', dir, commit)
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir')
  process.stderr.write(`--${role} ${spec}: building ${commit.slice(0, 7)} in ${dir}\n`)
  await npmBuild(dir)
  if (!existsSync(join(dir, 'dist/esm/index.js'))) throw new Failure(`--${role} ${spec}: npm run build left no dist/esm/index.js`)
  return { spec, source: 'git ref, built in a temporary worktree', commit, dist: join(dir, 'dist'), note: commit.slice(0, 7) }
}

/** Strides coprime with n: window w visits server (w + i × stride) at step i, so successors change. */
const strides = n => Array.from({ length: Math.max(1, n - 1) }, (_, i) => i + 1).filter(k => gcd(k, n) === 1)
const gcd = (x, y) => y === 0 ? x : gcd(y, x % y)

async function measure (server) {
  const before = cpuMs(server.child.pid)
  const generator = process.cpuUsage()
  const loaded = await load(server.port, { duration: SECONDS, connections: CONNECTIONS })
  const cpu = cpuMs(server.child.pid) - before
  const { user, system } = process.cpuUsage(generator)
  if (!running(server.child)) throw new Failure(`server ${server.name} stopped during the run`)
  const { requests, latency, duration } = loaded.result
  return {
    rps: requests.total / duration,
    cpuPerRequestUs: requests.total === 0 ? Infinity : (cpu * 1000) / requests.total,
    // Shares of a core: a server below ~90% was held back by the load generator or the neighbours.
    serverBusy: cpu / (duration * 1000),
    generatorBusy: (user + system) / (duration * 1e6),
    p99: latency.p99,
    requests: requests.total,
    failed: failures(loaded)
  }
}

const spread = values => ({ median: median(values), q1: quantile(values, 0.25), q3: quantile(values, 0.75) })
const times = s => `${fmt(s.median)}×`
const iqr = s => `${fmt(s.q1)}–${fmt(s.q3)}`
const thousands = n => Math.round(n).toLocaleString('en-US')
const percent = share => `${Math.round(100 * share)}%`

async function main () {
  const builds = { A: await prepare(args.a, 'a'), B: await prepare(args.b, 'b') }
  pinLoadGenerator()
  const servers = []
  for (const { name, file, build } of SERVERS) {
    const { child, port } = await startServer(file, { env: { HAPTIK_DIST: builds[build].dist, BENCH_HANDLER: HANDLER } }).catch(error => {
      throw new Failure(`server ${name} (${file}, build ${build}: ${builds[build].dist}) did not start: ${error.message}`)
    })
    stops.push(() => { if (running(child)) child.kill() })
    servers.push({ name, file, build, child, port })
  }
  process.stderr.write(`warming up ${servers.length} servers, ${2 * SECONDS} s each\n`)
  for (const server of servers) await load(server.port, { duration: 2 * SECONDS, connections: CONNECTIONS })

  const windows = []
  const steps = strides(servers.length)
  for (let w = 0; w < WINDOWS; w++) {
    const order = servers.map((_, i) => servers[(w + i * steps[w % steps.length]) % servers.length])
    const results = {}
    for (const server of order) {
      await sleep(PAUSE_MS)
      results[server.name] = await measure(server)
    }
    windows.push({ order: order.map(s => s.name), results })
    process.stderr.write(`window ${w + 1}/${WINDOWS}: ${order.map(s => `${s.name} ${thousands(results[s.name].rps)} req/s ${fmt(results[s.name].cpuPerRequestUs, 1)} µs`).join(' · ')}\n`)
  }

  const ratios = Object.fromEntries(RATIOS.map(([x, y, label]) => [`${x}/${y}`, {
    label,
    cpu: spread(windows.map(({ results }) => results[x].cpuPerRequestUs / results[y].cpuPerRequestUs)),
    rps: spread(windows.map(({ results }) => results[x].rps / results[y].rps))
  }]))
  const control = ratios["A'/A"]
  const perServer = Object.fromEntries(servers.map(({ name, file, build }) => {
    const list = windows.map(({ results }) => results[name])
    const of = key => median(list.map(r => r[key]))
    return [name, { file, build, rps: of('rps'), cpuPerRequestUs: of('cpuPerRequestUs'), serverBusy: of('serverBusy'), generatorBusy: of('generatorBusy'), failed: list.reduce((sum, r) => sum + r.failed, 0) }]
  }))
  const saturated = Object.values(perServer).every(s => s.serverBusy >= 0.9)
  const failed = Object.entries(perServer).filter(([, s]) => s.failed > 0)

  const verdicts = []
  for (const build of ['B', 'A']) {
    for (const t of TARGETS) {
      const s = ratios[`${build}/${t.peer}`][t.metric]
      const c = control[t.metric]
      const met = t.sign === '≤' ? s.median <= t.limit : s.median >= t.limit
      const straddles = s.q1 <= t.limit && t.limit <= s.q3
      const outcome = failed.length > 0 ? 'not valid (wrong answers)' : `${met ? 'met' : 'missed'}${straddles ? ' (the IQR straddles the target)' : ''}`
      verdicts.push({ build, target: `${t.label} ${t.sign} ${t.limit}× ${t.peerLabel}`, ...s, control: c, met: failed.length === 0 && met, straddles, line: `${build} ${t.label} = ${times(s)} ${t.peerLabel} (IQR ${iqr(s)}; A/A control ${times(c)}, IQR ${iqr(c)}) — target ${t.sign} ${t.limit}×: ${outcome}` })
    }
  }

  const about = machine()
  const out = [
    `fastify-haptik A/B: Node ${process.version}, ${about.cpus} × ${about.model}, ${PIN ? 'servers pinned to core 1, load on core 0' : 'not pinned'}`,
    `A  = ${builds.A.spec} (${builds.A.source}; ${builds.A.note})`,
    `B  = ${builds.B.spec} (${builds.B.source}; ${builds.B.note})`,
    "A' = a second server process of build A (the A/A control)",
    "servers: this checkout's bench/servers/*.mjs; the bare route, the fastify-raw-body recipe and the floor recipe (parseAs: 'buffer', HMAC, secure-json-parse) load their schemas from build A",
    `${WINDOWS} windows of ${SECONDS} s per server, ${CONNECTIONS} connections, order rotated every round; Haptik's sample step, ~1.5 KB signed body, ${HANDLER} handler in A and B`,
    '',
    '| server | build | req/s | CPU µs/req | server core busy | load generator busy | failed |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: |',
    ...Object.entries(perServer).map(([name, s]) => `| ${name} (${s.file}) | ${s.build} | ${thousands(s.rps)} | ${fmt(s.cpuPerRequestUs, 1)} | ${percent(s.serverBusy)} | ${percent(s.generatorBusy)} | ${s.failed} |`),
    '',
    'Absolute figures are medians over windows and move with the neighbours; compare the ratios.',
    ...(saturated ? [] : ['Some server used < 90% of its core: its req/s was held back by the load generator or the neighbours, so req/s ratios are weaker evidence than CPU/req.']),
    '',
    '| ratio, same round | CPU/req | IQR | req/s | IQR |',
    '| --- | ---: | ---: | ---: | ---: |',
    ...Object.values(ratios).map(r => `| ${r.label} | ${times(r.cpu)} | ${iqr(r.cpu)} | ${times(r.rps)} | ${iqr(r.rps)} |`),
    '',
    `B / A: CPU/req ${times(ratios['B/A'].cpu)} (IQR ${iqr(ratios['B/A'].cpu)}), req/s ${times(ratios['B/A'].rps)} (IQR ${iqr(ratios['B/A'].rps)}); A/A control: CPU/req ${times(control.cpu)} (IQR ${iqr(control.cpu)}), req/s ${times(control.rps)} (IQR ${iqr(control.rps)})`,
    ...verdicts.map(v => v.line)
  ]
  console.log(out.join('\n'))

  const file = join(ROOT, 'bench/results', `ab-${new Date().toISOString().replace(/[:.]/g, '-')}.json`)
  mkdirSync(join(ROOT, 'bench/results'), { recursive: true })
  const report = {
    date: new Date().toISOString(),
    machine: about,
    settings: { windows: WINDOWS, windowSeconds: SECONDS, connections: CONNECTIONS, handler: HANDLER, pauseMs: PAUSE_MS },
    builds: Object.fromEntries(Object.entries(builds).map(([role, { spec, source, commit, note }]) => [role, { spec, source, commit, note }])),
    servers: perServer,
    ratios,
    verdicts,
    windows
  }
  writeFileSync(file, JSON.stringify(report, null, 2) + '\n')
  console.log(`\nJSON: ${file}`)
  if (failed.length > 0) {
    console.error(`Wrong answers from ${failed.map(([name, s]) => `${name} (${s.failed})`).join(', ')}: the figures do not count.`)
    process.exitCode = 1
  }
}

try {
  await main()
} catch (error) {
  console.error(error instanceof Failure ? `bench/ab.mjs: ${error.message}` : error)
  process.exitCode = 1
} finally {
  cleanup()
}
