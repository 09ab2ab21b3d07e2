/**
 * The settings every host and launch template shares (FSBP EC2.8/EC2.170: IMDSv2 only, hop limit 1 so
 * containers cannot reach the instance's credentials; EC2.3/EC2.181: encrypted EBS; EC2.9/EC2.25: no
 * public IPv4 unless config asks for it).
 */
export const IMDS_V2 = {
    httpEndpoint: "enabled",
    httpTokens: "required",
    httpPutResponseHopLimit: 1,
} as const;

export interface RootVolume {
    readonly volumeSize: number;
    readonly volumeType: "gp3";
    readonly encrypted: true;
    readonly deleteOnTermination: true;
}

export function rootVolume(sizeGiB: number): RootVolume {
    if (!Number.isInteger(sizeGiB) || sizeGiB < 8) throw new Error(`root volume must be an integer >= 8 GiB, got ${sizeGiB}`);
    return { volumeSize: sizeGiB, volumeType: "gp3", encrypted: true, deleteOnTermination: true };
}

export const EC2_ASSUME_ROLE_POLICY = {
    Version: "2012-10-17",
    Statement: [{ Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" }],
} as const;
