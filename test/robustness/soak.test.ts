// The soak, short: the CI version of scripts/soak.ts.
import t from 'tap'
import { mib, runSoak, summary, KINDS } from '../helpers/soak.js'

// Slow on a loaded 2-core machine: thousands of requests over real sockets. Tap's default is 30 s per file.
t.setTimeout(180_000)

// Over 8k requests the warm-up is too short for a tight bound: this catches
// only gross leaks (over 1 KiB per request); `npm run soak` holds the tight one.
const HEAP_GROWTH_LIMIT = 8 * 1024 * 1024

t.test('8000 mixed requests over 4 connections: none lost, none answered wrongly, heap flat', async t => {
  const result = await runSoak({ requests: 8000, connections: 4, samples: 8, warmup: 0.25 })
  t.comment(summary(result))
  t.equal(result.lost, 0, 'no request lost')
  t.equal(result.wrong, 0, 'no request answered wrongly')
  t.same(result.failures, [])
  t.equal(result.correct, 8000)
  t.same(Object.keys(result.byKind).sort(), [...new Set(KINDS)].sort(), 'every kind of request was sent')
  t.ok(result.gc, 'the server sampled its heap after a full collection')
  t.ok(result.heapGrowth < HEAP_GROWTH_LIMIT, `heap growth after warm-up ${mib(result.heapGrowth)} < ${mib(HEAP_GROWTH_LIMIT)}`)
})
