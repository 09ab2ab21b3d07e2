import * as command from "@pulumi/command";
import * as pulumi from "@pulumi/pulumi";
import type { OriginSectionConfig } from "../../ops/config/schema";
import type { Hashstate } from "../../ops/origin/hashstate";
import { fillScript } from "../../ops/origin/fill";
import { memberAddress } from "../../ops/origin/kraken";
import { ORIGIN_DATA_DEVICE } from "../../ops/origin/machines";
import type { OriginStackPlan } from "../../ops/origin/plan";
import { repairScript } from "../../ops/origin/scripts";
import { Host } from "../compute/Host";

export type { DeployedOrigin } from "../../ops/origin/plan";

export interface OriginClusterArgs {
    /**
     * The validated `origin` config. Plain values rather than Inputs: the plan is decided from them while the
     * program runs (ops/origin/plan.ts), as pulumi-eks does with its config.
     */
    readonly cluster: OriginSectionConfig;
    /**
     * This update's plan (ops/origin/plan.ts originPlan): each origin's machine, its rollout script, the rollout
     * order, the repair steps and their trigger, all decided there only.
     */
    readonly plan: OriginStackPlan;
    readonly securityGroupId: pulumi.Input<string>;
    readonly instanceProfileName: pulumi.Input<string>;
    /** SSH key used to roll the hashstate out to the origins (a Pulumi secret). */
    readonly sshPrivateKey: pulumi.Input<string>;
}

/**
 * A Kraken origin cluster placed by rendezvous hashing, changed the way the runbook says.
 *
 * Order within one `pulumi up` (all edges are dependsOn, so the engine cannot reorder them):
 * 1. Hosts: a new origin's instance is created first (each rollout command depends on its host).
 * 2. Rolling restart, one origin at a time (each rollout depends on the previous one, older origins
 *    first, a new origin last): write the new ring (the runbook's hashstate, or released Kraken's
 *    cluster.static and hashring.max_replica), restart, wait for the health check. A
 *    failure stops the update: later origins keep the old hashstate and no repair runs.
 * 3. Repairs, one at a time after the last rollout, as the plan (ops/origin/plan.ts) lists them:
 *    origin.kraken runbook: `POST /repair` in the runbook's order (or `POST /repair/shard/<id>`);
 *    released: one fill-and-cleanup command over the changed shards (ops/origin/fill.ts). A failed
 *    repair exits non-zero and stops the update.
 * 4. At the end of the update the engine deletes what left the config (a removed or replaced host).
 * Repair commands are keyed by the new hashstate, so each change re-runs them once; an update that
 * does not change the hashstate runs none.
 */
export class OriginCluster extends pulumi.ComponentResource {
    /** Private IP per physical host name. */
    public readonly hostIps: Record<string, pulumi.Output<string>>;
    /**
     * The stdout of every rollout and repair command, in run order: each resolves only once its command
     * completed in this update (or at once when it did not need to run), so the stack's `deployed`
     * baseline can wait for them.
     */
    public readonly commandStdout: pulumi.Output<string>[];

    constructor(name: string, args: OriginClusterArgs, opts?: pulumi.ComponentResourceOptions) {
        const c = args.cluster;
        const next = c.hashstate as Hashstate;
        const plan = args.plan.update;
        // The origin section refuses (plan.refusals) before any resource is registered; this assert runs
        // before the component registers anything, so it cannot be the first to fire after other resources.
        if (plan.refusals.length > 0) throw new pulumi.RunError(plan.refusals.join("\n"));
        super("dataplat:origin:OriginCluster", name, {}, opts);

        const hosts: Record<string, Host> = {};
        for (const host of Object.keys(next)) {
            const machine = args.plan.machines[host];
            hosts[host] = new Host(
                `${name}-${host}`,
                {
                    imageId: machine.image,
                    instanceType: machine.instanceType,
                    subnetId: machine.subnetId,
                    securityGroupIds: [args.securityGroupId],
                    instanceProfileName: args.instanceProfileName,
                    rootVolumeGiB: machine.rootVolumeGiB,
                    dataVolumes: [{ deviceName: ORIGIN_DATA_DEVICE, sizeGiB: machine.dataVolumeGiB }],
                    associatePublicIp: false,
                    generation: 0,
                    tier: "origin",
                },
                { parent: this },
            );
        }

        // Every origin has its rollout command, chained in the plan's order (older origins first, a new one last).
        let last: pulumi.Resource | undefined;
        const commands: (command.remote.Command | command.local.Command)[] = [];
        for (const host of plan.rollingRestart) {
            const rollout = new command.remote.Command(
                `${name}-${host}-rollout`,
                {
                    connection: { host: hosts[host].privateIp, user: c.ssh.user, port: c.ssh.port, privateKey: args.sshPrivateKey },
                    create: "bash -s",
                    stdin: args.plan.rolloutScripts[host],
                },
                { parent: this, dependsOn: last ? [last] : [] },
            );
            commands.push(rollout);
            last = rollout;
        }

        const digest = args.plan.repairTrigger;
        plan.repairs.forEach((step, i) => {
            let repair: command.local.Command;
            if (step.kind === "fill") {
                const inventory = c.inventory!;
                const hostNames = Object.keys(next);
                repair = new command.local.Command(
                    `${name}-repair-${i}-fill`,
                    {
                        create: "/bin/bash -s",
                        stdin: pulumi.all(hostNames.map((h) => hosts[h].privateIp)).apply((ips) =>
                            fillScript({
                                origins: hostNames.map((h, k) => ({ host: h, member: memberAddress(h, c.port), url: `http://${ips[k]}:${c.port}` })),
                                plan: step.plan,
                                namespace: inventory.namespace,
                                listUrl: inventory.listUrl,
                                timeoutSeconds: c.repair.timeoutSeconds,
                            }),
                        ),
                        triggers: [digest],
                    },
                    { parent: this, dependsOn: last ? [last] : [] },
                );
            } else {
                repair = new command.local.Command(
                    `${name}-repair-${i}-${step.host}`,
                    {
                        create: hosts[step.host].privateIp.apply((ip) =>
                            repairScript({
                                host: ip,
                                port: c.port,
                                timeoutSeconds: c.repair.timeoutSeconds,
                                ...(step.kind === "shard-repair" ? { shards: step.shards } : {}),
                            }),
                        ),
                        interpreter: ["/bin/bash", "-c"],
                        triggers: [digest],
                    },
                    { parent: this, dependsOn: last ? [last] : [] },
                );
            }
            commands.push(repair);
            last = repair;
        });

        this.hostIps = Object.fromEntries(Object.entries(hosts).map(([h, host]) => [h, host.privateIp]));
        this.commandStdout = commands.map((c) => c.stdout);
        this.registerOutputs({ hostIps: this.hostIps });
    }
}
