// The docs as a user who installed the package reads them: README.md and
// docs/*.md ship in the tarball, so every link between them must land on a
// shipped file and on a heading that exists, the README stays short, and every
// TypeScript block is checked by some test, and the statuses they give error codes are lib/errors.ts's.
import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { posix } from 'node:path'
import t from 'tap'
import ts from 'typescript'
import { STATUS_OF } from '../../lib/openapi/components.js'
import { anchors, codeBlocks, docPages, links, root } from '../helpers/docs.js'

// npm pack, as it would publish (without building: dist/ is not linked from the docs).
t.setTimeout(120_000)

const pages = docPages()
const [{ files: packed }] = JSON.parse(execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: root, encoding: 'utf8' })) as Array<{ files: Array<{ path: string }> }>
const shipped = new Set(packed.map(({ path }) => path))

t.test('README.md is at most 25,000 bytes', async t => {
  const size = Buffer.byteLength(pages[0].text)
  t.ok(size <= 25_000, `README.md is ${size} bytes`)
})

t.test('the README and every docs page are in the package', async t => {
  t.ok(pages.length > 1, `${pages.length} pages`)
  for (const { file } of pages) t.ok(shipped.has(file), `${file} is shipped`)
})

t.test('every relative link in README.md and docs/*.md points at a shipped file and an existing heading', async t => {
  const byFile = new Map(pages.map(({ file, text }) => [file, text]))
  let checked = 0
  for (const { file, text } of pages) {
    for (const target of links(text)) {
      if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue // https:, mailto:
      checked++
      const [path, anchor] = target.split('#', 2) as [string, string | undefined]
      const resolved = path === '' ? file : posix.normalize(posix.join(posix.dirname(file), path))
      if (!shipped.has(resolved)) {
        t.fail(`${file}: ${target} points at ${resolved}, which npm does not ship: name it in the text instead of linking it`)
        continue
      }
      if (anchor === undefined) continue
      const headings = anchors(byFile.get(resolved) ?? '')
      t.ok(headings.has(anchor), `${file}: ${target} has a heading #${anchor} in ${resolved}`)
    }
  }
  t.ok(checked > 20, `${checked} relative links`)
})

t.test('the link checker refuses what it should', async t => {
  t.same(links('[a](docs/x.md) `[b](c.md)` ![i](i.png) [web](https://example.com)\n```ts\n[d](e.md)\n```\n'), ['docs/x.md', 'i.png', 'https://example.com'])
  t.same([...anchors('# A title\n## Rich messages: `hsl`\n## `fastify-haptik openapi <module>`\n## A title\n```sh\n# not a heading\n```\n')],
    ['a-title', 'rich-messages-hsl', 'fastify-haptik-openapi-module', 'a-title-1'])
})

/** Each error code's HTTP status, read from lib/errors.ts's constructors, as the OpenAPI document reads it. */
const statusOf = new Map(Object.entries(STATUS_OF))
/** The codes no route answers with: registration errors, and what is logged while the call answers 200. */
const NEVER_ANSWERED = new Set([
  'FST_HAPTIK_INVALID_OPTION', 'FST_HAPTIK_MISSING_SECRET', 'FST_HAPTIK_STEP_TIMEOUT', 'FST_HAPTIK_INVALID_REPLY', 'FST_HAPTIK_DETAILS_TOO_LARGE',
  'FST_HAPTIK_CHANNEL_LIMIT', 'FST_HAPTIK_STORE_UNAVAILABLE', 'FST_HAPTIK_INVALID_STORED_STATE', 'FST_HAPTIK_STATE_CONFLICT', 'FST_HAPTIK_STATE_TOO_LARGE',
  'FST_HAPTIK_INVALID_EVENT', 'FST_HAPTIK_WEBHOOK_TIMEOUT', 'FST_HAPTIK_NO_CLIENT'
])

t.test('every FST_HAPTIK_* error code is in the README', async t => {
  t.ok(statusOf.size >= 20, `${statusOf.size} codes`)
  for (const code of statusOf.keys()) t.ok(pages[0].text.includes(`\`${code}\``), code)
})

