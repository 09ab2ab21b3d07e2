import * as command from "@pulumi/command";
import * as pulumi from "@pulumi/pulumi";
import { createHash } from "node:crypto";
import type { OriginSectionConfig } from "../../ops/config/schema";
import type { Hashstate } from "../../ops/origin/hashstate";
import { ORIGIN_DATA_DEVICE, originSubnetIndex, type OriginMachine } from "../../ops/origin/machines";
import { planOriginUpdate, repairScript, shardMovement, shardRepairPlan } from "../../ops/origin/repair";
import { originRolloutScript } from "../../ops/origin/rollout";
import { Host } from "../compute/Host";

export interface DeployedOrigin {
    readonly hashstate: Hashstate;
    readonly replicas: number;
    readonly port: number;
    /** Each origin's machine inputs (ops/origin/machines.ts); absent in snapshots of dataplat before it recorded them. */
    readonly machines?: Record<string, OriginMachine>;
}

export interface OriginClusterArgs {
    /**
     * The validated `origin` config. Plain values rather than Inputs: the rollout and repair order
     * are decided from them while the program runs (ops/origin), as pulumi-eks does with its config.
     */
    readonly cluster: OriginSectionConfig;
    /** The hashstate deployed now (from the stack's `deployed.origin` output); undefined on the first deployment. */
    readonly previous?: DeployedOrigin;
    readonly imageId: string;
    readonly subnets: readonly { readonly id: string; readonly availabilityZone: string }[];
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
 *    first, a new origin last): write the new hashstate, restart, wait for the health check. A
 *    failure stops the update: later origins keep the old hashstate and no repair runs.
 * 3. Repairs, one at a time after the last rollout, in the runbook's order for the change class
 *    (add: every origin, older first, the new one last; re-weight: every origin; remove: the
 *    remaining ones; replace-host: only the new host), as `POST /repair` (or, with repair.mode
 *    shards, `POST /repair/shard/<id>` for just the shards whose replica set changed). A failed
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
        const plan = planOriginUpdate(args.previous?.hashstate ?? next, next);
        // The origin section refuses the same change (classifyChange) before any resource is
        // registered; this assert runs before the component registers anything, so it cannot be the
        // first to fire after other resources were created.
        if (plan.change.kind === "refused") throw new pulumi.RunError(`origin.hashstate: ${plan.change.message}`);
        super("dataplat:origin:OriginCluster", name, {}, opts);

        const hosts: Record<string, Host> = {};
        for (const host of Object.keys(next)) {
            hosts[host] = new Host(
                `${name}-${host}`,
                {
                    imageId: args.imageId,
                    instanceType: c.instanceType,
                    subnetId: args.subnets[originSubnetIndex(host, args.subnets.length)].id,
                    securityGroupIds: [args.securityGroupId],
                    instanceProfileName: args.instanceProfileName,
                    rootVolumeGiB: c.rootVolumeGiB,
                    dataVolumes: [{ deviceName: ORIGIN_DATA_DEVICE, sizeGiB: c.dataVolumeGiB }],
                    associatePublicIp: false,
                    generation: 0,
                    tier: "origin",
                },
                { parent: this },
            );
        }

        const rolloutScript = originRolloutScript({
            hashstate: next,
            replicas: c.replicas,
            port: c.port,
            configPath: c.configPath,
            serviceName: c.serviceName,
            healthPath: c.restart.healthPath,
            timeoutSeconds: c.restart.timeoutSeconds,
        });
        // Every origin has its rollout command; they run in the plan's order (older origins first, a
        // new one last), and in config order on the first deployment or when nothing changes.
        const planned = args.previous ? plan.rollingRestart.filter((h) => h in next) : [];
        const rollingOrder = [...planned, ...Object.keys(next).filter((h) => !planned.includes(h))];
        let last: pulumi.Resource | undefined;
        const commands: (command.remote.Command | command.local.Command)[] = [];
        for (const host of rollingOrder) {
            const rollout = new command.remote.Command(
                `${name}-${host}-rollout`,
                {
                    connection: { host: hosts[host].privateIp, user: c.ssh.user, port: c.ssh.port, privateKey: args.sshPrivateKey },
                    create: "bash -s",
                    stdin: rolloutScript,
                },
                { parent: this, dependsOn: last ? [last] : [] },
            );
            commands.push(rollout);
            last = rollout;
        }

        const digest = createHash("sha256").update(JSON.stringify([next, c.replicas])).digest("hex").slice(0, 16);
        const steps = this.repairSteps(args, plan.repairs.map((r) => r.host));
        steps.forEach((step, i) => {
            const repair = new command.local.Command(
                `${name}-repair-${i}-${step.host}`,
                {
                    create: hosts[step.host].privateIp.apply((ip) =>
                        repairScript({ host: ip, port: c.port, timeoutSeconds: c.repair.timeoutSeconds, ...(step.shards ? { shards: step.shards } : {}) }),
                    ),
                    interpreter: ["/bin/bash", "-c"],
                    triggers: [digest],
                },
                { parent: this, dependsOn: last ? [last] : [] },
            );
            commands.push(repair);
            last = repair;
        });

        this.hostIps = Object.fromEntries(Object.entries(hosts).map(([h, host]) => [h, host.privateIp]));
        this.commandStdout = commands.map((c) => c.stdout);
        this.registerOutputs({ hostIps: this.hostIps });
    }

    /** Full repairs in the runbook's order, or shard-targeted ones when configured. */
    private repairSteps(args: OriginClusterArgs, fullOrder: readonly string[]): { host: string; shards?: readonly string[] }[] {
        const c = args.cluster;
        if (!args.previous || fullOrder.length === 0) return [];
        if (c.repair.mode === "full") return fullOrder.map((host) => ({ host }));
        const movement = shardMovement(args.previous.hashstate, c.hashstate as Hashstate, c.replicas);
        const shardPlan = shardRepairPlan(c.hashstate as Hashstate, movement);
        return shardPlan.repairs.map((r) => ({ host: r.host, shards: r.shards }));
    }
}
