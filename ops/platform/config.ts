/**
 * The platform config: hosts (stable names, replaced when `generation` is bumped) and the services
 * of the Koverse run book placed on them. Unknown keys are errors; every problem names its path.
 * The SSH private key is a Pulumi secret handled by the component, never part of this document.
 */
import { z } from "zod";
import { backupStamp, maxClockSkewSeconds } from "../shared/backup-settings";
import { hostName, hostSchema, sshSchema } from "../shared/hosts";
import { parseOrThrow, s3Prefix, strictRecord } from "../shared/zod";
import { SERVICE_NAMES, SERVICES, type PlacementKey, type ServiceName } from "./services";

const hosts = (min: number, what: string) => z.array(hostName).min(min, `expected at least ${min} host${min > 1 ? "s" : ""} for ${what}`);

export const servicesSchema = strictRecord({
    postgres: hostName,
    zookeeper: hosts(1, "ZooKeeper"),
    journalnodes: hosts(1, "HDFS JournalNodes").optional(),
    namenodes: hosts(1, "the HDFS NameNode").max(2, "expected 1 NameNode, or 2 for HA"),
    datanodes: hosts(1, "HDFS DataNodes"),
    resourcemanagers: hosts(1, "the YARN ResourceManager").max(2, "expected 1 ResourceManager, or 2 for HA"),
    nodemanagers: hosts(1, "YARN NodeManagers"),
    accumuloMasters: hosts(1, "the Accumulo master"),
    tabletServers: hosts(1, "Accumulo tablet servers"),
    kafkaBrokers: hosts(1, "Kafka brokers").optional(),
    spark: hosts(1, "Spark").optional(),
    accumuloMonitor: hostName,
    accumuloGc: hostName,
    applicationServer: hostName,
    webApp: hostName,
});

const unitName = z.string().regex(/^[A-Za-z0-9@._:-]+$/, "expected a systemd unit name");
export const unitsSchema = strictRecord(
    Object.fromEntries(SERVICE_NAMES.map((n) => [n, unitName.optional()])) as Record<ServiceName, z.ZodOptional<typeof unitName>>,
);

const s3Bucket = z.string().regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, "expected an S3 bucket name");
const absolutePath = z.string().regex(/^\/[A-Za-z0-9._/-]*$/, "expected an absolute path");

/** The run book's "Backup and Recovery": pg_dump, Accumulo exporttable of kv_*, config dirs, HDFS addons. */
export const platformBackupSchema = strictRecord({
    /** Defaults to the stack's backup bucket (the first bucket with purpose "backup"). */
    bucket: s3Bucket.optional(),
    prefix: s3Prefix.default("koverse"),
    metadataDatabase: z
        .string()
        .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "expected a database name")
        .default("koverse"),
    postgresUser: z.string().min(1).default("postgres"),
    accumuloUser: z.string().min(1).default("root"),
    /** HDFS directory under which exporttable writes before distcp copies to the bucket. */
    hdfsExportDir: absolutePath.default("/backup/accumulo-export"),
    addonsDir: absolutePath.default("/koverse/kv/addons"),
    /** A restore refuses a backup older than this. */
    maxAgeMinutes: z
        .number()
        .int()
        .positive("expected minutes > 0")
        .default(24 * 60),
    /** Minutes between two runs of each backup (systemd timers on the hosts). */
    periodMinutes: z
        .number()
        .int("expected whole minutes")
        .positive("expected minutes > 0")
        .default(12 * 60),
    maxClockSkewSeconds,
    /**
     * Restore the metadata database on the PostgreSQL host from the newest complete backup unit (or
     * exactly `acceptBackupStamp`). Runs once, when this key is added or the PostgreSQL host is
     * replaced, and only into an absent database; remove the key after the restore.
     */
    restore: strictRecord({ acceptBackupStamp: backupStamp.optional() }).optional(),
}).superRefine((backup, ctx) => {
    if (backup.periodMinutes >= backup.maxAgeMinutes) {
        ctx.addIssue({
            code: "custom",
            path: ["periodMinutes"],
            message: `a backup every ${backup.periodMinutes} minutes cannot keep the latest one younger than maxAgeMinutes (${backup.maxAgeMinutes}); a restore would refuse it. Use a period below ${backup.maxAgeMinutes}`,
        });
    }
});

export const platformConfigSchema = strictRecord({
    ssh: sshSchema.default({ user: "ec2-user", port: 22 }),
    hosts: z.array(hostSchema).min(1, "expected at least one host"),
    services: servicesSchema,
    units: unitsSchema.optional(),
    backup: platformBackupSchema.optional(),
}).superRefine((config, ctx) => {
    const names = new Set<string>();
    config.hosts.forEach((h, i) => {
        if (names.has(h.name))
            ctx.addIssue({ code: "custom", path: ["hosts", i, "name"], message: `duplicate host name "${h.name}"; host names must be unique` });
        names.add(h.name);
    });
    const declared = [...names].join(", ");
    for (const spec of SERVICES) {
        const value = config.services[spec.placement];
        if (value === undefined) continue;
        const list = typeof value === "string" ? [value] : value;
        const seen = new Set<string>();
        list.forEach((host, i) => {
            const path = typeof value === "string" ? ["services", spec.placement] : ["services", spec.placement, i];
            if (!names.has(host))
                ctx.addIssue({ code: "custom", path, message: `unknown host "${host}" for ${spec.title}; expected one of the hosts: ${declared}` });
            if (seen.has(host)) ctx.addIssue({ code: "custom", path, message: `${spec.title} is placed on "${host}" twice; expected each host once` });
            seen.add(host);
        });
    }
    const { namenodes, journalnodes } = config.services;
    if (namenodes.length === 2 && (journalnodes === undefined || journalnodes.length < 3 || journalnodes.length % 2 === 0)) {
        ctx.addIssue({
            code: "custom",
            path: ["services", "journalnodes"],
            message: `HA NameNodes need an odd number (at least 3) of HDFS JournalNodes for a write quorum; got ${journalnodes?.length ?? 0}`,
        });
    }
});

export type PlatformConfigInput = z.input<typeof platformConfigSchema>;
export type PlatformConfig = z.output<typeof platformConfigSchema>;
export type PlatformHost = PlatformConfig["hosts"][number];
export type PlatformBackup = z.output<typeof platformBackupSchema>;

/** Parse a platform config or throw a ConfigError listing every `path: problem`. */
export function parsePlatformConfig(input: unknown): PlatformConfig {
    return parseOrThrow("platform config", platformConfigSchema, input);
}

/** The hosts a placement puts its service on (in config order). */
export function placedHosts(config: PlatformConfig, placement: PlacementKey): readonly string[] {
    const value = config.services[placement];
    if (value === undefined) return [];
    return typeof value === "string" ? [value] : value;
}

/** The systemd unit that runs `service` (config override or the packaging default). */
export function unitFor(config: PlatformConfig, service: ServiceName): string {
    return config.units?.[service] ?? SERVICES.find((s) => s.name === service)!.defaultUnit;
}
