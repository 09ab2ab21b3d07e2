/**
 * Fast tests of the plan functions (ops/<platform>/plan.ts): the committed stacks' validated config, read
 * without evaluating the program, and assertions on findings by id and kind.
 */
import assert from "node:assert/strict";
import * as path from "node:path";
import { parseStackConfig } from "../../ops/config/parse";
import type { StackConfig } from "../../ops/config/schema";
import type { Finding, GuardrailKind } from "../../ops/shared/platform-plan";
import { readStackFile } from "../../stacks/offline/stackfile";
import { repoRoot } from "./repo";

/** The validated config of a committed stack file (Pulumi.<stack>.yaml). */
export function committedConfig(stack: "prod" | "staging"): StackConfig {
    const raw = readStackFile(path.join(repoRoot(), `Pulumi.${stack}.yaml`));
    return parseStackConfig(raw.config, new Set(raw.secretKeys)).config;
}

export const ids = (findings: readonly Finding[]): string[] => findings.map((f) => f.id);

/** The finding with `id`, which must be there with `kind` and a message; returns it. */
export function finding(findings: readonly Finding[], id: string, kind: GuardrailKind): Finding {
    const f = findings.find((x) => x.id === id);
    assert.ok(f, `${id} fires (got ${JSON.stringify(ids(findings))})`);
    assert.equal(f.kind, kind, `${id} is a ${kind}`);
    assert.ok(f.message.length > 0, `${id} says why`);
    return f;
}

/** `id` is not among the findings. */
export function passes(findings: readonly Finding[], id: string): void {
    assert.ok(!ids(findings).includes(id), `${id} does not fire (got ${JSON.stringify(ids(findings))})`);
}

export function deepClone<T>(x: T): T {
    return JSON.parse(JSON.stringify(x)) as T;
}
