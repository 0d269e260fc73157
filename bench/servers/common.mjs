// Shared by the benchmark servers: port from argv, "ready" on stdout, the build to load.
import { timingSafeEqual, createHmac } from 'node:crypto'
import { join, resolve } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { SECRET } from '../workload.mjs'

export const port = Number(process.argv[2] ?? 0)

/** The build under test: the dist directory in HAPTIK_DIST, by default this checkout's. */
export const dist = resolve(process.env.HAPTIK_DIST ?? fileURLToPath(new URL('../../dist', import.meta.url)))

/** fastify-haptik's ESM entry, loaded from `dist`. */
export const loadHaptik = () => import(pathToFileURL(join(dist, 'esm/index.js')).href)

/** fastify-haptik/client's ESM entry, loaded from `dist`. */
export const loadClient = () => import(pathToFileURL(join(dist, 'esm/client/index.js')).href)

/**
 * The request and reply schemas of `dist`, for the peers: from the build's own
 * modules (the entry stopped exporting them when lib/ was split into folders), or from the
 * entry of an older build.
 */
export async function loadSchemas () {
  const from = file => import(pathToFileURL(join(dist, 'esm', file)).href).catch(() => ({}))
  const [request, reply, entry] = await Promise.all([from('wire/request-schema.js'), from('reply/reply-schema.js'), loadHaptik()])
  return { ...entry, ...request, ...reply }
}

export function ready (server) {
  const address = server.address()
  process.stdout.write(`ready ${address.port}\n`)
}

/** The hand-written check the recipes use: HMAC-SHA1 of the raw bytes, constant-time compare. */
export function validSignature (raw, header) {
  if (typeof header !== 'string' || !header.startsWith('sha1=')) return false
  const expected = Buffer.from(header.slice(5), 'hex')
  const actual = createHmac('sha1', SECRET).update(raw).digest()
  return expected.length === actual.length && timingSafeEqual(expected, actual)
}

// Exit cleanly when the runner stops the server, so `node --cpu-prof` writes its profile.
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => process.exit(0))
