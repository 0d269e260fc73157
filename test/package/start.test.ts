import { spawn } from 'node:child_process'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import t from 'tap'
import { detection, envelope, haptikSignature } from '../helpers/haptik.js'

// Slow on a loaded 2-core machine: starts the example server as a child process. Tap's default is 30 s per file.
t.setTimeout(120_000)

const root = fileURLToPath(new URL('../..', import.meta.url))

// What `npm start` does: the example run directly, secret from HAPTIK_SECRET or "test".
function start (env: Record<string, string>) {
  // The test's own TypeScript loader (tap's), so the child's coverage maps onto the same sources.
  const child = spawn(process.execPath, [...process.execArgv, 'example/server.ts'], {
    cwd: root,
    env: { ...process.env, PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'inherit']
  })
  const lines: Array<{ level: number, msg: string }> = []
  const listening = new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout }).on('line', line => {
      const entry = JSON.parse(line)
      lines.push(entry)
      const match = /Server listening at (http:\/\/[^\s]+)/.exec(entry.msg)
      if (match !== null) resolve(match[1])
    })
    child.on('exit', code => reject(new Error(`the example exited with ${code}`)))
  })
  return { child, lines, listening }
}

async function post (base: string, secret: string) {
  const body = JSON.stringify(envelope('product_price', { product_name: [detection('powerbank')] }))
  const res = await fetch(`${base}/haptik/product_price`, {
    method: 'POST',
    body,
    headers: { 'content-type': 'application/json', 'x-hub-signature': haptikSignature(body, secret) }
  })
  return { status: res.status, body: await res.json() }
}

t.test('run directly without HAPTIK_SECRET it serves with "test" and warns', async t => {
  const { child, lines, listening } = start({ HAPTIK_SECRET: '' })
  t.teardown(() => { child.kill() })
  const base = await listening
  t.same(await post(base, 'test'), { status: 200, body: { status: true, response: ['The Ambrane Powerbank can be yours only for Rs.1799'] } })
  t.match(lines, [{ level: 40, msg: /HAPTIK_SECRET is not set/ }])
  t.equal((await fetch(`${base}/documentation/json`)).status, 200)
})

t.test('run directly with HAPTIK_SECRET it uses that secret', async t => {
  const { child, lines, listening } = start({ HAPTIK_SECRET: 'from-env' })
  t.teardown(() => { child.kill() })
  const base = await listening
  t.equal((await post(base, 'from-env')).status, 200)
  t.equal((await post(base, 'test')).status, 401)
  t.notOk(lines.some(line => /HAPTIK_SECRET/.test(line.msg)), 'no warning')
})
