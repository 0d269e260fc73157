// Shared by the benchmark runners (run.mjs, ab.mjs, profile.mjs): pinning,
// starting a server, CPU time from /proc, the checked load, and the statistics.
import autocannon from 'autocannon'
import { execFileSync, spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { cpus } from 'node:os'
import { fileURLToPath } from 'node:url'
import { answer, body, signature } from './workload.mjs'

const CLOCK_TICK_MS = 1000 / Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim())

function hasTaskset () {
  try { execFileSync('taskset', ['-V'], { stdio: 'ignore' }); return true } catch { return false }
}
/** Whether servers go to core 1 and the load generator to core 0. */
export const PIN = hasTaskset() && cpus().length > 1

/** Moves this process (the load generator) to core 0 when pinning. */
export function pinLoadGenerator () {
  if (PIN) execFileSync('taskset', ['-p', '-c', '0', String(process.pid)], { stdio: 'ignore' })
}

export const machine = () => ({ node: process.version, cpus: cpus().length, model: cpus()[0]?.model, pinned: PIN })

/** CPU time (user + system, all threads) a process has used, in ms. */
export function cpuMs (pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  return (Number(fields[11]) + Number(fields[12])) * CLOCK_TICK_MS // utime + stime
}

/** Starts bench/servers/<file> on a free port (on core 1 when pinning); resolves once it listens. */
export async function startServer (file, { env = {}, nodeArgs = [], pin = PIN } = {}) {
  const script = fileURLToPath(new URL(`./servers/${file}`, import.meta.url))
  const node = [process.execPath, ...nodeArgs, script, '0']
  const [command, ...args] = pin ? ['taskset', '-c', '1', ...node] : node
  const child = spawn(command, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] })
  const port = await new Promise((resolve, reject) => {
    child.stdout.once('data', chunk => resolve(Number(/ready (\d+)/.exec(String(chunk))[1])))
    child.once('exit', code => reject(new Error(`${file} exited with ${code}`)))
  })
  return { child, port }
}

/** Stops a server and waits for it to exit. */
export async function stopServer ({ child }, signal = 'SIGTERM') {
  if (child.exitCode !== null || child.signalCode !== null) return
  const exited = new Promise(resolve => child.once('exit', resolve))
  child.kill(signal)
  await exited
}

/**
 * Loads a server with the workload (speaker and powerbank, alternating) for `duration`
 * seconds; `wrong` counts responses that are not the expected 200 and body. With
 * `conversationPerConnection`, each connection is a user of its own, as Haptik sends a
 * conversation's calls one after the other (a stateful step's state is then never contended).
 */
export function load (port, { size = 1536, duration, connections, conversationPerConnection = false }) {
  let wrong = 0
  const requestsOf = userId => ['speaker', 'powerbank'].map(product => {
    const payload = body(product, size, userId)
    const expected = JSON.stringify(answer(product))
    return {
      method: 'POST',
      path: '/product_price',
      headers: { 'content-type': 'application/json', 'x-hub-signature': signature(payload) },
      body: payload,
      onResponse: (status, responseBody) => { if (status !== 200 || responseBody !== expected) wrong++ }
    }
  })
  let clients = 0
  const setupClient = conversationPerConnection ? client => client.setRequests(requestsOf(`bench-user-${++clients}`)) : undefined
  return new Promise((resolve, reject) => {
    autocannon({ url: `http://127.0.0.1:${port}`, connections, duration, requests: requestsOf(undefined), setupClient }, (error, result) => {
      if (error) reject(error)
      else resolve({ result, wrong })
    })
  })
}

/** Requests that failed in a load: wrong answers, errors, timeouts, non-2xx. */
export const failures = ({ result, wrong }) => wrong + result.errors + result.timeouts + result.non2xx

/** The `q` quantile (0..1) of `values`, interpolated between neighbours. */
export function quantile (values, q) {
  const sorted = [...values].sort((a, b) => a - b)
  const position = (sorted.length - 1) * q
  const below = Math.floor(position)
  const above = Math.ceil(position)
  return sorted[below] + (sorted[above] - sorted[below]) * (position - below)
}

export const median = values => quantile(values, 0.5)

export const fmt = (n, digits = 2) => Number.isFinite(n) ? n.toFixed(digits) : '—'
