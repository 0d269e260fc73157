// A real redis-server (Debian's package), started by the test on a free port
// with no persistence, and stopped and restarted on that port at will.
import { spawn, type ChildProcess } from 'node:child_process'
import { createServer, connect } from 'node:net'

async function freePort (): Promise<number> {
  return await new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number }
      server.close(() => resolve(port))
    })
  })
}

async function accepting (port: number): Promise<boolean> {
  return await new Promise(resolve => {
    const socket = connect(port, '127.0.0.1', () => { socket.destroy(); resolve(true) })
    socket.once('error', () => resolve(false))
  })
}

/** A redis-server of the test's own. */
export class RedisServer {
  #process: ChildProcess | undefined
  private constructor (readonly port: number) {}

  static async start (): Promise<RedisServer> {
    const server = new RedisServer(await freePort())
    await server.start()
    return server
  }

  /** A free port where no server runs (yet): a client of it is refused. */
  static async unused (): Promise<RedisServer> {
    return new RedisServer(await freePort())
  }

  get url (): string {
    return `redis://127.0.0.1:${this.port}`
  }

  async start (): Promise<void> {
    this.#process = spawn('redis-server', ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' })
    for (let waited = 0; !(await accepting(this.port)); waited += 20) {
      if (waited > 10_000) throw new Error(`redis-server did not start on port ${this.port}`)
      await new Promise(resolve => setTimeout(resolve, 20))
    }
  }

  /** Freezes the server (SIGSTOP): connections stay open, nothing is answered. */
  pause (): void {
    this.#process?.kill('SIGSTOP')
  }

  /** Thaws a paused server (SIGCONT): what was sent meanwhile is answered now. */
  resume (): void {
    this.#process?.kill('SIGCONT')
  }

  async stop (): Promise<void> {
    const child = this.#process
    if (child === undefined || child.exitCode !== null) return
    await new Promise(resolve => { child.once('exit', resolve); child.kill('SIGKILL') })
    this.#process = undefined
  }
}
