/**
 * The control plane of RFD 67 ("Triton headnode resilience"): one headnode, compute nodes in
 * availability zones, the HA "essential" services binder (ZooKeeper), manatee (PostgreSQL) and
 * moray placed on those hosts, and the periodic headnode backup whose period is the recovery point
 * objective ("This leaves the potential that you lose up to one $period of ... data").
 */
import { z } from "zod";
import { backupStamp, maxClockSkewSeconds } from "../shared/backup-settings";
import { hostName, hostSchema, sshSchema } from "../shared/hosts";
import { parseOrThrow, s3Prefix, strictRecord } from "../shared/zod";

export const ESSENTIALS = ["binder", "manatee", "moray"] as const;
export type Essential = (typeof ESSENTIALS)[number];

/** How recovery asks an essential instance whether it is healthy. */
export type HealthProbe = "zookeeper" | "postgres" | "tcp";

export const ESSENTIAL_SPECS: Readonly<Record<Essential, { readonly title: string; readonly port: number; readonly probe: HealthProbe }>> = {
    binder: { title: "binder (ZooKeeper)", port: 2181, probe: "zookeeper" },
    manatee: { title: "manatee (PostgreSQL)", port: 5432, probe: "postgres" },
    moray: { title: "moray", port: 2020, probe: "tcp" },
};

const essential = (name: Essential) =>
    strictRecord({
        hosts: z.array(hostName).min(1, `expected at least one host for ${ESSENTIAL_SPECS[name].title}`),
        port: z.number().int().min(1).max(65535, "expected a TCP port 1-65535").default(ESSENTIAL_SPECS[name].port),
    });

const absolutePath = z.string().regex(/^\/[A-Za-z0-9._/-]*[A-Za-z0-9._-]$/, "expected an absolute path without a trailing '/'");

export const controlPlaneSchema = strictRecord({
    ssh: sshSchema.default({ user: "root", port: 22 }),
    headnode: hostSchema,
    computeNodes: z.array(hostSchema).default([]),
    essentials: strictRecord({ binder: essential("binder"), manatee: essential("manatee"), moray: essential("moray") }),
    backup: strictRecord({
        /** Minutes between backups: the recovery point objective. */
        periodMinutes: z.number().int("expected whole minutes").positive("expected minutes > 0"),
        /** Defaults to the stack's backup bucket (the first bucket with purpose "backup"). */
        bucket: z
            .string()
            .regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, "expected an S3 bucket name")
            .optional(),
        prefix: s3Prefix.default("headnode"),
        /** IMGAPI local file storage (stor=local), tarred with every backup. */
        imageStoreDir: absolutePath.default("/var/imgapi/images"),
        /** The headnode PostgreSQL database dumped by the backup and restored by recovery. */
        database: strictRecord({
            name: z
                .string()
                .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "expected a database name")
                .default("moray"),
            port: z.number().int().min(1).max(65535).default(5432),
            user: z.string().min(1).default("postgres"),
        }).default({ name: "moray", port: 5432, user: "postgres" }),
        maxClockSkewSeconds,
    }),
    /** How the next recovery chooses its backup (passed to the recovery command's environment). */
    recovery: strictRecord({
        /** Restore exactly this unit, whatever its age (its manifest and checksums are still checked). */
        acceptBackupStamp: backupStamp.optional(),
    }).default({}),
}).superRefine((config, ctx) => {
    const names = new Set<string>([config.headnode.name]);
    config.computeNodes.forEach((h, i) => {
        if (names.has(h.name))
            ctx.addIssue({
                code: "custom",
                path: ["computeNodes", i, "name"],
                message: `duplicate host name "${h.name}"; the headnode and compute nodes need unique names`,
            });
        names.add(h.name);
    });
    const declared = [...names].join(", ");
    for (const name of ESSENTIALS) {
        const seen = new Set<string>();
        config.essentials[name].hosts.forEach((host, i) => {
            const path = ["essentials", name, "hosts", i];
            if (!names.has(host))
                ctx.addIssue({
                    code: "custom",
                    path,
                    message: `unknown host "${host}" for ${ESSENTIAL_SPECS[name].title}; expected the headnode or a compute node: ${declared}`,
                });
            if (seen.has(host))
                ctx.addIssue({ code: "custom", path, message: `${ESSENTIAL_SPECS[name].title} is placed on "${host}" twice; expected each host once` });
            seen.add(host);
        });
    }
});

export type ControlPlaneConfigInput = z.input<typeof controlPlaneSchema>;
export type ControlPlaneConfig = z.output<typeof controlPlaneSchema>;
export type ControlPlaneHost = ControlPlaneConfig["headnode"];

export function parseControlPlaneConfig(input: unknown): ControlPlaneConfig {
    return parseOrThrow("control plane config", controlPlaneSchema, input);
}

/** The config with backup.bucket filled in: the configured bucket, else `defaultBucket`. */
export function withBackupBucket(config: ControlPlaneConfig, defaultBucket: string): ControlPlaneConfig {
    return { ...config, backup: { ...config.backup, bucket: config.backup.bucket ?? defaultBucket } };
}

/** The bucket the backups go to; throws when neither config nor withBackupBucket set one. */
export function backupBucket(config: ControlPlaneConfig): string {
    const bucket = config.backup.bucket;
    if (bucket === undefined) throw new Error("control plane: backup.bucket is not set; fill in the stack's backup bucket with withBackupBucket");
    return bucket;
}

/**
 * Essentials recovery must probe that are not on a compute node: each essential off the headnode is
 * checked at a compute node's address, so a host that is neither is a config problem (its path, under
 * `controlPlane.`). The schema refuses unknown hosts already; this is the same rule as the recovery script
 * needs it, run by the plan on the resolved config (controlplane/essential-host) before any resource.
 */
export function essentialHostProblems(config: ControlPlaneConfig, computeNodeNames: Iterable<string>): { path: string; message: string }[] {
    const compute = new Set(computeNodeNames);
    const out: { path: string; message: string }[] = [];
    for (const name of ESSENTIALS) {
        config.essentials[name].hosts.forEach((host, i) => {
            if (host !== config.headnode.name && !compute.has(host)) {
                out.push({
                    path: `controlPlane.essentials.${name}.hosts[${i}]`,
                    message: `${ESSENTIAL_SPECS[name].title} on "${host}", which is not a compute node (nor the headnode): recovery could not probe it; expected one of: ${[config.headnode.name, ...compute].join(", ")}`,
                });
            }
        });
    }
    return out;
}

/** Every host by name: the headnode and the compute nodes. */
export function controlPlaneHosts(config: ControlPlaneConfig): Map<string, ControlPlaneHost> {
    return new Map([config.headnode, ...config.computeNodes].map((h) => [h.name, h]));
}
