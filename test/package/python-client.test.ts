import { execFile } from 'node:child_process'
import type { AddressInfo } from 'node:net'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import t from 'tap'
import { build } from '../../example/server.js'
import { requires } from '../helpers/requires.js'

// Slow on a loaded 2-core machine: runs python3 against a real socket. Tap's default is 30 s per file.
t.setTimeout(120_000)

const client = fileURLToPath(new URL('../fixtures/haptik_client.py', import.meta.url))

const GROUP = 'a client signing like Haptik\'s Python sample is served over a real socket'
const python = requires(t, 'python3', GROUP)
if (python !== undefined) {
  t.test(GROUP, async t => {
    const app = await build({ secret: 'py-secret' })
    t.teardown(() => app.close())
    await app.listen({ port: 0, host: '127.0.0.1' })
    const url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}/haptik/product_price`
    const run = async (secret: string, product: string) => {
      const { stdout } = await promisify(execFile)(python, [client, url, secret, 'product_price', product])
      const [status, body] = stdout.trim().split('\n')
      return { status: Number(status), body: JSON.parse(body) }
    }
    t.same(await run('py-secret', 'speaker'), {
      status: 200,
      body: { status: true, response: ['The Wireless Radio Alarm Clock Speaker can be yours only for Rs.1599'] }
    })
    t.same(await run('py-secret', 'powerbank'), {
      status: 200,
      body: { status: true, response: ['The Ambrane Powerbank can be yours only for Rs.1799'] }
    })
    const forged = await run('not-the-secret', 'speaker')
    t.equal(forged.status, 401)
    t.equal(forged.body.code, 'FST_HAPTIK_INVALID_SIGNATURE')
  })
}
