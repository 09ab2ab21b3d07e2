import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { AlarmTopic } from "../components/observability/AlarmTopic";
import { Host } from "../components/compute/Host";
import { TierRole } from "../components/compute/TierRole";
import { TierSecurityGroups } from "../components/network/TierSecurityGroups";
import { BacklogQueue } from "../components/queue/BacklogQueue";
import { SecureBucket } from "../components/storage/SecureBucket";
import { DeployedFoundation, foundationRefusals, foundationSnapshot } from "../ops/config/guardrails";
import { ConfigError } from "../ops/config/errors";
import { NAMESPACE, queueDataLossSeconds, StackConfig, Tier, TIERS } from "../ops/config/schema";
import { Grant, PlannedGrant, parameterArn, plannedPolicyProblems, standInArn, statementsFor } from "../ops/security/iam";
import { loadConfig } from "./config";
import { snapshotHeader } from "../ops/state/snapshot";
import { gatedSnapshot, readDeployed } from "./deployed";
import { Providers } from "./providers";
import { SECTIONS } from "./sections";
import { SEARCH_SECURITY_READERS, searchSecurityParameters } from "./sections/search";
import { SectionContext } from "./sections/section";
import { defineEmergency, emergencySectionPlan, searchEndpointOf } from "./sections/emergency";

/** Generated secrets: which tiers may read each (through an SSM SecureString parameter). */
const GENERATED_SECRETS = {
    postgresPassword: { parameter: "postgres-password", readers: ["controlplane", "platform"] as Tier[] },
    searchAdminPassword: { parameter: "search-admin-password", readers: ["frontend", "search", "manager"] as Tier[] },
} as const;

/**
 * Each tier's grants as the resources below will make them, from config alone, with stand-in ARNs
 * (the real ones are unknown until the queues, buckets and parameters exist): what the least-privilege
 * check of the tier roles reads before any resource is registered.
 */
export function plannedGrants(cfg: StackConfig, region: string): Record<Tier, PlannedGrant[]> {
    const out = Object.fromEntries(TIERS.map((t) => [t, [] as PlannedGrant[]])) as Record<Tier, PlannedGrant[]>;
    const add = (tiers: readonly Tier[], path: string, g: Grant) => tiers.forEach((t, i) => out[t].push({ ...g, path: `${path}[${i}]` }));
    for (const [qname, q] of Object.entries(cfg.queues)) {
        const arn = standInArn("queue", `${cfg.prefix}-${qname}`, region);
        add(q.producers, `queues.${qname}.producers`, { kind: "queue", access: "produce", arn });
        add(q.consumers, `queues.${qname}.consumers`, { kind: "queue", access: "consume", arn });
    }
    for (const [bname, b] of Object.entries(cfg.buckets)) {
        const arn = standInArn("bucket", `${cfg.prefix}-${bname}-${cfg.environment}`, region);
        add(b.writers, `buckets.${bname}.writers`, { kind: "bucket", access: "write", arn });
        add(b.readers, `buckets.${bname}.readers`, { kind: "bucket", access: "read", arn });
    }
    const tlsParameters = cfg.search ? searchSecurityParameters(cfg.search, cfg) : undefined;
    for (const [key, parameter] of Object.entries(tlsParameters ?? {})) {
        const arn = standInArn("parameter", parameter, region);
        add(SEARCH_SECURITY_READERS, `search.admin.tls (${key})`, { kind: "parameter", access: "read", arn });
    }
    for (const [key, spec] of Object.entries(GENERATED_SECRETS)) {
        const arn = standInArn("parameter", `/${cfg.prefix}/${cfg.environment}/${spec.parameter}`, region);
        spec.readers.forEach((t) => out[t].push({ kind: "parameter", access: "read", arn, path: `${key} (readers: ${spec.readers.join(", ")})` }));
    }
    return out;
}

/**
 * The Pulumi CLI the program needs (`replaceWith`, v3.207.0): one home in ops/preflight/pulumi-cli.ts, read by
 * the entry point (stacks/index.ts) and by the preflight (`npm run preflight`).
 */
