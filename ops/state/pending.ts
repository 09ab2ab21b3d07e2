/**
 * Unfinished work in a stack's state, from `pulumi stack export`. Pure.
 *
 * Why: the `deployed` baseline only moves once an update's commands completed (stacks/program.ts),
 * but the deletes of replaced or removed resources run at the end of the update, after the program
 * registered its outputs. A replaced search data node is drained by its old drain command's delete;
 * if that drain fails or times out, the update fails *after* `deployed` already records the new
 * node. The old resources stay in the state, marked for deletion, and the guardrails (which compare
 * configs) no longer see that a drain is unfinished. This check reads the state itself.
 *
 * Format (pulumi/pulumi sdk/go/common/apitype/core.go): `pulumi stack export` prints an
 * UntypedDeployment `{version, deployment}`; for version 3 `deployment` is a DeploymentV3 with
 * `resources: ResourceV3[]` and `pending_operations: OperationV2[]` (`{resource: ResourceV3, type:
 * "creating" | "updating" | "deleting" | "reading"}`). ResourceV3 has `urn`, `type`, `delete` ("the
 * resource should be deleted during the next update": the old half of a create-before-delete
 * replacement, or a failed delete) and `pendingReplacement` ("delete-before-replace resources that
 * have been deleted but not yet recreated"). Version 2 has the same fields except
 * pendingReplacement; newer versions are refused (unknown format).
 */
import { z } from "zod";

/** The newest deployment version this reads (apitype.DeploymentSchemaVersionCurrent). */
export const MAX_DEPLOYMENT_VERSION = 3;

const resourceSchema = z.looseObject({
    urn: z.string().min(1),
    type: z.string().min(1),
    delete: z.boolean().optional(),
    pendingReplacement: z.boolean().optional(),
    id: z.string().optional(),
    outputs: z.record(z.string(), z.unknown()).optional(),
});

const deploymentSchema = z.looseObject({
    resources: z.array(resourceSchema).optional(),
    pending_operations: z.array(z.looseObject({ resource: resourceSchema, type: z.string() })).optional(),
});

const exportSchema = z.looseObject({
    version: z.number().int().optional(),
    deployment: deploymentSchema,
});

export type PendingKind = "delete" | "pendingReplacement" | "operation" | "retired";

export interface PendingItem {
    readonly kind: PendingKind;
    readonly urn: string;
    readonly type: string;
    /** The resource's name (last URN segment). */
    readonly name: string;
    /** For pending operations: creating, updating, deleting or reading. */
    readonly operation?: string;
}

export type PendingResult =
    | { readonly ok: true; readonly items: readonly []; readonly message: string }
    /**
     * Unfinished work that does not block this update: the update turns the emergency switch on (the runbook's
     * "Emergency Procedures": a red cluster or a drain that cannot finish must not keep the operator from stopping
     * everything). The items are still listed, as a warning.
     */
    | { readonly ok: true; readonly exempt: "emergency"; readonly items: readonly PendingItem[]; readonly message: string }
    | { readonly ok: false; readonly items: readonly PendingItem[]; readonly message: string };

/** Whether the deployed stack runs with the emergency switch on, as its `deployed.emergency` output says. */
export type DeployedEmergency = "on" | "off" | "unknown";

/** Thrown for input that is not a stack export this understands (a usage problem, not a finding). */
export class StackExportError extends Error {
    override readonly name = "StackExportError";
}

const nameOf = (urn: string) => urn.slice(urn.lastIndexOf("::") + 2);

/** Parses `pulumi stack export` output (the JSON value). */
export function parseStackExport(json: unknown): z.infer<typeof deploymentSchema> {
    const parsed = exportSchema.safeParse(json);
    if (!parsed.success) {
        const issue = parsed.error.issues[0];
        throw new StackExportError(
            `not the output of \`pulumi stack export\` ({version, deployment: {resources, pending_operations}}): ` +
                `${issue ? `${issue.path.join(".") || "(root)"}: ${issue.message}` : "invalid"}`,
        );
    }
    const version = parsed.data.version;
    if (version !== undefined && version > MAX_DEPLOYMENT_VERSION) {
        throw new StackExportError(
            `deployment version ${version} is newer than this check reads (${MAX_DEPLOYMENT_VERSION}): update dataplat before trusting it`,
        );
    }
    return parsed.data.deployment;
}

