// The documentation as the test suite reads it: README.md and docs/*.md, their
// TypeScript blocks sorted by what checks them, their links and their headings.
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

export const root = fileURLToPath(new URL('../..', import.meta.url))

export interface Page { file: string, text: string }

/** README.md and every docs/*.md page, by their path in the repository. */
export function docPages (): Page[] {
  const docs = readdirSync(join(root, 'docs')).filter(file => file.endsWith('.md')).sort().map(file => `docs/${file}`)
  return ['README.md', ...docs].map(file => ({ file, text: readFileSync(join(root, file), 'utf8') }))
}

/**
 * What checks a TypeScript block:
 * - `esm`: a whole ES module (it starts with `import … from`), compiled in the
 *   ESM consumer projects of test/package/consumers.test.ts;
 * - `commonjs`: a whole CommonJS module (it starts with `import … = require(…)`),
 *   compiled in the CommonJS consumer projects;
 * - `test`: the user's test (it starts with its file name, `// test/…`): the
 *   tap one run word for word by test/testing-kit.test.ts, the node:test one
 *   run in a consumer project by test/package/consumers.test.ts;
 * - `fragment`: a few lines that import and require nothing;
 * - `unchecked`: anything else, which test/package/docs.test.ts refuses.
 */
export type BlockKind = 'esm' | 'commonjs' | 'test' | 'fragment' | 'unchecked'

export interface CodeBlock {
  /** The page it is on. */
  file: string
  /** A file name for it, unique across the pages: `readme-2.ts`, `docs-hsl-1.ts`. */
  name: string
  code: string
  kind: BlockKind
}

function kindOf (code: string): BlockKind {
  if (/^import \w+ = require\(/.test(code)) return 'commonjs'
  if (code.startsWith('import ')) return /^import \w+ = require\(/m.test(code) ? 'unchecked' : 'esm'
  if (code.startsWith('// test/')) return 'test'
  if (!/^import /m.test(code) && !/\brequire\(/.test(code)) return 'fragment'
  return 'unchecked'
}

/** Every ```ts block of the pages, in page order. */
export function codeBlocks (pages: Page[] = docPages()): CodeBlock[] {
  return pages.flatMap(({ file, text }) => {
    const stem = file.replace(/\.md$/, '').replaceAll('/', '-').toLowerCase()
    return [...text.matchAll(/^```ts\n([\s\S]*?)^```/gm)].map((match, index) => {
      const code = match[1]
      return { file, name: `${stem}-${index + 1}.ts`, code, kind: kindOf(code) }
    })
  })
}

/** The text with its fenced code blocks and inline code spans blanked out. */
function prose (text: string): string {
  return text.replace(/^```[\s\S]*?^```/gm, '').replace(/`[^`\n]*`/g, '``')
}

/** The targets of the page's Markdown links and images, outside code. */
export function links (text: string): string[] {
  return [...prose(text).matchAll(/!?\[[^\]]*\]\(([^)\s]+)\)/g)].map(match => match[1])
}

/** The anchors GitHub (and npm) give the page's headings: `## Rich messages: \`hsl\`` is `#rich-messages-hsl`. */
export function anchors (text: string): Set<string> {
  const seen = new Map<string, number>()
  const result = new Set<string>()
  for (const [, heading] of text.replace(/^```[\s\S]*?^```/gm, '').matchAll(/^#{1,6} (.+)$/gm)) {
    const base = heading.trim().toLowerCase().replace(/[^\p{L}\p{N}\s_-]/gu, '').replace(/\s/g, '-')
    const count = seen.get(base) ?? 0
    seen.set(base, count + 1)
    result.add(count === 0 ? base : `${base}-${count}`)
  }
  return result
}
