// The full soak: `npm run soak`. 200k requests over loopback, a fixed mix of
// valid, forged and malformed calls from several keep-alive connections;
// every answer is checked and the server's memory is sampled. Exits 1 on any
// lost or wrong answer or on memory growth.
//
//   npm run soak -- [requests] [connections]
import { mib, runSoak, summary } from '../test/helpers/soak.js'

// Post-GC heap growth allowed from the end of warm-up (the first 10%) to the
// end. Over 180k requests, 4 MiB is about 23 bytes per request: any
// per-request leak (a kept request, buffer, closure or timer is hundreds of
// bytes) goes over it, while the measured growth of a healthy run is well
// under 1 MiB (V8 code and inline caches settling).
const HEAP_GROWTH_LIMIT = 4 * 1024 * 1024
// RSS includes the allocator's free lists and is noisier: only a gross leak.
const RSS_GROWTH_LIMIT = 48 * 1024 * 1024

const requests = Number(process.argv[2] ?? 200_000)
const connections = Number(process.argv[3] ?? 8)

const result = await runSoak({
  requests,
  connections,
  samples: 40,
  warmup: 0.1,
  onProgress: done => process.stderr.write(`  ${done} / ${requests}\r`)
})
process.stderr.write('\n')
console.log(summary(result))
console.log('\nserver memory samples (requests answered: RSS, heap after GC)')
for (const sample of result.memory) {
  console.log(`  ${String(sample.done).padStart(7)}: ${mib(sample.rss)}, ${mib(sample.heapUsed)}`)
}
for (const failure of result.failures) console.log(`FAIL ${failure}`)

const problems: string[] = []
if (result.lost > 0) problems.push(`${result.lost} requests lost`)
if (result.wrong > 0) problems.push(`${result.wrong} requests answered wrongly`)
if (!result.gc) problems.push('the server could not collect garbage before sampling (--expose-gc)')
if (result.heapGrowth > HEAP_GROWTH_LIMIT) problems.push(`heap grew ${mib(result.heapGrowth)} after warm-up (limit ${mib(HEAP_GROWTH_LIMIT)})`)
if (result.rssGrowth > RSS_GROWTH_LIMIT) problems.push(`RSS grew ${mib(result.rssGrowth)} after warm-up (limit ${mib(RSS_GROWTH_LIMIT)})`)
if (problems.length > 0) {
  console.log(`\nSOAK FAILED: ${problems.join('; ')}`)
  process.exitCode = 1
} else {
  console.log(`\nSOAK OK: ${result.correct} of ${result.requests} answered correctly; heap growth ${mib(result.heapGrowth)} (limit ${mib(HEAP_GROWTH_LIMIT)}), RSS growth ${mib(result.rssGrowth)} (limit ${mib(RSS_GROWTH_LIMIT)})`)
}
