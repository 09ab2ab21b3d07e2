/**
 * What `status` checks, decided from the stack file's config and the outputs of the last update: the admin
 * endpoint, each queue's URL and time to data loss, each fleet's id and prices, the origins, the platform's
 * service instances and their units, the backup roots and ages, and every host SSH reaches. Where an output is
 * missing the target becomes an "unknown" finding here: the check could not run, it did not pass.
 */
import { type Finding, type Section, unknown } from "./findings";
import { headnodeBackupMaxAgeMinutes } from "./controlplane";
import type { StackConfig } from "../config/schema";
import { queueDataLossSeconds } from "../config/schema";
import { unitRoot } from "../controlplane/scripts";
import { clusterDocument, hashstateDocument, originConfigPath } from "../origin/rollout";
import { serviceInstances, type ServiceInstance } from "../platform/layers";
import { unitFor } from "../platform/config";
import { HIDDEN_SECRET, outputAt, type StackOutputs } from "../preflight/outputs";
import { type SearchEnvironment, searchTarget, type SearchTarget } from "../preflight/search";
import { type SshTarget, sshTargets } from "../preflight/ssh";
import type { Environment } from "../shared/hosts";
import type { ControlPlaneConfig } from "../controlplane/config";

export interface QueueTarget {
    readonly name: string;
    readonly url: string;
    readonly dataLossAfterSeconds: number;
    readonly alarmAtFraction: number;
}

export interface FleetTarget {
    readonly name: string;
    readonly fleetId: string;
    readonly maxPercentPerType: number;
    readonly budget: number;
    readonly spendCeiling: number | undefined;
    readonly prices: Readonly<Record<string, number>>;
}

export interface OriginTarget {
    readonly host: string;
    readonly ssh: SshTarget;
    readonly healthUrl: string;
    readonly configPath: string;
    readonly expectedConfig: string;
}

export interface BackupTarget {
    readonly section: Section;
    readonly subject: string;
    readonly bucket: string;
    readonly prefix: string;
    readonly maxAgeMinutes: number;
}

export interface StatusTargets {
    readonly region: string;
    readonly search?: { readonly target: SearchTarget; readonly expectedNode?: string };
    readonly queues: readonly QueueTarget[];
    readonly fleets: readonly FleetTarget[];
    readonly origins: readonly OriginTarget[];
    readonly platform?: { readonly instances: readonly (ServiceInstance & { readonly unit: string })[]; readonly hosts: readonly SshTarget[] };
    readonly controlPlane?: { readonly config: ControlPlaneConfig; readonly environment: Environment };
    readonly backups: readonly BackupTarget[];
    readonly hosts: readonly SshTarget[];
    /** Targets that could not be made (a missing or hidden output): each an "unknown" finding. */
    readonly problems: readonly Finding[];
}

const SHOW = "pass the outputs of `pulumi stack output --stack NAME --json --show-secrets` of the last complete update";
const str = (v: unknown): string | undefined => (typeof v === "string" && v !== "" && v !== HIDDEN_SECRET ? v : undefined);

