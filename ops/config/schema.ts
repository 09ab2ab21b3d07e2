/**
 * The stack configuration, one structured object per environment under the `dataplat:` namespace of
 * Pulumi.<stack>.yaml. Every object is strict: an unknown key is an error, so a typo is never silently
 * ignored. Secrets are not part of this schema: they are separate top-level keys (see SECRET_KEYS) that
 * must be Pulumi secrets.
 *
 * The shape follows the runbooks: ActiveData's tiers (frontend, manager, ETL, search), its SQS backlogs
 * (14-day retention, the TC logger with under 30 minutes before data loss), its S3 buckets for raw
 * pipeline data and backups, and "ensure your IP is allowed inbound" as a list of operator CIDRs.
 */
import { z } from "zod";
import { isOpenToWorld, parseCidr } from "../network/cidr";
import { backlogAlarmPlan } from "../queues/alarms";
import { controlPlaneSchema } from "../controlplane/config";
import { EmergencyConfigSchema } from "../emergency/config";
import { originClusterSchema } from "../origin/hashstate";
import { platformConfigSchema } from "../platform/config";
import { SearchClusterConfig } from "../search/schema";
import { SpotFleetConfigSchema } from "../spot/config";

export const NAMESPACE = "dataplat";

/** Top-level keys that may only be given as Pulumi secrets (`pulumi config set --secret`). */
export const SECRET_KEYS = ["sshPrivateKey", "postgresPassword", "searchAdminPassword"] as const;
export type SecretKey = (typeof SECRET_KEYS)[number];

export const TIERS = ["frontend", "manager", "etl", "search", "origin", "controlplane", "platform"] as const;
export type Tier = (typeof TIERS)[number];

const Environment = z.enum(["prod", "staging"], { error: "expected 'prod' or 'staging'" });
export type Environment = z.infer<typeof Environment>;

const resourceName = z
    .string({ error: "expected a name" })
    .regex(/^[a-z][a-z0-9-]{0,30}[a-z0-9]$/, "expected a lowercase name of 2-32 letters, digits and '-'");

const cidr = z.string({ error: "expected a CIDR such as 203.0.113.0/24" }).refine((s) => parseCidr(s) !== undefined, {
    error: "expected a CIDR network address such as 203.0.113.0/24 (host bits zero)",
});

const operatorCidr = cidr.refine(
    (s) => {
        const c = parseCidr(s);
        return c === undefined || !isOpenToWorld(c);
    },
    {
        error: "operator access from anywhere (0.0.0.0/0 or ::/0) is not allowed: list the operators' own networks or VPN ranges",
    },
);

const ami = z.string({ error: "expected an AMI id" }).regex(/^ami-[0-9a-f]{8,17}$/, "expected an AMI id such as ami-0abc1234def567890");
const instanceType = z
    .string({ error: "expected an EC2 instance type" })
    .regex(/^[a-z][a-z0-9-]*\.[a-z0-9]+$/, "expected an EC2 instance type such as m6i.large");
const int = (min: number, max: number, what: string) =>
    z
        .number({ error: `expected ${what}` })
        .int(`expected ${what}`)
        .min(min, `expected ${what} >= ${min}`)
        .max(max, `expected ${what} <= ${max}`);

const Network = z.strictObject({
    /** The VPC the platform lives in (the network itself is managed elsewhere). */
    vpcId: z.string({ error: "expected a VPC id" }).regex(/^vpc-[0-9a-f]{8,17}$/, "expected a VPC id such as vpc-0abc1234"),
    /** The VPC's CIDR: egress between tiers is limited to it. */
    vpcCidr: cidr,
    subnets: z
        .array(
            z.strictObject({
                id: z.string({ error: "expected a subnet id" }).regex(/^subnet-[0-9a-f]{8,17}$/, "expected a subnet id such as subnet-0abc1234"),
                availabilityZone: z
                    .string({ error: "expected an availability zone" })
                    .regex(/^[a-z]{2}(-[a-z]+)+-\d[a-z]$/, "expected an availability zone such as us-west-2a"),
            }),
            { error: "expected a list of subnets" },
        )
        .min(1, "expected at least one subnet"),
    /** Where operators connect from ("ensure your IP is allowed inbound"): SSH and admin ports. */
    operatorCidrs: z.array(operatorCidr, { error: "expected a list of CIDRs" }).min(1, "expected at least one operator CIDR"),
    /** Expose the frontend's HTTPS (443) to the internet. Off by default; no other port is ever public. */
    frontendPublicHttps: z.boolean({ error: "expected true or false" }).default(false),
});

