// The soak, shared by test/robustness/soak.test.ts (short, in `npm test`)
// and scripts/soak.ts (200k requests, `npm run soak`). A child process
// serves the plugin over loopback; this process sends a fixed mix of valid,
// forged and malformed calls from several keep-alive connections, checks
// every answer byte for byte, and samples the server's memory.
import { fork, type ChildProcess } from 'node:child_process'
import { createHmac } from 'node:crypto'
import { Agent, request as httpRequest } from 'node:http'
import { fileURLToPath } from 'node:url'
import { SECRET } from './haptik.js'

export const SOAK_BODY_LIMIT = 4096
const FALLBACK = 'Sorry, I could not complete that just now. Please try again in a moment.'
const INVALID_ENTITY = "Sorry, I didn't quite get that. Could you say it another way?"

function sign (body: string | Buffer, secret = SECRET): string {
  return 'sha1=' + createHmac('sha1', secret).update(body).digest('hex')
}

function body (step: string, ref: string, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({
    step,
    event: 'API_INTEGRATION',
    user: { user_id: '5120931', full_name: 'Asha Rao', device_platform: 5, language_code: 'hi', auth_id: 'client-77', auth_code: 'c0de' },
    conversation_no: 3,
    conversation_details: { cart_id: 'C-7781' },
    user_details: { city: 'पुणे' },
    entities: { ref: [{ detection: 'message', original_text: ref, entity_value: { value: ref } }], qty: [{ entity_value: { value: '2' } }] },
    ...extra
  })
}

interface Planned {
  path: string
  payload: Buffer
  headers: Record<string, string>
  status: number
  /** The exact answer expected: a JSON body, or only the error code. */
  body?: unknown
  code?: string
}

/** The request mix, one entry per slot of a cycle of 20. */
export const KINDS = [
  'valid', 'valid', 'valid', 'valid', 'valid', 'valid', 'valid', 'valid', 'valid', 'valid',
  'handler-throws', 'forged-secret', 'forged-secret', 'forged-flipped-byte', 'missing-signature',
  'malformed-json', 'invalid-entity', 'wrong-content-type', 'over-limit', 'step-mismatch'
] as const
export type Kind = typeof KINDS[number]

function json (payload: string, extra: Record<string, string> = {}): Record<string, string> {
  return { 'content-type': 'application/json', 'x-hub-signature': sign(payload), ...extra }
}

/** Request number i: its kind and what the server must answer. Every one is different (a nonce). */
export function plan (i: number): { kind: Kind, request: Planned } {
  const kind = KINDS[i % KINDS.length]
  const ref = `r${i}`
  const valid = body('order', ref)
  const error = (status: number, code: string) => ({ status, code })
  switch (kind) {
    case 'valid':
      return { kind, request: { path: '/order', payload: Buffer.from(valid), headers: json(valid), status: 200, body: { status: true, response: [`ok ${ref}`] } } }
    case 'handler-throws': {
      const payload = body('boom', ref)
      return { kind, request: { path: '/boom', payload: Buffer.from(payload), headers: json(payload), status: 200, body: { status: false, response: [FALLBACK] } } }
    }
    case 'forged-secret':
      return { kind, request: { path: '/order', payload: Buffer.from(valid), headers: json(valid, { 'x-hub-signature': sign(valid, `not-${SECRET}`) }), ...error(401, 'FST_HAPTIK_INVALID_SIGNATURE') } }
    case 'forged-flipped-byte': {
      const payload = Buffer.from(valid)
      payload[payload.indexOf(ref) + 1] ^= 0x01
      return { kind, request: { path: '/order', payload, headers: json(valid), ...error(401, 'FST_HAPTIK_INVALID_SIGNATURE') } }
    }
    case 'missing-signature':
      return { kind, request: { path: '/order', payload: Buffer.from(valid), headers: { 'content-type': 'application/json' }, ...error(401, 'FST_HAPTIK_MISSING_SIGNATURE') } }
    case 'malformed-json': {
      const payload = valid.slice(0, -1 - (i % 7))
      return { kind, request: { path: '/order', payload: Buffer.from(payload), headers: json(payload), ...error(400, 'FST_HAPTIK_INVALID_JSON') } }
    }
    case 'invalid-entity': {
      // (A one-item list [ref] would pass: Fastify's validator coerces it to ref.)
      const payload = body('order', ref, { entities: { ref: [{ entity_value: { no: ref } }] } })
      // The user's input, not a broken integration: the failure path.
      return { kind, request: { path: '/order', payload: Buffer.from(payload), headers: json(payload), status: 200, body: { status: false, response: [INVALID_ENTITY] } } }
    }
    case 'wrong-content-type':
      return { kind, request: { path: '/order', payload: Buffer.from(valid), headers: json(valid, { 'content-type': 'text/plain; charset=utf-8' }), ...error(415, 'FST_HAPTIK_UNSUPPORTED_MEDIA_TYPE') } }
    case 'over-limit': {
      const payload = body('order', ref, { padding: 'x'.repeat(SOAK_BODY_LIMIT) })
      return { kind, request: { path: '/order', payload: Buffer.from(payload), headers: json(payload), ...error(413, 'FST_HAPTIK_BODY_TOO_LARGE') } }
    }
    case 'step-mismatch': {
      const payload = body('other', ref)
      return { kind, request: { path: '/order', payload: Buffer.from(payload), headers: json(payload), ...error(400, 'FST_HAPTIK_STEP_MISMATCH') } }
    }
  }
}

