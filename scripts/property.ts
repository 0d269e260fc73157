// The property tests at full size: `npm run property`.
// The same properties as test/robustness/property.test.ts, with 100k forgeries.
//
//   npm run property -- [forgeries] [acceptances] [headers] [seed]
import fc from 'fast-check'
import { acceptanceProperty, forgeryProperty, parserProperty, propertyApp } from '../test/helpers/properties.js'

const [forgeries = 100_000, acceptances = 20_000, headers = 100_000] = process.argv.slice(2, 5).map(Number)
const seed = process.argv[5] === undefined ? Date.now() ^ (Math.random() * 0x100000000) : Number(process.argv[5])

interface Row { property: string, cases: number, seconds: string, detail: string }
const rows: Row[] = []
let failed = false

async function run (name: string, cases: number, property: () => Promise<Record<string, number>>): Promise<void> {
  const started = performance.now()
  try {
    const counts = await property()
    const detail = Object.entries(counts).map(([kind, n]) => `${kind} ${n}`).join(', ')
    rows.push({ property: name, cases, seconds: ((performance.now() - started) / 1000).toFixed(1), detail })
  } catch (error) {
    failed = true
    rows.push({ property: name, cases, seconds: ((performance.now() - started) / 1000).toFixed(1), detail: 'FAILED' })
    console.error((error as Error).message)
  }
}

await run('forged or altered requests are refused (401, handler never runs)', forgeries, async () => {
  const context = await propertyApp()
  try {
    await fc.assert(forgeryProperty(context), { numRuns: forgeries, seed })
    if (context.seen.length !== 0) throw new Error(`${context.seen.length} forged calls reached the handler`)
    return context.counts
  } finally {
    await context.app.close()
  }
})
await run('signed calls with valid entities are accepted with exactly their values', acceptances, async () => {
  const context = await propertyApp()
  try {
    await fc.assert(acceptanceProperty(context), { numRuns: acceptances, seed })
    return context.counts
  } finally {
    await context.app.close()
  }
})
await run('parseSignature never throws and reads exactly the well-formed headers', headers, async () => {
  const context = { counts: {} as Record<string, number> }
  fc.assert(parserProperty(context), { numRuns: headers, seed })
  return context.counts
})

console.log(`seed ${seed}, Node ${process.version}\n`)
for (const row of rows) {
  console.log(`${row.property}\n  ${row.cases} cases in ${row.seconds} s: ${row.detail}`)
}
if (failed) {
  console.log('\nPROPERTY FAILED (replay with the seed above)')
  process.exitCode = 1
}
