/** Where a command reads its environment and writes its output; the process's by default. */
export interface Io {
  stdout: (text: string) => void
  stderr: (text: string) => void
  env: Readonly<Record<string, string | undefined>>
  cwd: string
}

/** The running process's streams, environment and working directory. */
export function processIo (): Io {
  return {
    stdout: text => { process.stdout.write(text) },
    stderr: text => { process.stderr.write(text) },
    env: process.env,
    cwd: process.cwd()
  }
}