/** A search node's instance or command, named from its identity `<node>-g<generation>-<8 hex>`. */
const SEARCH_NODE_RESOURCE = /-([a-z][a-z0-9-]*-g\d+-[0-9a-f]{8})(?:-(?:drain|undrain|bounce))?$/;
const SEARCH_NODE_TYPES = new Set(["command:local:Command", "aws:ec2/instance:Instance", "dataplat:compute:Host"]);

/** The node identities the stack's `deployed.search` output lists; undefined when it lists none (older dataplat, no search). */
function deployedSearchIdentities(resources: readonly z.infer<typeof resourceSchema>[]): string[] | undefined {
    const stack = resources.find((r) => r.type === "pulumi:pulumi:Stack");
    const nodes = (stack?.outputs?.deployed as { search?: { nodes?: { identity?: unknown }[] } } | undefined)?.search?.nodes;
    if (!Array.isArray(nodes)) return undefined;
    const ids = nodes.map((n) => n?.identity).filter((i): i is string => typeof i === "string");
    return ids.length === nodes.length && ids.length > 0 ? ids : undefined;
}

/** Pulumi's marker of a secret value in a stack export (sdk/go/common/resource/sig: Secret). */
const SECRET_SIG_KEY = "4dabf18193072939515e22adb298388d";
const isSecret = (v: unknown): boolean => typeof v === "object" && v !== null && SECRET_SIG_KEY in v;

/**
 * The emergency switch as the last update recorded it (`deployed.emergency.active`, ops/state/schemas.ts):
 * "off" when the stack never recorded an emergency; "unknown" when the value is encrypted (an export
 * without --show-secrets) or not the recorded shape, so the caller can fail closed.
 */
export function deployedEmergency(json: unknown): DeployedEmergency {
    const stack = (parseStackExport(json).resources ?? []).find((r) => r.type === "pulumi:pulumi:Stack");
    if (stack === undefined) return "unknown";
    const deployed = stack.outputs?.deployed;
    if (deployed === undefined) return "off";
    if (isSecret(deployed) || typeof deployed !== "object" || deployed === null) return "unknown";
    const emergency = (deployed as Record<string, unknown>).emergency;
    if (emergency === undefined) return "off";
    if (isSecret(emergency) || typeof emergency !== "object" || emergency === null) return "unknown";
    const active = (emergency as Record<string, unknown>).active;
    return active === true ? "on" : active === false ? "off" : "unknown";
}

/** Unfinished deletes, delete-before-replace gaps and interrupted operations, in state order. */
export function pendingItems(json: unknown): PendingItem[] {
    const deployment = parseStackExport(json);
    const items: PendingItem[] = [];
    for (const r of deployment.resources ?? []) {
        if (r.delete === true) items.push({ kind: "delete", urn: r.urn, type: r.type, name: nameOf(r.urn) });
        if (r.pendingReplacement === true) items.push({ kind: "pendingReplacement", urn: r.urn, type: r.type, name: nameOf(r.urn) });
    }
    // A search node replaced by config gets a new identity (SearchNodeSpec.identity): its old drain, instance and undrain
    // are no longer declared and are deleted at the end of the update, after the outputs are final. If that drain
    // fails, they stay in the state as ordinary resources; the stack's deployed.search lists the identities it runs.
    const live = deployedSearchIdentities(deployment.resources ?? []);
    if (live !== undefined) {
        for (const r of deployment.resources ?? []) {
            const identity = SEARCH_NODE_RESOURCE.exec(nameOf(r.urn))?.[1];
            if (
                r.delete !== true &&
                SEARCH_NODE_TYPES.has(r.type) &&
                identity !== undefined &&
                !live.some((i) => nameOf(r.urn).endsWith(`-${i}`) || nameOf(r.urn).includes(`-${i}-`))
            ) {
                items.push({ kind: "retired", urn: r.urn, type: r.type, name: nameOf(r.urn) });
            }
        }
    }
    for (const op of deployment.pending_operations ?? []) {
        items.push({ kind: "operation", urn: op.resource.urn, type: op.resource.type, name: nameOf(op.resource.urn), operation: op.type });
    }
    return items;
}

