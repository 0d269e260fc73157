// The programs a few test groups need besides Node.js and npm. Where one is
// not installed, its group is skipped with one line naming what to install;
// under CI=true (or CI=1) that is a failure instead, because CI installs them
// all (.ci/run). scripts/test.ts reads the same table to say which files the
// coverage gate cannot hold to 100 % on a machine without them.
import { spawnSync } from 'node:child_process'
import { accessSync, constants, statSync } from 'node:fs'
import { delimiter, join } from 'node:path'
import type { Test } from 'tap'

export interface Requirement {
  /** The Debian package's install command. */
  readonly install: string
  /** The lib/ files that only the tests needing the program cover fully. */
  readonly covers: readonly string[]
}

export const REQUIREMENTS = {
  'redis-server': { install: 'apt-get install -y redis-server', covers: ['lib/store/redis-store.ts'] },
  chromium: { install: 'apt-get install -y chromium', covers: [] },
  python3: { install: 'apt-get install -y python3', covers: [] }
} as const satisfies Record<string, Requirement>

export type Program = keyof typeof REQUIREMENTS

/** Whether the environment says this is CI, where every test must run. */
export const inCi = (): boolean => process.env.CI === 'true' || process.env.CI === '1'

/** The program's path on PATH, as a shell would find it, if it runs (`--version` exits 0), or undefined. */
export function which (program: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir === '') continue
    const path = join(dir, program)
    try {
      accessSync(path, constants.X_OK)
      if (!statSync(path).isFile()) continue
    } catch {
      continue
    }
    // The first one found is the one a shell runs: a broken or stand-in program there means not installed.
    return spawnSync(path, ['--version'], { stdio: 'ignore', timeout: 30_000 }).status === 0 ? path : undefined
  }
  return undefined
}

/** The programs of the table that are not on PATH. */
export function missingPrograms (): Program[] {
  return (Object.keys(REQUIREMENTS) as Program[]).filter(program => which(program) === undefined)
}

/**
 * The path of `program` if it is installed. If not, `group` (what needs it,
 * named for the reader) is skipped in `t` with one line saying what to
 * install, or fails `t` under CI; either way the caller runs none of it.
 */
export function requires (t: Test, program: Program, group: string): string | undefined {
  const path = which(program)
  if (path !== undefined) return path
  const { install } = REQUIREMENTS[program]
  if (inCi()) {
    t.fail(`${program} is not installed, and CI must run ${group}: ${install} (.ci/run does)`)
  } else {
    t.test(group, { skip: `${program} is not installed: ${install}` }, () => {})
  }
  return undefined
}