t.test("the README's error table has a row for each code a route answers, with lib/errors.ts's status", async t => {
  const section = pages[0].text.split('\n## Error codes\n')[1].split('\n## ')[0]
  const listed = new Set<string>()
  for (const [, status, cell] of section.matchAll(/^\| (\d{3}) \| ([^|]+) \|/gm)) {
    for (const [code] of cell.matchAll(/FST_HAPTIK_\w+/g)) {
      t.equal(Number(status), statusOf.get(code), `${code} is ${status}`)
      listed.add(code)
    }
  }
  t.same([...statusOf.keys()].filter(code => !listed.has(code) && !NEVER_ANSWERED.has(code)), [], 'each code a route answers has a row')
  t.same([...listed].filter(code => NEVER_ANSWERED.has(code)), [], 'and only those')
  t.same([...NEVER_ANSWERED].filter(code => !statusOf.has(code)), [], 'the codes never answered are codes of lib/errors.ts')
})

t.test('a status the docs give a code ("503 `FST_HAPTIK_…`", or in an answer\'s JSON) is the one lib/errors.ts gives it', async t => {
  let checked = 0
  for (const { file, text } of pages) {
    for (const [, status, code] of [...text.matchAll(/\b(\d{3}) `(FST_HAPTIK_\w+)`/g), ...text.matchAll(/"statusCode": ?(\d{3}), ?"code": ?"(FST_HAPTIK_\w+)"/g)]) {
      t.equal(Number(status), statusOf.get(code), `${file}: ${status} ${code}`)
      checked++
    }
  }
  t.ok(checked >= 10, `${checked} statuses in the docs' text`)
})

t.test('every code block is TypeScript that a test checks, or not code', async t => {
  const blocks = codeBlocks(pages)
  t.same(blocks.filter(block => block.kind === 'unchecked').map(({ name, code }) => `${name}: ${code.split('\n')[0]}`), [],
    'each block is a whole ES module, a whole CommonJS module, the user\'s test or a fragment that imports nothing')
  t.equal(new Set(blocks.map(block => block.name)).size, blocks.length, 'the snippets\' names are unique')
  t.ok(blocks.filter(block => block.kind === 'esm').length > 5, 'ES modules')
  t.same(blocks.filter(block => block.kind === 'commonjs').map(block => block.file), ['docs/client.md', 'docs/reference.md'], 'the CommonJS forms: the plugin\'s and the client\'s')
  t.same(blocks.filter(block => block.kind === 'test').map(block => `${block.file}: ${block.code.split('\n')[0]}`),
    ['docs/testing.md: // test/steps.test.ts', 'docs/testing.md: // test/steps.test.ts'], 'the user\'s test, with tap and with node:test')
  for (const { file, text } of pages) {
    const fences = [...text.matchAll(/^```(\S*)$/gm)].map(match => match[1]).filter((_, index) => index % 2 === 0)
    t.same(fences.filter(language => !['ts', 'sh', 'console', 'json'].includes(language)), [], `${file}: code is in ts blocks (others are sh, console or json)`)
  }
})

t.test("the snippets' './haptik.js' is docs/client.md's first block, word for word", async t => {
  const [first] = codeBlocks(pages).filter(block => block.file === 'docs/client.md')
  const fixture = readFileSync(posix.join(root, 'test/fixtures/consumer/snippets/haptik.ts'), 'utf8').replace(/^(\/\/.*\n)+/, '')
  t.equal(fixture, first?.code)
})

/** The names an entry point exports, types included, as TypeScript sees them. */
function exportsOf (entry: string): string[] {
  const file = posix.join(root, entry)
  const program = ts.createProgram([file], { module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext, target: ts.ScriptTarget.ES2022, strict: true, skipLibCheck: true, noEmit: true })
  const checker = program.getTypeChecker()
  const module = checker.getSymbolAtLocation(program.getSourceFile(file) as ts.SourceFile) as ts.Symbol
  return checker.getExportsOfModule(module).map(symbol => symbol.getName())
}

// The public surface may shrink, never grow unnoticed: raise a count only with the name's entry in docs/reference.md.
const MOST_EXPORTS = { 'lib/index.ts': 79, 'lib/hsl/index.ts': 90, 'lib/testing/index.ts': 36, 'lib/client/index.ts': 48 }

t.test('every export of fastify-haptik is in the reference page, and no entry point exports more than it did', async t => {
  const reference = pages.find(({ file }) => file === 'docs/reference.md')?.text ?? ''
  for (const name of exportsOf('lib/index.ts')) t.ok(reference.includes(`\`${name}\``), `${name} is in docs/reference.md`)
  for (const [entry, most] of Object.entries(MOST_EXPORTS)) {
    const count = exportsOf(entry).length
    t.ok(count <= most, `${entry} exports ${count} names (at most ${most})`)
  }
})