const HostSpec = z.strictObject({
    instanceType,
    /** Overrides hosts.imageId for this host. */
    imageId: ami.optional(),
    rootVolumeGiB: int(8, 16384, "a volume size in GiB").default(30),
    /** Index into network.subnets. */
    subnet: int(0, 63, "a subnet index").default(0),
    /** Public IPv4 address; off by default (FSBP EC2.9). */
    associatePublicIp: z.boolean({ error: "expected true or false" }).default(false),
    /** Bump to replace the host with a fresh instance (controlled replacement by config edit). */
    generation: int(0, 1_000_000, "a generation counter").default(0),
});
export type HostSpec = z.infer<typeof HostSpec>;

const Hosts = z.strictObject({
    /** Default image of every host. */
    imageId: ami,
    frontend: HostSpec,
    manager: HostSpec,
    /** The TC logger: the one machine with under 30 minutes before data loss. */
    logger: HostSpec,
});

const tierList = z.array(z.enum(TIERS, { error: `expected one of: ${TIERS.join(", ")}` }), { error: "expected a list of tiers" });

const Queue = z
    .strictObject({
        /** SQS keeps messages this long; the runbook's backlogs expire after 14 days, then data is lost. */
        retentionDays: int(1, 14, "a retention in days (SQS allows 1-14)").default(14),
        /** Minutes from "consumer stops" to data loss; defaults to the retention. */
        dataLossAfterMinutes: int(5, 14 * 24 * 60, "minutes until data loss").optional(),
        /** Alarm when the oldest message is this fraction of the way to data loss. */
        alarmAtFraction: z
            .number({ error: "expected a fraction" })
            .gt(0, "expected a fraction > 0")
            .max(0.5, "expected a fraction <= 0.5: an alarm must leave time to act")
            .default(0.25),
        maxReceiveCount: int(1, 1000, "a receive count").default(5),
        visibilityTimeoutSeconds: int(0, 43200, "seconds").default(300),
        producers: tierList.default([]),
        consumers: tierList.default([]),
    })
    .superRefine((q, ctx) => {
        if (q.dataLossAfterMinutes !== undefined && q.dataLossAfterMinutes > q.retentionDays * 1440) {
            ctx.addIssue({ code: "custom", path: ["dataLossAfterMinutes"], message: "cannot exceed the retention (retentionDays x 1440)" });
            return;
        }
        try {
            backlogAlarmPlan(queueDataLossSeconds(q), q.alarmAtFraction);
        } catch (e) {
            ctx.addIssue({ code: "custom", path: ["alarmAtFraction"], message: (e as Error).message });
        }
    });
export type QueueConfig = z.infer<typeof Queue>;

/** Seconds from "consumers stopped" to data loss: the explicit setting, else the retention. */
export function queueDataLossSeconds(q: { dataLossAfterMinutes?: number; retentionDays: number }): number {
    return (q.dataLossAfterMinutes ?? q.retentionDays * 1440) * 60;
}

const Lifecycle = z
    .strictObject({
        transitionToInfrequentAccessDays: int(30, 36500, "days (S3 needs >= 30 for STANDARD_IA)").optional(),
        transitionToGlacierDays: int(1, 36500, "days").optional(),
        expireAfterDays: int(1, 36500, "days").optional(),
        noncurrentVersionExpireAfterDays: int(1, 36500, "days").default(30),
        abortIncompleteMultipartUploadDays: int(1, 365, "days").default(7),
    })
    .refine(
        (l) => {
            const steps = [l.transitionToInfrequentAccessDays, l.transitionToGlacierDays, l.expireAfterDays].filter((d): d is number => d !== undefined);
            return steps.every((d, i) => i === 0 || d > steps[i - 1]);
        },
        { error: "lifecycle days must increase: infrequent access < glacier < expiry" },
    );
export type LifecycleConfig = z.infer<typeof Lifecycle>;

const Bucket = z.strictObject({
    purpose: z.enum(["data", "backup"], { error: "expected 'data' or 'backup'" }),
    encryption: z.enum(["sse-kms", "sse-s3"], { error: "expected 'sse-kms' or 'sse-s3'" }).default("sse-kms"),
    lifecycle: Lifecycle.default({ noncurrentVersionExpireAfterDays: 30, abortIncompleteMultipartUploadDays: 7 }),
    writers: tierList.default([]),
    readers: tierList.default([]),
});
export type BucketConfig = z.infer<typeof Bucket>;

const Alerting = z.strictObject({
    /** E-mail addresses subscribed to the stack's alarm topic. */
    emails: z.array(z.email({ error: "expected an e-mail address" })).default([]),
});

