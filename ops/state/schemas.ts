/**
 * The schema of each section's snapshot in the `deployed` stack output: exactly what the section's
 * define() records (stacks/sections/*), parsed by readSnapshot (ops/state/snapshot.ts) in both
 * refusals() and define(). Pure.
 *
 * Values come back through the engine's property maps, so a `null` recorded in an object may come
 * back absent: nullable fields accept both and read as null.
 */
import { z } from "zod";
import { controlPlaneSchema } from "../controlplane/config";
import { hashstateSchema } from "../origin/hashstate";
import { platformConfigSchema } from "../platform/config";
import { SearchClusterConfig } from "../search/schema";

const nullable = <T extends z.ZodType>(t: T) =>
    t
        .nullable()
        .optional()
        .transform((v) => v ?? null);

/** `deployed.origin` (ops/origin/plan.ts DeployedOrigin). */
export const originSnapshotSchema = z.strictObject({
    hashstate: hashstateSchema,
    replicas: z.number().int().positive(),
    port: z.number().int().min(1).max(65535),
    /** Each origin's machine inputs; absent in snapshots of dataplat before it recorded them. */
    machines: z
        .record(
            z.string(),
            z.strictObject({ image: z.string(), subnetId: z.string(), instanceType: z.string(), rootVolumeGiB: z.number(), dataVolumeGiB: z.number() }),
        )
        .optional(),
});

/** One entry of `deployed.spotFleets` (ops/spot/shrink.ts DeployedSpotFleet, recorded by ops/spot/plan.ts). */
export const spotFleetSnapshotSchema = z.strictObject({
    targetCapacity: z.number().int().min(0),
    budget: z.number().min(0),
    spendCeiling: nullable(z.number().positive()),
    interruptionBehavior: z.string().min(1),
    /** Prices and instance counts of the deployed plan, and the tier; absent in snapshots before they were recorded. */
    prices: z.record(z.string(), z.number().positive()).optional(),
    counts: z.record(z.string(), z.number().int().min(0)).optional(),
    tier: z.string().min(1).optional(),
});
/** `deployed.spotFleets`: fleet name -> snapshot. */
export const spotFleetsSnapshotSchema = z.record(z.string(), spotFleetSnapshotSchema);

/** `deployed.platform`: the platform config with every host's image and subnet resolved. */
export const platformSnapshotSchema = platformConfigSchema;

/** `deployed.controlPlane`: the control-plane config with every host's image and subnet resolved. */
export const controlPlaneSnapshotSchema = controlPlaneSchema;

const searchReplacingSchema = z.strictObject({
    image: z.string(),
    instanceType: z.string(),
    subnetId: z.string(),
    spot: z.boolean(),
    rootVolumeGiB: z.number(),
    dataVolumeGiB: nullable(z.number()),
    userData: z.string(),
});

const searchNodeSnapshotSchema = z.strictObject({
    name: z.string().min(1),
    nodeName: z.string().min(1),
    role: z.enum(["coordinator", "cluster-manager", "backup", "spot"]),
    data: z.boolean(),
    clusterManager: z.boolean(),
    heap: z.string(),
    replacing: searchReplacingSchema,
    replacementKey: z.string().min(1),
    configKey: z.string().min(1),
    /** The node's resource identity; absent in snapshots of dataplat before node identities. */
    identity: z.string().min(1).optional(),
    /** The heap the machine booted with; absent for machines that booted on a default heap (ops/search/boot.ts). */
    bootHeap: z.string().min(1).optional(),
    /** Whether the node's bounce Command is declared; absent for machines that booted on a default heap. */
    bounce: z.boolean().optional(),
});

/** `deployed.search` (ops/search/snapshot.ts DeployedSearch). */
export const searchSnapshotSchema = z.strictObject({
    config: SearchClusterConfig,
    bootstrap: z.array(z.string().min(1)).min(1),
    nodes: z.array(searchNodeSnapshotSchema),
});

/** deployed.emergency (ops/emergency/steps.ts DeployedEmergency): whether the switch was on, and which fleets it held. */
export const emergencySnapshotSchema = z.strictObject({
    active: z.boolean(),
    since: z.string().nullable(),
    reason: z.string().nullable(),
    etlFleets: z.array(z.string()),
});
