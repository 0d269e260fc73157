// node bench/state-inprocess.mjs: what state costs a call in one process, without sockets.
// The sample step three ways (stateless; reading a state; reading and writing it back, as
// bench/servers/fastify-haptik-state.mjs), each on its own app in this process, called through
// app.inject in alternating batches (a conversation per user, 50 users); prints the median
// CPU time per call of each, and the differences. Run it on a quiet machine, pinned:
//   taskset -c 1 node bench/state-inprocess.mjs
import Fastify from 'fastify'
import { Type } from '@sinclair/typebox'
import { ENTITIES, REPLIES, SECRET, STEP, body, signature } from './workload.mjs'
import { loadHaptik } from './servers/common.mjs'

const { default: fastifyHaptik, defineStep } = await loadHaptik()
const Count = Type.Object({ calls: Type.Integer() }, { default: { calls: 0 } })
const STEPS = {
  stateless: defineStep({ name: STEP, entities: ENTITIES, handler: async ({ entities }) => REPLIES[entities.product_name] }),
  'reads its state': defineStep({ name: STEP, entities: ENTITIES, state: Count, handler: async ({ entities }) => REPLIES[entities.product_name] }),
  'reads and writes its state': defineStep({
    name: STEP,
    entities: ENTITIES,
    state: Count,
    handler: async ({ entities, state }) => ({ response: REPLIES[entities.product_name], state: { calls: (state?.calls ?? 0) + 1 } })
  })
}
const BATCH = 3000
const ROUNDS = 12
const WARMUP_ROUNDS = 2

const apps = {}
for (const [kind, step] of Object.entries(STEPS)) {
  const app = Fastify({ logger: false })
  await app.register(fastifyHaptik, { secret: SECRET, steps: [step] })
  apps[kind] = await app.ready()
}
const calls = Array.from({ length: 50 }, (_, user) => {
  const payload = body('speaker', 1536, `user-${user}`)
  return { payload, headers: { 'content-type': 'application/json', 'x-hub-signature': signature(payload) } }
})

async function batch (app) {
  const started = process.cpuUsage()
  for (let i = 0; i < BATCH; i++) {
    const { payload, headers } = calls[i % calls.length]
    const response = await app.inject({ method: 'POST', url: `/${STEP}`, headers, payload })
    if (response.statusCode !== 200) throw new Error(`unexpected answer ${response.statusCode} ${response.body}`)
  }
  const { user, system } = process.cpuUsage(started)
  return (user + system) / BATCH
}

const kinds = Object.keys(apps)
const perCall = Object.fromEntries(kinds.map(kind => [kind, []]))
for (let round = 0; round < ROUNDS; round++) {
  for (const kind of round % 2 === 0 ? kinds : [...kinds].reverse()) {
    const us = await batch(apps[kind])
    if (round >= WARMUP_ROUNDS) perCall[kind].push(us)
  }
}
const median = values => [...values].sort((a, b) => a - b)[values.length >> 1]
const base = median(perCall.stateless)
console.log(`Node ${process.version}; CPU µs per call, median of ${ROUNDS - WARMUP_ROUNDS} batches of ${BATCH}`)
for (const kind of kinds) {
  const us = median(perCall[kind])
  console.log(`${kind.padEnd(28)} ${us.toFixed(1).padStart(6)} µs${kind === 'stateless' ? '' : `  (+${(us - base).toFixed(1)} µs)`}`)
}
for (const app of Object.values(apps)) await app.close()
