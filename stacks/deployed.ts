import * as pulumi from "@pulumi/pulumi";
import { legacyLayoutHint, selfReferenceName } from "../ops/state/reference";
import { readDeployedOutput } from "../ops/state/snapshot";

/**
 * The `deployed` output of this update: `snapshot` once every gate resolved (the sections' commands
 * completed). If a gate's resource fails, the output never resolves, the engine keeps the previous
 * `deployed` output, and the next update compares with what really ran. The gates' values (command
 * stdout) are dropped, and so is their secretness: the snapshot holds none of them.
 */
export function gatedSnapshot<T extends Record<string, unknown>>(gates: readonly pulumi.Output<unknown>[], snapshot: T): pulumi.Output<T> {
    const done = pulumi.unsecret(pulumi.all([...gates]).apply(() => true));
    return pulumi.all([done, snapshot]).apply(([, s]) => s as T);
}

/**
 * What the stack deployed last time, read back from its own outputs through a StackReference to
 * itself. Change-dependent guardrails (one node replacement per update, one origin change per
 * update...) compare the new config against it at preview time. Offline, `npm run synth --
 * --previous FILE` answers this reference by evaluating the previous stack file first.
 *
 * Returns the sections of the `deployed` output without its header (undefined on the first
 * deployment). A snapshot of another stack or of an unknown format throws a guardrail refusal before
 * anything is registered (ops/state/snapshot.ts readDeployedOutput).
 */
export async function readDeployed(): Promise<Record<string, unknown> | undefined> {
    const self = { organization: pulumi.getOrganization(), project: pulumi.getProject(), stack: pulumi.getStack() };
    // The resource name stays the fully qualified one it always had (no state churn); the name the
    // backend resolves is the one that works on this backend (ops/state/reference.ts).
    const ref = new pulumi.StackReference(`${self.organization}/${self.project}/${self.stack}`, { name: selfReferenceName(self) });
    let value: unknown;
    try {
        const details = await ref.getOutputDetails("deployed");
        value = details.value ?? details.secretValue;
    } catch (e) {
        const hint = legacyLayoutHint(String((e as Error)?.message ?? e));
        if (hint) throw new pulumi.RunError(`Cannot read this stack's own outputs (the guardrails' baseline): ${hint}`);
        throw e;
    }
    const read = readDeployedOutput(value, self);
    if (read.kind === "refused") throw new pulumi.RunError(`Refused by guardrails, nothing was changed:\n  - ${read.message}`);
    return read.kind === "ok" ? { ...read.sections } : undefined;
}
