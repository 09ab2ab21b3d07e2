/**
 * Configuration problems as sentences an operator can act on: every line names the path of the
 * offending value (`services.namenodes[2]`) and what is expected there.
 *
 * zod reports unknown keys of a strict object without the keys it would have accepted, so
 * `strictRecord` attaches the accepted keys to its own error message.
 */
import { z } from "zod";

/** A configuration that does not parse; `problems` holds one `path: message` line per issue. */
export class ConfigError extends Error {
  readonly problems: readonly string[];

  constructor(what: string, problems: readonly string[]) {
    super(`invalid ${what}:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "ConfigError";
    this.problems = problems;
  }
}

/** `hosts[0].name`, `services.datanodes[2]`; `(root)` for the document itself. */
export function issuePath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const part of path) {
    if (typeof part === "number") out += `[${part}]`;
    else out += out === "" ? String(part) : `.${String(part)}`;
  }
  return out === "" ? "(root)" : out;
}

/** One `path: message` line per zod issue. */
export function describeIssues(error: z.ZodError): string[] {
  return error.issues.map((issue) => `${issuePath(issue.path)}: ${issue.message}`);
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

/** Parse with `schema` or throw a ConfigError naming every problem. */
export function parseOrThrow<S extends z.ZodType>(what: string, schema: S, input: unknown): z.output<S> {
  const result = schema.safeParse(input);
  if (!result.success) throw new ConfigError(what, describeIssues(result.error));
  return result.data;
}
