// Typed errors carry their exit code; the CLI prints their one-line message and exits with it.

/** Bad input or usage: exit 2, one line, nothing half-written. */
export class UsageError extends Error {
  readonly exitCode = 2;
  override name = 'UsageError';
}
