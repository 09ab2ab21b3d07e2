import * as pulumi from "@pulumi/pulumi";

/**
 * What the stack deployed last time, read back from its own outputs through a StackReference to
 * itself. Change-dependent guardrails (one node replacement per update, one origin change per
 * update...) compare the new config against it at preview time. Offline, `npm run synth --
 * --previous FILE` answers this reference by evaluating the previous stack file first.
 */
export async function readDeployed(): Promise<Record<string, unknown> | undefined> {
    const self = new pulumi.StackReference(`${pulumi.getOrganization()}/${pulumi.getProject()}/${pulumi.getStack()}`);
    const details = await self.getOutputDetails("deployed");
    const value = details.value ?? details.secretValue;
    return value && typeof value === "object" ? (value as Record<string, unknown>) : undefined;
}
