/**
 * `pulumi stack export` output (apitype.UntypedDeployment with a DeploymentV3, pulumi/pulumi
 * sdk/go/common/apitype/core.go) of the prod stack: clean, and in the states a failed or interrupted
 * update leaves behind.
 */
const STACK = "urn:pulumi:prod::dataplat::pulumi:pulumi:Stack::dataplat-prod";
const CLUSTER = "urn:pulumi:prod::dataplat::dataplat:search:SearchCluster::activedata-search";
const PROVIDER = "urn:pulumi:prod::dataplat::pulumi:providers:command::default_1_2_1";
const inCluster = (type: string, name: string) => `urn:pulumi:prod::dataplat::dataplat:search:SearchCluster$${type}::${name}`;

function resource(urn: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
    // urn:pulumi:<stack>::<project>::<parent type>$...$<type>::<name>
    const type = urn.split("::")[2].split("$").pop()!;
    return {
        urn,
        custom: !type.startsWith("dataplat:") && type !== "pulumi:pulumi:Stack",
        type,
        created: "2025-03-02T10:11:12.000Z",
        modified: "2025-03-02T10:20:00.000Z",
        ...extra,
    };
}

const drain = (name: string, extra: Record<string, unknown> = {}) =>
    resource(inCluster("command:local:Command", name), {
        id: `${name}-a1b2c3`,
        inputs: { create: "dataplat-search wait-joined --node backup-2-g0", delete: "dataplat-search drain --node backup-2-g0", update: "true" },
        outputs: { stdout: "backup-2-g0 joined", stderr: "" },
        parent: CLUSTER,
        provider: `${PROVIDER}::0f3c1c44-8f2e-4c8e-9a55-3c1b9f0c2a11`,
        ...extra,
    });

const instance = (name: string, id: string, extra: Record<string, unknown> = {}) =>
    resource(`urn:pulumi:prod::dataplat::dataplat:search:SearchCluster$dataplat:compute:Host$aws:ec2/instance:Instance::${name}`, {
        id,
        inputs: { ami: "ami-0123456789abcdef0", instanceType: "r6i.2xlarge" },
        outputs: { id, privateIp: "10.0.1.17" },
        ...extra,
    });

export function cleanExport(): Record<string, unknown> {
    return {
        version: 3,
        deployment: {
            manifest: { time: "2025-03-02T10:20:01.123Z", magic: "4b2a6d1c7f0e9a8b", version: "v3.170.0" },
            secrets_providers: { type: "passphrase", state: { salt: "v1:abcdEFGH:v1:ijkl:mnop==" } },
            resources: [
                resource(STACK, { outputs: { deployed: { header: { format: 1, project: "dataplat", stack: "prod" } } } }),
                resource(PROVIDER, { id: "0f3c1c44-8f2e-4c8e-9a55-3c1b9f0c2a11" }),
                resource(CLUSTER, { parent: STACK }),
                instance("activedata-search-backup-2", "i-0aaaaaaaaaaaaaaa1"),
                drain("activedata-search-backup-2-drain"),
            ],
        },
    };
}

/** A replacement of backup-2 whose drain (the old drain command's delete) failed: the old half stays, marked delete. */
export function failedDrainExport(): Record<string, unknown> {
    const e = cleanExport() as any;
    e.deployment.resources.push(instance("activedata-search-backup-2", "i-0bbbbbbbbbbbbbbb2"), drain("activedata-search-backup-2-drain"));
    // The old instance and its drain, kept after the new ones were created, marked for deletion.
    e.deployment.resources[3].delete = true;
    e.deployment.resources[4].delete = true;
    return e;
}

/** A delete-before-replace that deleted the old resource and never created the new one. */
export function pendingReplacementExport(): Record<string, unknown> {
    const e = cleanExport() as any;
    e.deployment.resources[3].pendingReplacement = true;
    return e;
}

/** The CLI was killed while creating a node and deleting a drain. */
export function interruptedExport(): Record<string, unknown> {
    const e = cleanExport() as any;
    e.deployment.pending_operations = [
        { resource: instance("activedata-search-spot-7", "i-0ccccccccccccccc3"), type: "creating" },
        { resource: drain("activedata-search-spot-6-drain"), type: "deleting" },
    ];
    return e;
}

/**
 * Search nodes named from their identity: backup-2 was replaced by config (g0 -> g1, a new identity); the update
 * created g1 and recorded it in deployed.search, then the old node's drain failed at the end of the update, so the
 * g0 drain and instance stay in the state as ordinary resources (not marked delete).
 */
export function retiredNodeExport(): Record<string, unknown> {
    const e = cleanExport() as any;
    const [, , , oldInstance, oldDrain] = e.deployment.resources;
    oldInstance.urn = oldInstance.urn.replace(/::activedata-search-backup-2$/, "::activedata-search-backup-2-g0-bbbbbbbb");
    oldDrain.urn = oldDrain.urn.replace(/::activedata-search-backup-2-drain$/, "::activedata-search-backup-2-g0-bbbbbbbb-drain");
    e.deployment.resources.push(
        instance("activedata-search-backup-2-g1-aaaaaaaa", "i-0bbbbbbbbbbbbbbb2"),
        drain("activedata-search-backup-2-g1-aaaaaaaa-drain"),
        instance("activedata-search-backup-1-g0-cccccccc", "i-0ddddddddddddddd4"),
    );
    e.deployment.resources[0].outputs.deployed.search = {
        nodes: [
            { name: "backup-1", identity: "backup-1-g0-cccccccc" },
            { name: "backup-2", identity: "backup-2-g1-aaaaaaaa" },
        ],
    };
    return e;
}
