// JSON.parse reads ids 9007199254740993 and 9007199254740992 as one value: such digits are read from the
// body's bytes, which parsed already, so the walk needs no error handling.

const QUOTE = 0x22
const BACKSLASH = 0x5c
const COMMA = 0x2c
const OPEN = new Set([0x7b, 0x5b])
const CLOSE = new Set([0x7d, 0x5d])
const BLANK = new Set([0x20, 0x0a, 0x0d, 0x09, 0xef, 0xbb, 0xbf])

const skipBlank = (bytes: Buffer, at: number): number => {
  while (BLANK.has(bytes[at])) at++
  return at
}

/** Where the string starting at `at` (its opening quote) ends, after its closing quote. */
function stringEnd (bytes: Buffer, at: number): number {
  for (at++; bytes[at] !== QUOTE; at++) if (bytes[at] === BACKSLASH) at++
  return at + 1
}

/** Where the object or list starting at `at` ends. */
function containerEnd (bytes: Buffer, at: number): number {
  let depth = 0
  do {
    if (bytes[at] === QUOTE) {
      at = stringEnd(bytes, at)
      continue
    }
    if (OPEN.has(bytes[at])) depth++
    else if (CLOSE.has(bytes[at])) depth--
    at++
  } while (depth > 0)
  return at
}

/** Where the value starting at `at` ends. */
function valueEnd (bytes: Buffer, at: number): number {
  if (bytes[at] === QUOTE) return stringEnd(bytes, at)
  if (OPEN.has(bytes[at])) return containerEnd(bytes, at)
  while (at < bytes.length && bytes[at] !== COMMA && !CLOSE.has(bytes[at]) && !BLANK.has(bytes[at])) at++
  return at
}

/** Where the value of `key` starts in the object starting at `at`, the last one as JSON.parse takes it; -1 if none. */
function memberValue (bytes: Buffer, at: number, key: string): number {
  let found = -1
  at = skipBlank(bytes, at + 1)
  while (bytes[at] === QUOTE) {
    const end = stringEnd(bytes, at)
    const name = JSON.parse(bytes.toString('utf8', at, end)) as string
    const value = skipBlank(bytes, skipBlank(bytes, end) + 1)
    if (name === key) found = value
    at = skipBlank(bytes, valueEnd(bytes, value))
    if (bytes[at] === COMMA) at = skipBlank(bytes, at + 1)
  }
  return found
}

/** The text of the number at `path` in a JSON body, as sent; undefined when there is no number there. */
export function numberText (body: Buffer, path: readonly string[]): string | undefined {
  let at = skipBlank(body, 0)
  for (const key of path) {
    if (body[at] !== 0x7b) return undefined
    at = memberValue(body, at, key)
    if (at === -1) return undefined
  }
  const first = body[at]
  if (first !== 0x2d && (first < 0x30 || first > 0x39)) return undefined
  return body.toString('utf8', at, valueEnd(body, at))
}

/** An id (`user.user_id`, `message.id`) as sent: a number JSON.parse could not keep exactly is read from the bytes. */
export function idText (id: string | number, body: Buffer, path: readonly string[]): string {
  const text = String(id)
  const number = Number(text)
  if (Number.isSafeInteger(number) || String(number) !== text) return text
  return numberText(body, path) ?? text
}