export interface MemorySample {
  /** Requests answered when the sample was taken. */
  done: number
  rss: number
  heapUsed: number
}

export interface SoakOptions {
  requests: number
  connections: number
  /** Memory samples during the run (plus one before and one after). */
  samples?: number
  /** Share of the requests treated as warm-up for the growth figures. Default 0.1. */
  warmup?: number
  /** A request with no answer after this long is lost. Default 10 s. */
  requestTimeoutMs?: number
  onProgress?: (done: number) => void
}

export interface SoakResult {
  requests: number
  connections: number
  answered: number
  correct: number
  wrong: number
  lost: number
  /** A few wrong or lost requests, for the report. */
  failures: string[]
  byKind: Record<string, number>
  durationMs: number
  memory: MemorySample[]
  /** Samples at the end of warm-up and after the run (post-GC heap). */
  afterWarmup: MemorySample
  end: MemorySample
  heapGrowth: number
  rssGrowth: number
  gc: boolean
}

interface Server {
  child: ChildProcess
  port: number
  gc: boolean
  sample: () => Promise<{ rss: number, heapUsed: number }>
  stop: () => Promise<void>
}

/**
 * Starts the soak server in a child process with --expose-gc, under the
 * parent's own TypeScript loader (tap's in the suite, tsx for the script), so
 * that coverage from the child maps onto the same sources as the parent's.
 */
export function startServer (): Promise<Server> {
  const root = fileURLToPath(new URL('../..', import.meta.url))
  const child = fork(fileURLToPath(new URL('./soak-server.ts', import.meta.url)), [], {
    cwd: root,
    execArgv: [...process.execArgv, '--expose-gc'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc']
  })
  let nextId = 0
  const waiting = new Map<number, (sample: { rss: number, heapUsed: number }) => void>()
  return new Promise((resolve, reject) => {
    child.once('error', reject)
    child.once('exit', code => reject(new Error(`soak server exited early (${String(code)})`)))
    child.on('message', (message: { type: string, id: number, port: number, gc: boolean, rss: number, heapUsed: number }) => {
      if (message.type === 'sample') {
        waiting.get(message.id)?.({ rss: message.rss, heapUsed: message.heapUsed })
        waiting.delete(message.id)
      } else if (message.type === 'ready') {
        child.removeAllListeners('exit')
        resolve({
          child,
          port: message.port,
          gc: message.gc,
          sample: () => new Promise(resolve => {
            const id = nextId++
            waiting.set(id, resolve)
            child.send({ type: 'sample', id })
          }),
          stop: () => new Promise(resolve => {
            child.once('exit', () => resolve())
            child.send({ type: 'stop' })
          })
        })
      }
    })
  })
}

function send (agent: Agent, port: number, planned: Planned, timeoutMs: number): Promise<{ status: number, text: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({
      agent,
      host: '127.0.0.1',
      port,
      method: 'POST',
      path: planned.path,
      headers: { ...planned.headers, 'content-length': String(planned.payload.length) },
      timeout: timeoutMs
    }, res => {
      const chunks: Buffer[] = []
      res.on('data', (chunk: Buffer) => chunks.push(chunk))
      res.on('end', () => resolve({ status: res.statusCode as number, text: Buffer.concat(chunks).toString('utf8') }))
      res.on('error', reject)
    })
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)))
    req.on('error', reject)
    req.end(planned.payload)
  })
}

