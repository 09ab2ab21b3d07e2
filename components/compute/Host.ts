import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { IMDS_V2, rootVolume } from "../../ops/compute/defaults";
import { comment, int, sh } from "../../ops/shared/shell";

export interface HostArgs {
    readonly imageId: pulumi.Input<string>;
    readonly instanceType: pulumi.Input<string>;
    readonly subnetId: pulumi.Input<string>;
    readonly securityGroupIds: pulumi.Input<pulumi.Input<string>[]>;
    readonly instanceProfileName: pulumi.Input<string>;
    readonly rootVolumeGiB: number;
    /** Public IPv4; off unless config says so (FSBP EC2.9). */
    readonly associatePublicIp: boolean;
    /**
     * Replacement counter: changing it (like changing the image or type) gives a new instance.
     * Part of the instance's user data, so the replacement is visible in `pulumi preview`.
     */
    readonly generation: number;
    readonly userData?: pulumi.Input<string>;
    readonly tier: string;
    /** Extra encrypted gp3 data volumes (search shards, origin blobs, HDFS blocks), deleted with the instance. */
    readonly dataVolumes?: readonly { readonly deviceName: string; readonly sizeGiB: number }[];
    /** Run as a one-time spot instance instead of on demand. */
    readonly spot?: { readonly interruptionBehavior: "terminate" | "stop" | "hibernate"; readonly maxPrice?: string };
    /**
     * What a user-data change does to a running host. "replace" (default): a new instance under the
     * same name. "keep": nothing (user data only runs at first boot); the change takes effect when the
     * host is next replaced. For hosts replaced as a new resource by name (the Triton headnode), so that
     * no edit can replace them under the same name.
     */
    readonly onUserDataChange?: "replace" | "keep";
    /**
     * Name in the user-data header and the Name tag; default: the resource name. Lets a host take a new resource
     * name (a new identity) without changing the user data of the instance already deployed under it.
     */
    readonly label?: string;
    /**
     * "replace": a change of instance type or root volume size gives a new instance, where the AWS provider would
     * otherwise stop, modify and start the running one (terraform-provider-aws internal/service/ec2/ec2_instance.go:
     * `instance_type` and `root_block_device.volume_size` are not ForceNew). For hosts that must never be stopped
     * under the platform's feet (search data nodes, one-time spot instances, which cannot be stopped at all).
     * Default "in-place": the provider's stop/start, with downtime.
     */
    readonly typeChange?: "in-place" | "replace";
    /**
     * Extra instance tags (never `Name` or `tier`), exposed to the instance through IMDS (instance metadata tags on):
     * what the first boot reads without it being user data (a search node's heap, ops/search/boot.ts). A tag
     * change is an in-place update (terraform-provider-aws internal/service/ec2/ec2_instance.go: transparent
     * tagging; `metadata_options`: ModifyInstanceMetadataOptions).
     */
    readonly bootTags?: Readonly<Record<string, pulumi.Input<string>>>;
}

/**
 * One on-demand host (frontend, manager, logger, headnode, compute node...) with the platform's
 * instance defaults: IMDSv2 with hop limit 1, encrypted gp3 root volume, no public IP unless asked,
 * explicit security groups (never the VPC default), and its tier's instance profile.
 * A `dependsOn` given to the Host applies to its instance (created after, deleted before those resources).
 */
export class Host extends pulumi.ComponentResource {
    public readonly instanceId: pulumi.Output<string>;
    /** The instance itself: commands whose delete protects its data are replaced with it (`replaceWith`). */
    public readonly instance: aws.ec2.Instance;
    public readonly privateIp: pulumi.Output<string>;

    constructor(name: string, args: HostArgs, opts?: pulumi.ComponentResourceOptions) {
        for (const k of Object.keys(args.bootTags ?? {})) {
            if (k === "Name" || k === "tier" || !/^[A-Za-z0-9_.:+=@-]+$/.test(k))
                throw new Error(`${name}: boot tag ${JSON.stringify(k)} is reserved or not readable through IMDS`);
        }
        super("dataplat:compute:Host", name, {}, opts);
        const label = args.label ?? name;
        const header = sh`#!/bin/bash
# dataplat host ${comment(label)} generation ${int(args.generation)}
`;
        const instance = new aws.ec2.Instance(
            `${name}`,
            {
                ami: args.imageId,
                instanceType: args.instanceType,
                subnetId: args.subnetId,
                vpcSecurityGroupIds: args.securityGroupIds,
                iamInstanceProfile: args.instanceProfileName,
                associatePublicIpAddress: args.associatePublicIp,
                metadataOptions: { ...IMDS_V2, ...(args.bootTags !== undefined ? { instanceMetadataTags: "enabled" } : {}) },
                rootBlockDevice: { ...rootVolume(args.rootVolumeGiB) },
                ebsBlockDevices: (args.dataVolumes ?? []).map((v) => ({ deviceName: v.deviceName, ...rootVolume(v.sizeGiB) })),
                ...(args.spot
                    ? {
                          instanceMarketOptions: {
                              marketType: "spot",
                              spotOptions: {
                                  spotInstanceType: "one-time",
                                  instanceInterruptionBehavior: args.spot.interruptionBehavior,
                                  ...(args.spot.maxPrice ? { maxPrice: args.spot.maxPrice } : {}),
                              },
                          },
                      }
                    : {}),
                userData: pulumi.output(args.userData ?? "").apply((u) => header + u),
                userDataReplaceOnChange: args.onUserDataChange !== "keep",
                tags: { ...(args.bootTags ?? {}), Name: label, tier: args.tier },
            },
            {
                parent: this,
                ...(opts?.dependsOn !== undefined ? { dependsOn: opts.dependsOn } : {}),
                ...(args.onUserDataChange === "keep" ? { ignoreChanges: ["userData"] } : {}),
                ...(args.typeChange === "replace" ? { replaceOnChanges: ["instanceType", "rootBlockDevice.volumeSize"] } : {}),
            },
        );
        this.instance = instance;
        this.instanceId = instance.id;
        this.privateIp = instance.privateIp;
        this.registerOutputs({ instanceId: this.instanceId, privateIp: this.privateIp });
    }
}
