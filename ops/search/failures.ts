// How an ops command fails, and the exit code the CLI gives each kind. Every path that cannot tell whether the
// node is drained ends in one of these: a failure is never read as "drained" or "empty".

export type FailureKind = "usage" | "refused" | "timeout" | "api" | "lost" | "restart";

/** Exit codes of cli/search.ts (0 = success, 1 = unexpected bug). */
export const EXIT_CODES: Readonly<Record<FailureKind, number>> = {
  /** bad arguments or missing SEARCH_ENDPOINT */
  usage: 2,
  /** refused before changing anything lasting: cluster red, node absent and cluster not green, a copy that cannot move */
  refused: 3,
  /** the condition was not reached before --timeout */
  timeout: 4,
  /** network error, non-2xx answer, or an answer that cannot be read */
  api: 5,
  /** the cluster got worse during the operation: the node left, or the cluster stayed red */
  lost: 6,
  /** bounce: the --restart command exited non-zero */
  restart: 7,
};

export class OpsFailure extends Error {
  constructor(
    readonly kind: FailureKind,
    message: string,
  ) {
    super(message);
    this.name = "OpsFailure";
  }
}

export function exitCodeOf(err: unknown): number {
  return err instanceof OpsFailure ? EXIT_CODES[err.kind] : 1;
}
