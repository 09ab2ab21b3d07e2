// How an ops command fails, and the exit code the CLI gives each kind. Every path that cannot tell whether the
// node is drained ends in one of these: a failure is never read as "drained" or "empty".

export type FailureKind = "usage" | "refused" | "timeout" | "api" | "lost" | "restart";

/**
 * Exit codes of cli/search.ts (0 = success, 1 = unexpected bug). Usage is 64 (EX_USAGE), as for the project's other
 * CLIs; 2 is not a CLI exit code: it is CLI_MISSING_EXIT, which the program's ready command exits with.
 */
export const EXIT_CODES: Readonly<Record<FailureKind, number>> = {
    /** bad arguments (unknown command or flag, a value outside its grammar), or no endpoint */
    usage: 64,
    /** refused before changing anything lasting: cluster red, node absent (without --absent-ok, or with it and the cluster not green), a copy that cannot move */
    refused: 3,
    /** the condition was not reached before --timeout, or a request was still unanswered when it ran out */
    timeout: 4,
    /** network error, non-2xx answer, or an answer that cannot be read */
    api: 5,
    /** the cluster got worse during the operation: the node left, or the cluster stayed red */
    lost: 6,
    /** bounce: the --restart command exited non-zero */
    restart: 7,
};

/**
 * Exit code of the program's ready command (commands.ts waitReachableCommand) when dist/cli/search.js is missing
 * (`npm run build` not run before `pulumi up`). Distinct from every EXIT_CODES value, so it is never read as a
 * usage error or a refusal of the CLI.
 */
export const CLI_MISSING_EXIT = 2;

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