/** Whether an answer is exactly the planned one; the reason if not. */
function check (planned: Planned, status: number, text: string): string | null {
  if (status !== planned.status) return `status ${status}, expected ${planned.status}: ${text.slice(0, 200)}`
  let parsed: unknown
  try { parsed = JSON.parse(text) } catch { return `not JSON: ${text.slice(0, 200)}` }
  if (planned.body !== undefined) {
    return JSON.stringify(parsed) === JSON.stringify(planned.body) ? null : `body ${text.slice(0, 200)}`
  }
  return (parsed as { code?: unknown }).code === planned.code ? null : `code ${String((parsed as { code?: unknown }).code)}, expected ${String(planned.code)}`
}

/** Runs the soak against a fresh server child and stops it. */
export async function runSoak (options: SoakOptions): Promise<SoakResult> {
  const { requests, connections, samples = 20, warmup = 0.1, requestTimeoutMs = 10_000, onProgress } = options
  const server = await startServer()
  const agent = new Agent({ keepAlive: true, maxSockets: connections })
  const memory: MemorySample[] = []
  const byKind: Record<string, number> = {}
  const failures: string[] = []
  let issued = 0
  let answered = 0
  let correct = 0
  let wrong = 0
  let lost = 0
  const every = Math.max(1, Math.floor(requests / samples))
  const warmupAt = Math.floor(requests * warmup)
  const pendingSamples: Array<Promise<void>> = []
  const takeSample = (done: number): Promise<void> => server.sample().then(({ rss, heapUsed }) => { memory.push({ done, rss, heapUsed }) })

  try {
    await takeSample(0)
    const started = process.hrtime.bigint()
    const worker = async (): Promise<void> => {
      while (issued < requests) {
        const i = issued++
        const { kind, request } = plan(i)
        byKind[kind] = (byKind[kind] ?? 0) + 1
        try {
          const { status, text } = await send(agent, server.port, request, requestTimeoutMs)
          answered++
          const problem = check(request, status, text)
          if (problem === null) correct++
          else {
            wrong++
            if (failures.length < 10) failures.push(`#${i} ${kind}: ${problem}`)
          }
        } catch (error) {
          lost++
          if (failures.length < 10) failures.push(`#${i} ${kind}: lost (${(error as Error).message})`)
        }
        const done = answered + lost
        if (done % every === 0 || done === warmupAt) pendingSamples.push(takeSample(done))
        if (onProgress !== undefined && done % 10_000 === 0) onProgress(done)
      }
    }
    await Promise.all(Array.from({ length: connections }, worker))
    const durationMs = Number(process.hrtime.bigint() - started) / 1e6
    await Promise.all(pendingSamples)
    await takeSample(requests)
    memory.sort((a, b) => a.done - b.done)
    const afterWarmup = memory.find(sample => sample.done >= warmupAt) as MemorySample
    const end = memory[memory.length - 1]
    return {
      requests,
      connections,
      answered,
      correct,
      wrong,
      lost,
      failures,
      byKind,
      durationMs,
      memory,
      afterWarmup,
      end,
      heapGrowth: end.heapUsed - afterWarmup.heapUsed,
      rssGrowth: end.rss - afterWarmup.rss,
      gc: server.gc
    }
  } finally {
    agent.destroy()
    await server.stop()
  }
}

const MiB = 1024 * 1024
export const mib = (bytes: number): string => `${(bytes / MiB).toFixed(1)} MiB`

/** A plain-text summary table of a soak run. */
export function summary (result: SoakResult): string {
  const first = result.memory[0]
  const rows: Array<[string, string]> = [
    ['requests', `${result.requests} over ${result.connections} keep-alive connections`],
    ['mix', Object.entries(result.byKind).map(([kind, n]) => `${kind} ${n}`).join(', ')],
    ['answered correctly', String(result.correct)],
    ['answered wrongly', String(result.wrong)],
    ['lost (no answer)', String(result.lost)],
    ['duration', `${(result.durationMs / 1000).toFixed(1)} s (${Math.round(result.requests / (result.durationMs / 1000))} req/s)`],
    ['server RSS: start / after warm-up / end', `${mib(first.rss)} / ${mib(result.afterWarmup.rss)} / ${mib(result.end.rss)}`],
    ['server heap after GC: start / after warm-up / end', `${mib(first.heapUsed)} / ${mib(result.afterWarmup.heapUsed)} / ${mib(result.end.heapUsed)}`],
    ['growth after warm-up (heap, RSS)', `${mib(result.heapGrowth)}, ${mib(result.rssGrowth)}${result.gc ? '' : ' (no --expose-gc: heap not collected before sampling)'}`]
  ]
  const width = Math.max(...rows.map(([name]) => name.length))
  return rows.map(([name, value]) => `${name.padEnd(width)}  ${value}`).join('\n')
}