export function statusTargets(a: {
    config: StackConfig;
    region: string;
    outputs: StackOutputs;
    sections: readonly Section[];
    env: SearchEnvironment;
}): StatusTargets {
    const { config, outputs } = a;
    const want = new Set(a.sections);
    const problems: Finding[] = [];
    const missing = (section: Section, check: string, subject: string, path: string) =>
        problems.push(unknown(section, check, subject, `the outputs have no ${path}`, SHOW));

    let search: StatusTargets["search"];
    if (want.has("search") && config.search) {
        const target = searchTarget({ configured: true, outputs, env: a.env });
        const expectedNode = str(outputAt(outputs, ["search", "endpointNode"]));
        search = { target, ...(expectedNode !== undefined ? { expectedNode } : {}) };
    }

    const queues: QueueTarget[] = [];
    if (want.has("queues")) {
        for (const [name, q] of Object.entries(config.queues)) {
            const url = str(outputAt(outputs, ["queueUrls", name]));
            if (url === undefined) missing("queues", "depth", name, `queueUrls.${name}`);
            else queues.push({ name, url, dataLossAfterSeconds: queueDataLossSeconds(q), alarmAtFraction: q.alarmAtFraction });
        }
    }

    const fleets: FleetTarget[] = [];
    if (want.has("fleets")) {
        for (const [name, f] of Object.entries(config.spotFleets ?? {})) {
            const fleetId = str(outputAt(outputs, ["spotFleets", name, "fleetId"]));
            if (fleetId === undefined) {
                missing("fleets", "capacity", name, `spotFleets.${name}.fleetId`);
                continue;
            }
            // The prices the last update planned with (its deployed snapshot), else the stack file's.
            const deployed = outputAt(outputs, ["deployed", "spotFleets", name, "prices"]);
            const prices = (typeof deployed === "object" && deployed !== null ? deployed : (f.prices ?? {})) as Record<string, number>;
            fleets.push({ name, fleetId, maxPercentPerType: f.maxPercentPerType, budget: f.budget, spendCeiling: f.spendCeiling, prices });
        }
    }

    const origins: OriginTarget[] = [];
    if (want.has("origin") && config.origin) {
        const o = config.origin;
        const configPath = originConfigPath(o.kraken, o.configPath);
        const expectedConfig =
            o.kraken === "runbook" ? hashstateDocument(o.hashstate, o.replicas) : clusterDocument(o.hashstate, o.replicas, o.port, o.baseConfig);
        for (const host of Object.keys(o.hashstate)) {
            const address = str(outputAt(outputs, ["origin", "hostIps", host]));
            if (address === undefined) {
                missing("origin", "health", host, `origin.hostIps.${host}`);
                continue;
            }
            // As the rollout asks it: the runbook's origin on its own loopback, released Kraken at its ring address.
            const healthUrl = o.kraken === "runbook" ? `http://127.0.0.1:${o.port}${o.restart.healthPath}` : `http://${host}:${o.port}${o.restart.healthPath}`;
            origins.push({ host, ssh: { section: "origin", host, address, user: o.ssh.user, port: o.ssh.port }, healthUrl, configPath, expectedConfig });
        }
    }

    let platform: StatusTargets["platform"];
    const backups: BackupTarget[] = [];
    const backupBucketName = Object.entries(config.buckets).find(([, b]) => b.purpose === "backup")?.[0];
    const bucketOf = (configured: string | undefined, section: Section, subject: string): string | undefined => {
        const bucket = configured ?? (backupBucketName !== undefined ? str(outputAt(outputs, ["bucketNames", backupBucketName])) : undefined);
        if (bucket === undefined) missing(section, "backup", subject, `bucketNames.${backupBucketName ?? "?"}`);
        return bucket;
    };
    if (want.has("platform") && config.platform) {
        const p = config.platform;
        const instances = serviceInstances(p).map((i) => ({ ...i, unit: unitFor(p, i.service) }));
        const hosts: SshTarget[] = [];
        for (const host of [...new Set(instances.map((i) => i.host))]) {
            const address = str(outputAt(outputs, ["platform", "hostIps", host]));
            if (address === undefined) missing("platform", "layer", host, `platform.hostIps.${host}`);
            else hosts.push({ section: "platform", host, address, user: p.ssh.user, port: p.ssh.port });
        }
        platform = { instances, hosts };
        if (p.backup) {
            const bucket = bucketOf(p.backup.bucket, "platform", "koverse");
            if (bucket !== undefined)
                backups.push({ section: "platform", subject: "koverse", bucket, prefix: p.backup.prefix, maxAgeMinutes: p.backup.maxAgeMinutes });
        }
    }

    let controlPlane: StatusTargets["controlPlane"];
    if (want.has("controlplane") && config.controlPlane) {
        const c = config.controlPlane;
        controlPlane = { config: c, environment: config.environment };
        const bucket = bucketOf(c.backup.bucket, "controlplane", "headnode");
        if (bucket !== undefined)
            backups.push({ section: "controlplane", subject: "headnode", bucket, prefix: unitRoot(c), maxAgeMinutes: headnodeBackupMaxAgeMinutes(c) });
    }

    let hosts: SshTarget[] = [];
    if (want.has("hosts")) {
        const reach = sshTargets(config, outputs);
        hosts = reach.targets;
        for (const line of reach.lines) if (!line.ok) problems.push(unknown("hosts", "disk", line.check.replace(/^ssh /, ""), line.detail, line.fix));
    }

    return {
        region: a.region,
        ...(search ? { search } : {}),
        queues,
        fleets,
        origins,
        ...(platform ? { platform } : {}),
        ...(controlPlane ? { controlPlane } : {}),
        backups,
        hosts,
        problems,
    };
}

/** Whether the targets need the SSH key ($DATAPLAT_SSH_KEY). */
export const needsSsh = (t: StatusTargets): boolean => t.origins.length > 0 || (t.platform?.hosts.length ?? 0) > 0 || t.hosts.length > 0;

/** Whether the targets call AWS (SQS, CloudWatch, EC2, S3, or SSM for the search admin password or CA). */
export const needsAws = (t: StatusTargets): boolean =>
    t.queues.length > 0 ||
    t.fleets.length > 0 ||
    t.backups.length > 0 ||
    (t.search?.target.kind === "endpoint" && (t.search.target.auth !== undefined || t.search.target.tls?.caParameter !== undefined));
