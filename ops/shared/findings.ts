/**
 * Config problems with the config path they are about. The stack reports config problems as a ConfigError
 * (`<path>: <message>` per line, ops/config/errors.ts), so a plan's config-problem findings carry the path
 * next to the message: the section turns them into that error unchanged. Pure.
 */
import type { ConfigProblem } from "../config/errors";
import type { Finding, PlatformPlan } from "./platform-plan";

export interface ConfigFinding extends Finding {
    readonly kind: "config-problem";
    /** The config path, as typed with `pulumi config set --path` (`platform.services.zookeeper`). */
    readonly path: string;
}

/** A PlatformPlan whose config problems name their path. */
export type PathedPlatformPlan<Plan, Snapshot> = PlatformPlan<Plan, Snapshot> & { readonly problems: readonly ConfigFinding[] };

export const pathProblem = (id: string, path: string, message: string): ConfigFinding => ({ id, kind: "config-problem", path, message });

/** The findings as the ConfigError's problems, in order. */
export const configProblems = (findings: readonly ConfigFinding[]): ConfigProblem[] => findings.map((f) => ({ path: f.path, message: f.message }));
