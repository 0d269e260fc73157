/** The command worked: the step answered in a way Haptik accepts. */
export const EXIT_OK = 0
/** The call failed, or Haptik would show a bot break; or the command could not do its job. */
export const EXIT_FAILURE = 1
/** The command line is wrong: a missing or malformed argument or flag. */
export const EXIT_USAGE = 2

/** A mistake on the command line; exits 2. */
export class UsageError extends Error {
  readonly exitCode = EXIT_USAGE
}

/** The command ran but failed (a bot break, a module that does not load); exits 1. */
export class CommandFailure extends Error {
  readonly exitCode = EXIT_FAILURE
}
