import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { denyInsecureTransport } from "../../ops/security/iam";

export interface BucketLifecycle {
    readonly transitionToInfrequentAccessDays?: number;
    readonly transitionToGlacierDays?: number;
    readonly expireAfterDays?: number;
    readonly noncurrentVersionExpireAfterDays: number;
    readonly abortIncompleteMultipartUploadDays: number;
}

export interface SecureBucketArgs {
    /** Physical name prefix; a random suffix makes it globally unique. */
    readonly namePrefix: string;
    readonly encryption: "sse-kms" | "sse-s3";
    readonly lifecycle: BucketLifecycle;
    /**
     * Protect from deletion (`protect` on the bucket and its suffix, and `forceDestroy` off): a
     * `pulumi destroy` or a removed config entry stops instead of deleting backups.
     */
    readonly protectFromDeletion: boolean;
}

/**
 * An S3 bucket as the platform keeps raw pipeline data and backups: versioned, encrypted, all four
 * public-access-block flags, ACLs disabled (BucketOwnerEnforced), TLS-only policy, lifecycle rules
 * (FSBP S3.2/S3.3/S3.5/S3.8/S3.12/S3.13).
 */
export class SecureBucket extends pulumi.ComponentResource {
    public readonly bucketName: pulumi.Output<string>;
    public readonly bucketArn: pulumi.Output<string>;

    constructor(name: string, args: SecureBucketArgs, opts?: pulumi.ComponentResourceOptions) {
        super("dataplat:storage:SecureBucket", name, {}, opts);
        const keep = { parent: this, protect: args.protectFromDeletion };
        const suffix = new random.RandomId(`${name}-suffix`, { byteLength: 4 }, keep);
        const bucket = new aws.s3.Bucket(`${name}`, { bucket: pulumi.interpolate`${args.namePrefix}-${suffix.hex}`, forceDestroy: false }, keep);
        const child = { parent: this };

        const pab = new aws.s3.BucketPublicAccessBlock(
            `${name}-public-access`,
            { bucket: bucket.id, blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true },
            child,
        );
        new aws.s3.BucketOwnershipControls(`${name}-ownership`, { bucket: bucket.id, rule: { objectOwnership: "BucketOwnerEnforced" } }, child);
        const versioning = new aws.s3.BucketVersioning(`${name}-versioning`, { bucket: bucket.id, versioningConfiguration: { status: "Enabled" } }, child);
        new aws.s3.BucketServerSideEncryptionConfiguration(
            `${name}-encryption`,
            {
                bucket: bucket.id,
                rules: [
                    {
                        applyServerSideEncryptionByDefault: { sseAlgorithm: args.encryption === "sse-kms" ? "aws:kms" : "AES256" },
                        bucketKeyEnabled: args.encryption === "sse-kms",
                    },
                ],
            },
            child,
        );
        new aws.s3.BucketPolicy(
            `${name}-tls-only`,
            {
                bucket: bucket.id,
                policy: pulumi.jsonStringify({
                    Version: "2012-10-17",
                    Statement: [denyInsecureTransport("s3:*", [bucket.arn, pulumi.interpolate`${bucket.arn}/*`])],
                }),
            },
            // The public access block must exist first: with it, no later policy edit can make the bucket public.
            { parent: this, dependsOn: [pab] },
        );
        const l = args.lifecycle;
        const transitions = [
            ...(l.transitionToInfrequentAccessDays !== undefined ? [{ days: l.transitionToInfrequentAccessDays, storageClass: "STANDARD_IA" }] : []),
            ...(l.transitionToGlacierDays !== undefined ? [{ days: l.transitionToGlacierDays, storageClass: "GLACIER" }] : []),
        ];
        new aws.s3.BucketLifecycleConfiguration(
            `${name}-lifecycle`,
            {
                bucket: bucket.id,
                rules: [
                    {
                        id: "dataplat-lifecycle",
                        status: "Enabled",
                        filter: {},
                        transitions,
                        ...(l.expireAfterDays !== undefined ? { expiration: { days: l.expireAfterDays } } : {}),
                        noncurrentVersionExpiration: { noncurrentDays: l.noncurrentVersionExpireAfterDays },
                        abortIncompleteMultipartUpload: { daysAfterInitiation: l.abortIncompleteMultipartUploadDays },
                    },
                ],
            },
            // Lifecycle rules on noncurrent versions need versioning in place.
            { parent: this, dependsOn: [versioning] },
        );

        this.bucketName = bucket.bucket;
        this.bucketArn = bucket.arn;
        this.registerOutputs({ bucketName: this.bucketName, bucketArn: this.bucketArn });
    }
}