/** What an unfinished item is, in the runbooks' words where dataplat knows the resource. */
function describe(item: PendingItem): string {
    const command = item.type === "command:local:Command";
    if (item.kind === "delete") {
        if (command && /-drain$/.test(item.name)) {
            return `${item.name}: the drain of a replaced or removed search data node has not finished (its delete failed or timed out, so the old node still holds shard copies and still runs)`;
        }
        if (command && /-undrain$/.test(item.name)) {
            return `${item.name}: a removed search data node's exclusion was not lifted yet (its undrain has not run)`;
        }
        return `${item.name} (${item.type}): replaced or removed, but its delete has not completed (the old one still exists)`;
    }
    if (item.kind === "retired") {
        return `${item.name} (${item.type}): a search node that config no longer runs (replaced or removed) is still in the state: its drain or termination at the end of an update did not finish`;
    }
    if (item.kind === "pendingReplacement") {
        return `${item.name} (${item.type}): deleted for a delete-before-replace, its replacement was never created`;
    }
    return `${item.name} (${item.type}): the CLI was interrupted while ${item.operation ?? "operating on"} it; its real state is unknown`;
}

/**
 * The decision and its explanation: ok, or what is unfinished and what to do, in that order.
 *
 * `emergencyActive`: whether the stack file this update deploys turns the emergency switch on
 * (`dataplat:emergency.active: true`). Turning it on is never blocked by unfinished work: the runbook stops
 * everything first, whatever state the cluster is in. The engine runs the switch's stops (creates) during the
 * update and retries the pending deletes only at its end, so a drain that still cannot finish fails the update
 * after the stops ran. Only the update that turns it on is exempt: while the switch is already on, unfinished
 * work refuses as always (a second replacement would still drain a second node). When the export does not say
 * whether it is on (an encrypted `deployed` output), it refuses, and says how to tell.
 */
export function checkPending(json: unknown, stack?: string, emergencyActive = false): PendingResult {
    const items = pendingItems(json);
    const which = stack ? `stack ${stack}` : "the stack";
    if (items.length === 0) return { ok: true, items: [], message: `${which}: no resource pending deletion or replacement, no interrupted operation` };
    const deployed = emergencyActive ? deployedEmergency(json) : "off";
    if (emergencyActive && deployed === "off") {
        const lines = [
            `${which} has unfinished work from an earlier update, but this update turns the emergency switch on: it is not blocked ` +
                `(the stops run during the update; the engine retries the unfinished work only at its end, and may fail there):`,
            ...items.map((item) => `  - ${describe(item)}\n      ${item.urn}`),
            "After the emergency: finish this work (re-run `pulumi up`) before changing a data node, origin or headnode.",
        ];
        return { ok: true, exempt: "emergency", items, message: lines.join("\n") };
    }
    const lines = [`${which} has unfinished work from an earlier update; finish it before changing anything else:`];
    if (emergencyActive && deployed === "unknown") {
        lines.unshift(
            `${which}: the stack file turns the emergency switch on, but this export does not say whether it is already on ` +
                "(its `deployed` output is encrypted or unreadable): export with `pulumi stack export --show-secrets` so the switch can pass.",
        );
    }
    for (const item of items) lines.push(`  - ${describe(item)}\n      ${item.urn}`);
    const kinds = new Set(items.map((i) => i.kind));
    lines.push("What to do:");
    if (kinds.has("delete") || kinds.has("pendingReplacement") || kinds.has("retired")) {
        lines.push(
            "  - re-run `pulumi up` with the config that is deployed now (this change reverted) to finish it first: the engine retries the " +
                "pending deletes (a failed drain runs again and waits until the node holds no shard copy) and creates missing replacements;",
            "  - do not change another data node, origin or headnode in the meantime: a second replacement would drain a second node while " +
                "the first still holds data, which the one-node-per-update guardrail cannot see (it compares configs, not the state);",
            "  - if the delete keeps failing, fix its cause (e.g. a drain that cannot finish: too few data nodes for the replicas, an " +
                "allocation exclusion, cluster red) and re-run; never remove the resource from the state by hand while it still holds data.",
        );
    }
    if (kinds.has("operation")) {
        lines.push(
            "  - interrupted operations: check each resource in the cloud console or CLI, then run `pulumi refresh` interactively " +
                "(it clears pending operations; pending creates need a choice, or --clear-pending-creates / --import-pending-creates), " +
                "and re-run this check.",
        );
    }
    return { ok: false, items, message: lines.join("\n") };
}
