// node scripts/lib-lines.mjs [folder ...]: the non-blank code and comment lines of lib/'s
// TypeScript per folder, the comment share, and any file over 350 lines (CONTRIBUTING's limits).
import { readdirSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'

const roots = process.argv.slice(2).length > 0 ? process.argv.slice(2) : ['lib']
const folders = new Map()
const long = []

function count (file) {
  let code = 0
  let comments = 0
  let inBlock = false
  const lines = readFileSync(file, 'utf8').split('\n')
  for (const raw of lines) {
    const line = raw.trim()
    if (line === '') continue
    if (inBlock || line.startsWith('//') || line.startsWith('/*')) {
      comments++
      if (inBlock ? line.includes('*/') : line.startsWith('/*') && !line.slice(2).includes('*/')) inBlock = !inBlock
    } else {
      code++
    }
  }
  if (lines.length > 350) long.push(`${file} (${lines.length} lines)`)
  return { code, comments }
}

for (const root of roots) {
  for (const entry of readdirSync(root, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || !/\.c?ts$/.test(entry.name)) continue
    const file = join(entry.parentPath, entry.name)
    const { code, comments } = count(file)
    const folder = folders.get(dirname(file)) ?? { code: 0, comments: 0 }
    folders.set(dirname(file), { code: folder.code + code, comments: folder.comments + comments })
  }
}

const share = ({ code, comments }) => `${(100 * comments / Math.max(1, code + comments)).toFixed(1)} %`
let total = { code: 0, comments: 0 }
for (const [folder, lines] of [...folders].sort(([a], [b]) => a.localeCompare(b))) {
  console.log(`${folder.padEnd(22)} code ${String(lines.code).padStart(5)}  comments ${String(lines.comments).padStart(5)}  ${share(lines)}`)
  total = { code: total.code + lines.code, comments: total.comments + lines.comments }
}
console.log(`total                  code ${String(total.code).padStart(5)}  comments ${String(total.comments).padStart(5)}  ${share(total)}`)
for (const file of long) console.log(`over 350 lines: ${file}`)
