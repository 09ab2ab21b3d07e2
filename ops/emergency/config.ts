/**
 * `dataplat:emergency`: the runbook's "Emergency Procedures" as one switch (caring-for-activedata.md). The
 * defaults are the runbook's: the esShardBalancer on the **manager** machine, `gunicorn` under supervisor on the
 * Frontend machine, `push-to-es` under supervisor on every ES spot instance ("10 machines at a time"), and the
 * ETL fleets' price "set to zero". Pure: no Pulumi, no I/O.
 */
import { z } from "zod";

const int = (min: number, max: number, what: string) =>
    z
        .number({ error: `expected ${what}` })
        .int(`expected ${what}`)
        .min(min, `expected ${what} >= ${min}`)
        .max(max, `expected ${what} <= ${max}`);

/** A supervisor program or systemd unit name: also the text that goes on the remote command line. */
const processName = z
    .string({ error: "expected a program or unit name" })
    .regex(/^[A-Za-z0-9][A-Za-z0-9_.@:-]{0,127}$/, "expected a program or unit name (letters, digits, _ . @ : -)");
const hostName = z.string({ error: "expected a host name of the stack" }).regex(/^[a-z][a-z0-9-]*$/, "expected a host name of the stack");
const indexPattern = z
    .string({ error: "expected an index pattern" })
    .regex(/^[a-z0-9*][a-z0-9_*.+-]*$/, "expected an index pattern such as unittest* (lowercase, no comma)");

/** How a process is controlled on its host: `supervisorctl` (the runbook's `sudo supervisorctl`) or `systemctl`. */
export const ProcessKind = z.enum(["supervisor", "systemd"], { error: "expected 'supervisor' or 'systemd'" });
export type ProcessKind = z.infer<typeof ProcessKind>;

export const EmergencyConfigSchema = z
    .strictObject({
        /** true: stop everything in the runbook's order and keep it stopped. false (or no key): resume. */
        active: z.boolean({ error: "expected true or false" }),
        /** Why: shown in the plan and the stack outputs. Required while active. */
        reason: z.string({ error: "expected a reason" }).trim().max(500, "expected at most 500 characters").optional(),
        /** When the emergency began (ISO 8601), shown in the plan and the stack outputs. */
        since: z.iso.datetime({ error: "expected an ISO 8601 time such as 2024-05-01T03:00:00Z", offset: true }).optional(),
        /** "Stop the esShardBalancer": a supervisor program or systemd unit on one host of `hosts`. */
        balancer: z
            .strictObject({ host: hostName.default("manager"), kind: ProcessKind.default("supervisor"), name: processName.default("esShardBalancer") })
            .prefault({}),
        /** "Stop the FrontEnd": `stop gunicorn` in supervisorctl on each of these hosts. */
        frontend: z
            .strictObject({
                hosts: z.array(hostName).min(1, "expected at least one host").default(["frontend"]),
                kind: ProcessKind.default("supervisor"),
                name: processName.default("gunicorn"),
            })
            .prefault({}),
        /** "Stopping ingestion": `push-to-es` on every ES spot node (search.spotNodes by name; default all), batchSize at a time. */
        ingestion: z
            .strictObject({
                nodes: z.array(z.string().min(1)).optional(),
                kind: ProcessKind.default("supervisor"),
                name: processName.default("push-to-es"),
                batchSize: int(1, 200, "a batch size").default(10),
            })
            .prefault({}),
        /** "Stopping ETL": these spotFleets (tier etl; default every etl fleet) go to capacity 0; their budgets stay. */
        etl: z.strictObject({ fleets: z.array(z.string().min(1)).optional() }).prefault({}),
        /** Each resume gate waits with progress up to timeoutSeconds, polling every pollSeconds, and fails closed. */
        gates: z.strictObject({ timeoutSeconds: int(10, 86400, "seconds").default(1800), pollSeconds: int(1, 600, "seconds").default(10) }).prefault({}),
        /** "the recent indexes": the indexes matching these patterns created in the last windowHours. */
        recentIndexes: z
            .strictObject({
                patterns: z.array(indexPattern).min(1, "expected at least one pattern").default(["*"]),
                windowHours: int(1, 24 * 60, "hours").default(24),
            })
            .prefault({}),
        /** How the stop and resume scripts reach the hosts (the key is dataplat:sshPrivateKey). */
        ssh: z
            .strictObject({
                user: z
                    .string()
                    .regex(/^[a-z_][a-z0-9_-]*$/, "expected a user name")
                    .default("ec2-user"),
                port: int(1, 65535, "a port").default(22),
                /** Prefix supervisorctl/systemctl with `sudo -n` (the runbook's `sudo supervisorctl`). */
                sudo: z.boolean({ error: "expected true or false" }).default(true),
                /** supervisorctl -c: the supervisord.conf to talk to (default: supervisorctl's own search). */
                supervisorConfig: z
                    .string()
                    .regex(/^\/[A-Za-z0-9._/-]+$/, "expected an absolute file path")
                    .optional(),
            })
            .prefault({}),
        /** Seconds a stop or start may take on one host before the step fails. */
        processTimeoutSeconds: int(5, 3600, "seconds").default(120),
    })
    .superRefine((c, ctx) => {
        if (c.active && (c.reason === undefined || c.reason === "")) {
            ctx.addIssue({
                code: "custom",
                path: ["reason"],
                message: "say why: the reason is shown in the plan and the stack outputs while the emergency is active",
            });
        }
    });

export type EmergencyConfig = z.infer<typeof EmergencyConfigSchema>;
