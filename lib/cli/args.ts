import { InvalidArgumentError } from 'commander'

/** A `name=value` argument. */
export type Pair = readonly [name: string, value: string]

/** Reads `name=value` (the value may contain `=`); for repeatable flags. */
export function collectPair (argument: string, previous: readonly Pair[] = []): Pair[] {
  const at = argument.indexOf('=')
  if (at <= 0) throw new InvalidArgumentError('Expected name=value, e.g. product_name=speaker.')
  return [...previous, [argument.slice(0, at), argument.slice(at + 1)]]
}

/** Reads a curl-style `Name: value` header; for the repeatable `--header`. */
export function collectHeader (argument: string, previous: readonly Pair[] = []): Pair[] {
  const at = argument.indexOf(':')
  const name = argument.slice(0, at).trim()
  if (at < 0 || !/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name)) {
    throw new InvalidArgumentError('Expected "Name: value", e.g. "x-tenant: acme".')
  }
  return [...previous, [name.toLowerCase(), argument.slice(at + 1).trim()]]
}

/** Haptik gives up on a step after 30 s. */
export const HAPTIK_TIMEOUT_MS = 30_000

export function parseTimeout (argument: string): number {
  const ms = Number(argument)
  if (!/^\d+$/.test(argument) || ms < 1 || ms > HAPTIK_TIMEOUT_MS) {
    throw new InvalidArgumentError(`Expected whole milliseconds from 1 to ${HAPTIK_TIMEOUT_MS} (Haptik gives up after 30 s).`)
  }
  return ms
}

export function parseConversationNo (argument: string): number {
  const number = Number(argument)
  if (!/^\d+$/.test(argument) || !Number.isSafeInteger(number)) {
    throw new InvalidArgumentError('Expected a whole number, e.g. 2 (Haptik numbers a user\'s conversations).')
  }
  return number
}

export function parseUrl (argument: string): URL {
  let url: URL
  try {
    url = new URL(argument)
  } catch {
    throw new InvalidArgumentError('Expected an absolute URL, e.g. http://127.0.0.1:3000/haptik/product_price.')
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new InvalidArgumentError(`Expected an http or https URL, got ${url.protocol}.`)
  }
  return url
}

/** An entity value: JSON when it starts with `{` or `[` (structured entities such as a city), else the text. */
export function entityValue (name: string, text: string): unknown {
  if (!text.startsWith('{') && !text.startsWith('[')) return text
  try {
    return JSON.parse(text)
  } catch {
    throw new InvalidArgumentError(`The value of entity "${name}" starts like JSON but is not valid JSON.`)
  }
}

export function collectEntity (argument: string, previous: ReadonlyArray<readonly [string, unknown]> = []): Array<readonly [string, unknown]> {
  const [[name, text]] = collectPair(argument)
  return [...previous, [name, entityValue(name, text)]]
}

/** Entity values by name; a name given several times becomes a list (several detections). */
export function entityValues (pairs: ReadonlyArray<readonly [string, unknown]>): Record<string, unknown> {
  const values: Record<string, unknown[]> = {}
  for (const [name, value] of pairs) (values[name] ??= []).push(value)
  return Object.fromEntries(Object.entries(values).map(([name, list]) => [name, list.length === 1 ? list[0] : list]))
}

/** What `openapi` calls a module's `build({ secret })` with by default: a secret that only describes the routes. */
export const DEFAULT_BUILD_OPTIONS = '{"secret":"documentation-only"}'

/** JSON text's value, or undefined when it is not JSON. */
export function parseJson (text: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    return undefined
  }
}

export function parseBuildOptions (argument: string): Record<string, unknown> {
  const options = parseJson(argument)
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new InvalidArgumentError('Expected a JSON object, e.g. \'{"secret":"documentation-only"}\'.')
  }
  return options as Record<string, unknown>
}
