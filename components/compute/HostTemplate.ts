import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { IMDS_V2, rootVolume } from "../../ops/compute/defaults";

export interface HostTemplateArgs {
    readonly imageId: pulumi.Input<string>;
    /** Default type; fleets override it per instance type. */
    readonly instanceType: pulumi.Input<string>;
    readonly securityGroupIds: pulumi.Input<pulumi.Input<string>[]>;
    readonly instanceProfileArn: pulumi.Input<string>;
    readonly rootVolumeGiB: number;
    /** Device name of the image's root volume (Amazon Linux: /dev/xvda). */
    readonly rootDeviceName?: string;
    readonly userData?: pulumi.Input<string>;
    readonly tier: string;
}

/**
 * The launch template every fleet instance starts from: IMDSv2 only with hop limit 1 (FSBP EC2.170),
 * encrypted EBS (EC2.181), a network interface that never gets a public IP (EC2.25), the tier's
 * security groups and instance profile, and tags copied to instances and volumes.
 */
export class HostTemplate extends pulumi.ComponentResource {
    public readonly launchTemplateId: pulumi.Output<string>;
    public readonly latestVersion: pulumi.Output<number>;

    constructor(name: string, args: HostTemplateArgs, opts?: pulumi.ComponentResourceOptions) {
        super("dataplat:compute:HostTemplate", name, {}, opts);
        const volume = rootVolume(args.rootVolumeGiB);
        const tags = { Name: name, tier: args.tier };
        const lt = new aws.ec2.LaunchTemplate(
            `${name}`,
            {
                imageId: args.imageId,
                instanceType: args.instanceType,
                iamInstanceProfile: { arn: args.instanceProfileArn },
                metadataOptions: { ...IMDS_V2 },
                networkInterfaces: [{ deviceIndex: 0, associatePublicIpAddress: "false", deleteOnTermination: "true", securityGroups: args.securityGroupIds }],
                blockDeviceMappings: [
                    {
                        deviceName: args.rootDeviceName ?? "/dev/xvda",
                        ebs: { volumeSize: volume.volumeSize, volumeType: volume.volumeType, encrypted: "true", deleteOnTermination: "true" },
                    },
                ],
                userData: args.userData ? pulumi.output(args.userData).apply((u) => Buffer.from(u).toString("base64")) : undefined,
                tagSpecifications: [
                    { resourceType: "instance", tags },
                    { resourceType: "volume", tags },
                ],
                updateDefaultVersion: true,
            },
            { parent: this },
        );
        this.launchTemplateId = lt.id;
        this.latestVersion = lt.latestVersion;
        this.registerOutputs({ launchTemplateId: this.launchTemplateId, latestVersion: this.latestVersion });
    }
}
