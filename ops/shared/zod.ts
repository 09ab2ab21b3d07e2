/**
 * Zod primitives shared by the documents the platform and control-plane modules parse on their own.
 *
 * Configuration problems as sentences an operator can act on: every line names the path of the
 * offending value (`services.namenodes[2]`) and what is expected there. Errors are the project's one
 * ConfigError (ops/config/errors.ts); its `lines` are the `path: message` sentences.
 *
 * zod reports unknown keys of a strict object without the keys it would have accepted, so
 * `strictRecord` attaches the accepted keys to its own error message.
 */
import { z } from "zod";
import { ConfigError, formatPath, type ConfigProblem } from "../config/errors";

/** One problem per zod issue, with the message the schema wrote (strictRecord's for unknown keys). */
export function describeIssues(error: z.ZodError): ConfigProblem[] {
    return error.issues.map((issue) => ({ path: formatPath(issue.path), message: issue.message }));
}

/**
 * `z.strictObject` whose unknown-key error lists the keys that are accepted, e.g.
 * `unknown key "instancetype"; expected only: name, instanceType, ...`.
 */
export function strictRecord<T extends z.core.$ZodLooseShape>(shape: T) {
    const accepted = Object.keys(shape).join(", ");
    return z.strictObject(shape, {
        error: (issue) =>
            issue.code === "unrecognized_keys"
                ? `unknown key${issue.keys.length > 1 ? "s" : ""} ${issue.keys.map((k) => JSON.stringify(k)).join(", ")}; expected only: ${accepted}`
                : undefined,
    });
}

/** Parse with `schema` or throw a ConfigError (heading `invalid <what>`) naming every problem. */
export function parseOrThrow<S extends z.ZodType>(what: string, schema: S, input: unknown): z.output<S> {
    const result = schema.safeParse(input);
    if (!result.success) throw new ConfigError(describeIssues(result.error), "dataplat", `invalid ${what}`);
    return result.data;
}

/** Object key prefix: no leading or trailing '/', no spaces. */
export const s3Prefix = z.string().regex(/^[A-Za-z0-9._-]+(\/[A-Za-z0-9._-]+)*$/, "expected a key prefix such as koverse/prod (no leading or trailing '/')");
