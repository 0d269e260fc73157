// Property-based tests, suite-sized. The same properties run with
// 100k+ cases in scripts/property.ts (`npm run property`).
import t from 'tap'
import fc from 'fast-check'
import { acceptanceProperty, forgeryProperty, parserProperty, propertyApp } from '../helpers/properties.js'

// Slow on a loaded 2-core machine: hundreds of generated requests per property. Tap's default is 30 s per file.
t.setTimeout(180_000)

t.test('no request whose bytes or signature differ from a correctly signed pair is accepted', async t => {
  const context = await propertyApp()
  t.teardown(() => context.app.close())
  await fc.assert(forgeryProperty(context), { numRuns: 3000 })
  const kinds = Object.keys(context.counts).sort()
  t.same(kinds, ['extend', 'flip', 'flip-and-other-secret', 'header', 'header-flip', 'other-secret', 'truncate'], 'every kind of forgery ran')
  t.equal(context.seen.length, 0, 'no forged call reached the handler')
})

t.test('every correctly signed call with valid entities is accepted with exactly the generated values', async t => {
  const context = await propertyApp()
  t.teardown(() => context.app.close())
  await fc.assert(acceptanceProperty(context), { numRuns: 1500 })
  t.equal(context.seen.length, 1500)
})

t.test('the signature parser never throws, whatever the header', async t => {
  const context = { counts: {} as Record<string, number> }
  fc.assert(parserProperty(context), { numRuns: 3000 })
  t.equal(context.counts.parsed, 3000)
})