/** The Kraken origin cluster: the runbook's hashstate plus how its hosts are built and repaired. */
const OriginSection = z.strictObject({
    ...originClusterSchema.shape,
    instanceType,
    rootVolumeGiB: int(8, 16384, "a volume size in GiB").default(100),
    /** Origin blob storage volume (the weight's unit is its GB, as the runbook advises). */
    dataVolumeGiB: int(1, 16384, "a volume size in GiB").default(500),
    repair: z
        .strictObject({
            /** full: POST /repair on each origin (the runbook); shards: only the shard ids whose replica set changed. */
            mode: z.enum(["full", "shards"], { error: "expected 'full' or 'shards'" }).default("full"),
            timeoutSeconds: int(10, 86400, "seconds").default(3600),
        })
        .prefault({}),
    /** How `pulumi up` reaches the origins to roll out a new hashstate (the key is dataplat:sshPrivateKey). */
    ssh: z
        .strictObject({
            user: z
                .string()
                .regex(/^[a-z_][a-z0-9_-]*$/, "expected a user name")
                .default("ec2-user"),
            port: int(1, 65535, "a port").default(22),
        })
        .prefault({}),
    /**
     * Which Kraken runs (ops/origin/kraken.ts): released (v0.1.x to master: cluster.static, uniform weights, no
     * repair endpoint) or runbook (the runbook's hashstate and POST /repair).
     */
    kraken: z.enum(["released", "runbook"], { error: "expected 'released' or 'runbook'" }).default("released"),
    /**
     * Where each origin reads its ring: the runbook's hashstate file, or (released) the file the origin is started
     * with, which extends baseConfig. Default /etc/kraken/origin/hashstate.yaml (runbook) or cluster.yaml (released).
     */
    configPath: z
        .string()
        .regex(/^\/[A-Za-z0-9._/-]+$/, "expected an absolute file path")
        .optional(),
    /** released: the rest of the origin's Kraken configuration, which the rendered ring file extends (relative: next to it). */
    baseConfig: z
        .string()
        .regex(/^[A-Za-z0-9._/-]+$/, "expected a file path")
        .default("base.yaml"),
    /**
     * released: where the repair learns which blobs exist (the namespace's backend listing, a JSON array of names)
     * and the Kraken namespace it reads them through. Needed by any update that changes the ring.
     */
    inventory: z
        .strictObject({
            namespace: z.string().regex(/^[A-Za-z0-9._/-]+$/, "expected a Kraken namespace"),
            listUrl: z.url({ error: "expected an http(s) URL" }),
        })
        .optional(),
    serviceName: z
        .string()
        .regex(/^[A-Za-z0-9@._-]+$/, "expected a systemd unit name")
        .default("kraken-origin"),
    restart: z
        .strictObject({
            /** Path answered by a healthy origin. */
            healthPath: z
                .string()
                .regex(/^\/[A-Za-z0-9._/-]*$/, "expected an absolute URL path such as /health")
                .default("/health"),
            timeoutSeconds: int(10, 3600, "seconds").default(600),
        })
        .prefault({}),
});
export type OriginSectionConfig = z.infer<typeof OriginSection>;

export const StackConfigSchema = z
    .strictObject({
        environment: Environment,
        /** Prefix of every physical name, e.g. "activedata". */
        prefix: resourceName,
        network: Network,
        hosts: Hosts,
        queues: z.record(resourceName, Queue, { error: "expected a map of queue name to queue settings" }),
        buckets: z.record(resourceName, Bucket, { error: "expected a map of bucket name to bucket settings" }),
        alerting: Alerting.default({ emails: [] }),
        /** Kraken-style origin cluster (optional). */
        origin: OriginSection.optional(),
        /** Elasticsearch/OpenSearch cluster with drain-safe node replacement (optional). */
        search: SearchClusterConfig.optional(),
        /** Budget-capped EC2 spot fleets by name, e.g. etl (optional). */
        spotFleets: z.record(resourceName, SpotFleetConfigSchema, { error: "expected a map of fleet name to fleet settings" }).optional(),
        /** Koverse's layered Hadoop/Accumulo platform (optional). */
        platform: platformConfigSchema.optional(),
        /** Triton-style headnode and compute nodes (optional). */
        controlPlane: controlPlaneSchema.optional(),
        /** The runbook's "Emergency Procedures" as one switch (ops/emergency; optional: absent = not active). */
        emergency: EmergencyConfigSchema.optional(),
    })
    .superRefine((cfg, ctx) => {
        const subnetCount = cfg.network.subnets.length;
        for (const [name, host] of Object.entries(cfg.hosts)) {
            if (typeof host === "object" && host.subnet >= subnetCount) {
                ctx.addIssue({ code: "custom", path: ["hosts", name, "subnet"], message: `expected an index into network.subnets (0-${subnetCount - 1})` });
            }
        }
        if (!Object.values(cfg.buckets).some((b) => b.purpose === "backup")) {
            ctx.addIssue({ code: "custom", path: ["buckets"], message: "expected at least one bucket with purpose 'backup' (the runbooks' backups go there)" });
        }
    });

export type StackConfig = z.infer<typeof StackConfigSchema>;