export { MINIMUM_PULUMI_CLI } from "../ops/preflight/pulumi-cli";

/**
 * The whole program: validate config, check guardrails against the deployed state, then declare the
 * resources. Returned values become stack outputs; `deployed` is what the next update compares with.
 */
export async function program(): Promise<Record<string, unknown>> {
    const { config: cfg, region, secrets } = loadConfig();
    // The tier roles' least privilege, checked on the planned grants: the policies' real ARNs are
    // unknown at preview, where a check of the built policy (inside an apply) would never run.
    const policyProblems = plannedPolicyProblems(plannedGrants(cfg, region), statementsFor);
    if (policyProblems.length > 0) throw new ConfigError(policyProblems, NAMESPACE);
    const stack = pulumi.getStack();
    const previous = await readDeployed();
    const refusals = foundationRefusals(previous?.foundation as DeployedFoundation | undefined, cfg);
    // Each section's plan is computed once, here, before any resource; define() below receives it.
    const sectionPlans = new Map<string, unknown>();
    for (const section of SECTIONS) {
        const sectionCfg = cfg[section.key];
        if (sectionCfg !== undefined) {
            const planned = section.plan(previous?.[section.key], sectionCfg as never, cfg);
            refusals.push(...planned.refusals);
            sectionPlans.set(section.key, planned.plan);
        } else if (previous?.[section.key] !== undefined) {
            refusals.push(
                `${section.key}: removing the whole section would delete everything it deployed in one update; ` +
                    `shrink it step by step (each step is checked), or remove it deliberately with \`pulumi destroy --target\``,
            );
        }
    }
    // The emergency switch (stacks/sections/emergency.ts): its key may be absent (that resumes), so it is not in SECTIONS.
    const emergencyPlan = emergencySectionPlan(previous?.emergency, cfg, secrets.sshPrivateKey !== undefined);
    refusals.push(...emergencyPlan.refusals.map((f) => f.message));
    if (refusals.length > 0) throw new pulumi.RunError(`Refused by guardrails, nothing was changed:\n${refusals.map((r) => `  - ${r}`).join("\n")}`);

    const providers = new Providers(region, cfg.environment, stack);
    const name = (s: string) => `${cfg.prefix}-${s}`;
    const account = aws.getCallerIdentityOutput({}, { provider: providers.aws("foundation") });

    const alarms = new AlarmTopic(name("alarms"), { emails: cfg.alerting.emails, accountId: account.accountId }, providers.opts("observability"));

    const network = new TierSecurityGroups(
        name("tiers"),
        {
            vpcId: cfg.network.vpcId,
            vpcCidr: cfg.network.vpcCidr,
            operatorCidrs: cfg.network.operatorCidrs,
            frontendPublicHttps: cfg.network.frontendPublicHttps,
        },
        providers.opts("network"),
    );

    const grants = new Map<Tier, pulumi.Output<Grant>[]>(TIERS.map((t) => [t, []]));
    const grant = (tiers: readonly Tier[], g: pulumi.Output<Grant>) => tiers.forEach((t) => grants.get(t)!.push(g));

    const queues = Object.fromEntries(
        Object.entries(cfg.queues).map(([qname, q]) => {
            const queue = new BacklogQueue(
                name(qname),
                {
                    retentionDays: q.retentionDays,
                    dataLossAfterSeconds: queueDataLossSeconds(q),
                    alarmAtFraction: q.alarmAtFraction,
                    maxReceiveCount: q.maxReceiveCount,
                    visibilityTimeoutSeconds: q.visibilityTimeoutSeconds,
                    accountId: account.accountId,
                    alarmTopicArn: alarms.topicArn,
                },
                providers.opts("queue"),
            );
            grant(
                q.producers,
                queue.queueArn.apply((arn): Grant => ({ kind: "queue", access: "produce", arn })),
            );
            grant(
                q.consumers,
                queue.queueArn.apply((arn): Grant => ({ kind: "queue", access: "consume", arn })),
            );
            return [qname, queue] as const;
        }),
    );

    const buckets = Object.fromEntries(
        Object.entries(cfg.buckets).map(([bname, b]) => {
            const bucket = new SecureBucket(
                name(bname),
                {
                    namePrefix: `${cfg.prefix}-${bname}-${cfg.environment}`,
                    encryption: b.encryption,
                    lifecycle: b.lifecycle,
                    protectFromDeletion: b.purpose === "backup" && cfg.environment === "prod",
                },
                providers.opts("storage"),
            );
            grant(
                b.writers,
                bucket.bucketArn.apply((arn): Grant => ({ kind: "bucket", access: "write", arn })),
            );
            grant(
                b.readers,
                bucket.bucketArn.apply((arn): Grant => ({ kind: "bucket", access: "read", arn })),
            );
            return [bname, bucket] as const;
        }),
    );

    // search.admin.tls: the nodes read their TLS material from parameters the SearchCluster writes under known names.
    for (const parameter of Object.values(cfg.search ? (searchSecurityParameters(cfg.search, cfg) ?? {}) : {})) {
        grant(
            SEARCH_SECURITY_READERS,
            account.accountId.apply((acct): Grant => ({ kind: "parameter", access: "read", arn: parameterArn(region, acct, parameter) })),
        );
    }
    const passwords = {} as Record<keyof typeof GENERATED_SECRETS, pulumi.Output<string>>;
    for (const [key, spec] of Object.entries(GENERATED_SECRETS) as [
        keyof typeof GENERATED_SECRETS,
        (typeof GENERATED_SECRETS)[keyof typeof GENERATED_SECRETS],
    ][]) {
        const supplied = secrets[key];
        const value = supplied !== undefined ? pulumi.secret(supplied) : new random.RandomPassword(name(spec.parameter), { length: 32, special: false }).result;
        const param = new aws.ssm.Parameter(
            name(spec.parameter),
            { name: `/${cfg.prefix}/${cfg.environment}/${spec.parameter}`, type: "SecureString", value },
            { provider: providers.aws("secrets") },
        );
        grant(
            spec.readers,
            param.arn.apply((arn): Grant => ({ kind: "parameter", access: "read", arn })),
        );
        passwords[key] = value;
    }

    const roles = Object.fromEntries(
        TIERS.map((tier) => [
            tier,
            new TierRole(name(`${tier}-role`), { statements: pulumi.all(grants.get(tier)!).apply((g) => statementsFor(g)) }, providers.opts("compute")),
        ]),
    ) as Record<Tier, TierRole>;

    // The TC logger writes pipeline input, so it sits with the ETL tier.
    const hostTier = { frontend: "frontend", manager: "manager", logger: "etl" } as const satisfies Record<string, Tier>;
    const hosts = Object.fromEntries(
        (["frontend", "manager", "logger"] as const).map((hname) => {
            const spec = cfg.hosts[hname];
            const tier = hostTier[hname];
            const host = new Host(
                name(hname),
                {
                    imageId: spec.imageId ?? cfg.hosts.imageId,
                    instanceType: spec.instanceType,
                    subnetId: cfg.network.subnets[spec.subnet].id,
                    securityGroupIds: [network.groupIds[tier]],
                    instanceProfileName: roles[tier].instanceProfileName,
                    rootVolumeGiB: spec.rootVolumeGiB,
                    associatePublicIp: spec.associatePublicIp,
                    generation: spec.generation,
                    tier,
                },
                providers.opts("compute"),
            );
            return [hname, host] as const;
        }),
    );

    const backupName = Object.entries(cfg.buckets).find(([, b]) => b.purpose === "backup")![0];
    const ctx: SectionContext = {
        cfg,
        stack,
        name,
        providers,
        network: { groupIds: network.groupIds, subnets: cfg.network.subnets },
        roles,
        imageId: cfg.hosts.imageId,
        backupBucket: { name: buckets[backupName].bucketName, arn: buckets[backupName].bucketArn },
        alarmTopicArn: alarms.topicArn,
        heldFleets: emergencyPlan.plan.heldFleets,
        previous,
        secrets: {
            ...(secrets.sshPrivateKey !== undefined ? { sshPrivateKey: pulumi.secret(secrets.sshPrivateKey) } : {}),
            postgresPassword: passwords.postgresPassword,
            searchAdminPassword: passwords.searchAdminPassword,
        },
    };
    // The header lets the next update refuse a snapshot of another stack or of an unknown format
    // (ops/state/snapshot.ts readDeployedOutput).
    const snapshot: Record<string, unknown> = { header: snapshotHeader(pulumi.getProject(), stack), foundation: foundationSnapshot(cfg) };
    const gates: pulumi.Output<unknown>[] = [];
    const sectionOutputs: Record<string, unknown> = {};
    const plan: Record<string, unknown> = {};
    let searchAdminTls: { readonly caPem: pulumi.Output<string>; readonly serverName: string } | undefined;
    for (const section of SECTIONS) {
        const sectionCfg = cfg[section.key];
        if (sectionCfg === undefined) continue;
        const result = section.define(ctx, sectionCfg as never, sectionPlans.get(section.key) as never);
        snapshot[section.key] = result.deployed;
        gates.push(...result.gates);
        sectionOutputs[section.key] = result.outputs;
        if (result.plan !== undefined) plan[section.key] = result.plan;
        if (result.wiring?.searchAdminTls) searchAdminTls = result.wiring.searchAdminTls;
    }
    const search = sectionOutputs.search as Record<string, unknown> | undefined;
    const emergency = defineEmergency(
        ctx,
        {
            hostIps: Object.fromEntries(Object.entries(hosts).map(([k, h]) => [k, h.privateIp])),
            searchNodeIps: (search?.nodeIps ?? {}) as Record<string, pulumi.Output<string>>,
            searchEndpoint: searchEndpointOf(search, passwords.searchAdminPassword),
            searchAdminTls,
            fleets: (sectionOutputs.spotFleets ?? {}) as Record<string, { fleetId: pulumi.Output<string>; targetCapacity: number }>,
        },
        emergencyPlan,
    );
    // Recorded while the key is there and in the update that removes it (which resumes), then no more.
    const emergencyShown = cfg.emergency !== undefined || previous?.emergency !== undefined;
    if (emergencyShown) {
        snapshot.emergency = emergency.deployed;
        plan.emergency = emergency.plan;
    }
    gates.push(...emergency.gates);
    // The baseline moves only when the work is done: `deployed` resolves once every section's gate
    // did (its rollouts, starts, recoveries, joins, bounces, the emergency's stops completed); if one fails, the previous
    // `deployed` output stays. Deletes of replaced resources run after this and cannot be gated: see
    // cli/pending.ts.
    const deployed = gatedSnapshot(gates, snapshot);

    return {
        deployed,
        ...sectionOutputs,
        // Whether the emergency switch is on, since when and why (ops/emergency/steps.ts emergencyReport).
        ...(emergencyShown ? { emergency: emergency.outputs } : {}),
        ...(Object.keys(plan).length > 0 ? { plan } : {}),
        securityGroups: network.groupIds,
        queueUrls: Object.fromEntries(Object.entries(queues).map(([k, q]) => [k, q.queueUrl])),
        bucketNames: Object.fromEntries(Object.entries(buckets).map(([k, b]) => [k, b.bucketName])),
        hostIps: Object.fromEntries(Object.entries(hosts).map(([k, h]) => [k, h.privateIp])),
        alarmTopicArn: alarms.topicArn,
        // The preflight reads the search admin password from here (search.admin.auth basic; ops/preflight/search.ts).
        ...(cfg.search?.admin.auth === "basic"
            ? { searchAdminPasswordParameter: `/${cfg.prefix}/${cfg.environment}/${GENERATED_SECRETS.searchAdminPassword.parameter}` }
            : {}),
    };
}
