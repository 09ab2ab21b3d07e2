import * as pulumi from "@pulumi/pulumi";
import { DeployedOrigin, OriginCluster } from "../../components/origin/OriginCluster";
import type { Hashstate } from "../../ops/origin/hashstate";
import { describeRepair, originUpdatePlan, type OriginPlan } from "../../ops/origin/plan";
import { replicasChangeRefusal } from "../../ops/origin/repair";
import type { OriginSectionConfig } from "../../ops/config/schema";
import { machineChangeRefusal, originMachines, type OriginMachine } from "../../ops/origin/machines";
import { originSnapshotSchema } from "../../ops/state/schemas";
import { readSnapshot, snapshotValue, type SnapshotRead } from "../../ops/state/snapshot";
import { StackSection } from "./section";

/**
 * The deployed origin snapshot (ops/state/schemas.ts), read fail closed: an unreadable one is a
 * refusal, never "nothing deployed" (which would skip the one-change-per-update guardrail).
 */
function deployedOrigin(previous: unknown): SnapshotRead<DeployedOrigin> {
    return readSnapshot<DeployedOrigin>("origin", originSnapshotSchema, previous);
}

/** Each origin's machine inputs, as OriginCluster gives them to its hosts. */
function machinesOf(config: OriginSectionConfig, imageId: string, subnets: readonly { readonly id: string }[]): Record<string, OriginMachine> {
    return originMachines(Object.keys(config.hashstate), config, imageId, subnets);
}

/** This update's plan, from the one place that decides it (ops/origin/plan.ts). */
function planOf(previous: DeployedOrigin | undefined, config: OriginSectionConfig): OriginPlan {
    return originUpdatePlan({
        previous: previous?.hashstate,
        next: config.hashstate as Hashstate,
        replicas: config.replicas,
        port: config.port,
        target: config.kraken,
        repairMode: config.repair.mode,
        hasInventory: config.inventory !== undefined,
    });
}

/** The Kraken origin cluster (config key `origin`). */
export const originSection: StackSection<"origin"> = {
    key: "origin",

    refusals(previous, next, cfg) {
        const read = deployedOrigin(previous);
        if (read.kind === "refused") return [read.message];
        if (read.kind === "first") return [...planOf(undefined, next).refusals];
        const prev = read.value;
        const out: string[] = [];
        const replicas = replicasChangeRefusal(prev.replicas, next.replicas);
        if (replicas) out.push(`origin.replicas: ${replicas}`);
        if (prev.port !== next.port) out.push(`origin.port: changing the origin port (${prev.port} -> ${next.port}) would cut every client at once; keep ${prev.port}`);
        out.push(...planOf(prev, next).refusals);
        if (prev.machines !== undefined) {
            const machines = machineChangeRefusal(prev.machines, machinesOf(next, cfg.hosts.imageId, cfg.network.subnets));
            if (machines) out.push(machines);
        }
        return out;
    },

    define(ctx, config) {
        if (!ctx.secrets.sshPrivateKey) {
            throw new pulumi.RunError("sshPrivateKey: required by the origin cluster (the hashstate is rolled out over SSH): run `pulumi config set --secret dataplat:sshPrivateKey < key.pem`");
        }
        const previous = snapshotValue(deployedOrigin(ctx.previous?.origin));
        const next = config.hashstate as Hashstate;
        const plan = planOf(previous, config);
        const cluster = new OriginCluster(
            ctx.name("origin"),
            {
                cluster: config,
                plan,
                imageId: ctx.imageId,
                subnets: ctx.network.subnets,
                securityGroupId: ctx.network.groupIds.origin,
                instanceProfileName: ctx.roles.origin.instanceProfileName,
                sshPrivateKey: ctx.secrets.sshPrivateKey,
            },
            ctx.providers.opts("origin"),
        );
        const movement = plan.movement;
        return {
            deployed: { hashstate: next, replicas: config.replicas, port: config.port, machines: machinesOf(config, ctx.imageId, ctx.network.subnets) } satisfies DeployedOrigin,
            outputs: { hostIps: cluster.hostIps },
            // The baseline moves once every rollout and repair of this update completed.
            gates: cluster.commandStdout,
            plan: plan.initial
                ? { change: "initial deployment", kraken: plan.target, rollingRestart: plan.rollingRestart, repairs: [] }
                : {
                      change: plan.change.kind,
                      kraken: plan.target,
                      rollingRestart: plan.change.kind === "none" ? [] : plan.rollingRestart,
                      repairs: plan.repairs.map(describeRepair),
                      ...(movement ? { movedFraction: movement.movedFraction, minimumFraction: movement.minimumFraction, changedShards: movement.changedShards } : {}),
                  },
        };
    },
};
