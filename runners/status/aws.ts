/**
 * The AWS side of status, through the AWS SDK for JavaScript v3 (no hand-rolled signing): SQS queue attributes
 * and dead-letter queues, CloudWatch's ApproximateAgeOfOldestMessage, EC2 Fleet state and instances (the spot
 * CLI's FleetApi), and S3 listings of the backup roots. Credentials come from the SDK's default chain; the SDK
 * honours AWS_ENDPOINT_URL (and AWS_ENDPOINT_URL_<SERVICE>), which the tests point at moto.
 */
import { CloudWatchClient, GetMetricStatisticsCommand } from "@aws-sdk/client-cloudwatch";
import { EC2Client } from "@aws-sdk/client-ec2";
import { ListObjectsV2Command, S3Client } from "@aws-sdk/client-s3";
import { GetQueueAttributesCommand, GetQueueUrlCommand, SQSClient } from "@aws-sdk/client-sqs";
import { ec2FleetApi } from "../../cli/spot";
import { type Answer, answered, failed } from "../../ops/status/answer";
import { type BackupObject, checkBackups } from "../../ops/status/backups";
import { checkFleet } from "../../ops/status/fleets";
import type { Finding } from "../../ops/status/findings";
import { checkQueue } from "../../ops/status/queues";
import type { BackupTarget, FleetTarget, QueueTarget } from "../../ops/status/targets";

const REQUEST_TIMEOUT_MS = 15_000;

export const awsClientConfig = (region: string) => ({
    region,
    maxAttempts: 2,
    requestHandler: { connectionTimeout: 5_000, requestTimeout: REQUEST_TIMEOUT_MS },
});

const why = (e: unknown) => (e instanceof Error ? `${e.name}: ${e.message}` : String(e));

/**
 * Whether the default chain finds credentials at all, asked once before any check: without them every AWS check
 * would be "unknown" for the same reason, so the CLI stops with one clear message instead. The credentials
 * themselves are never printed.
 */
export async function missingCredentials(region: string): Promise<string | undefined> {
    try {
        const c = await new SQSClient(awsClientConfig(region)).config.credentials();
        return c.accessKeyId ? undefined : "the default credential chain gave no access key";
    } catch (e) {
        return (e as Error).message;
    }
}

export interface AwsClients {
    readonly sqs: SQSClient;
    readonly cloudwatch: CloudWatchClient;
    readonly ec2: EC2Client;
    readonly s3: S3Client;
}

export function awsClients(region: string): AwsClients {
    const c = awsClientConfig(region);
    // Path-style: the endpoint override (moto, a VPC endpoint by IP) need not resolve bucket subdomains.
    return { sqs: new SQSClient(c), cloudwatch: new CloudWatchClient(c), ec2: new EC2Client(c), s3: new S3Client({ ...c, forcePathStyle: true }) };
}

const queueName = (url: string) => url.replace(/\/+$/, "").split("/").pop() ?? url;

async function depthOf(sqs: SQSClient, url: string): Promise<{ visible: number; inFlight: number; redrive?: string }> {
    const a = await sqs.send(
        new GetQueueAttributesCommand({
            QueueUrl: url,
            AttributeNames: ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible", "RedrivePolicy"],
        }),
    );
    const n = (k: string) => {
        const v = Number(a.Attributes?.[k as "ApproximateNumberOfMessages"]);
        if (!Number.isFinite(v)) throw new Error(`GetQueueAttributes gave no ${k}`);
        return v;
    };
    const redrive = a.Attributes?.RedrivePolicy;
    return { visible: n("ApproximateNumberOfMessages"), inFlight: n("ApproximateNumberOfMessagesNotVisible"), ...(redrive ? { redrive } : {}) };
}

export async function queueFindings(c: AwsClients, q: QueueTarget, now: number): Promise<Finding[]> {
    let depth: Answer<{ visible: number; inFlight: number }>;
    let deadLetters: Answer<{ queue: string; messages: number } | null>;
    try {
        const d = await depthOf(c.sqs, q.url);
        depth = answered({ visible: d.visible, inFlight: d.inFlight });
        if (d.redrive === undefined) deadLetters = answered(null);
        else {
            try {
                const arn = String((JSON.parse(d.redrive) as { deadLetterTargetArn?: unknown }).deadLetterTargetArn ?? "");
                const [, , , , account, name] = arn.split(":");
                if (!name || !account) throw new Error(`RedrivePolicy names no dead-letter queue ARN (${JSON.stringify(arn)})`);
                const url = (await c.sqs.send(new GetQueueUrlCommand({ QueueName: name, QueueOwnerAWSAccountId: account }))).QueueUrl;
                if (!url) throw new Error(`GetQueueUrl gave no URL for ${name}`);
                const dl = await depthOf(c.sqs, url);
                deadLetters = answered({ queue: name, messages: dl.visible + dl.inFlight });
            } catch (e) {
                deadLetters = failed(why(e));
            }
        }
    } catch (e) {
        depth = failed(why(e));
        deadLetters = failed("the queue itself could not be read");
    }
    let oldestAgeSeconds: Answer<number | null>;
    try {
        const out = await c.cloudwatch.send(
            new GetMetricStatisticsCommand({
                Namespace: "AWS/SQS",
                MetricName: "ApproximateAgeOfOldestMessage",
                Dimensions: [{ Name: "QueueName", Value: queueName(q.url) }],
                // SQS publishes every minute; 15 minutes of them cover a late datapoint or two.
                StartTime: new Date(now - 15 * 60_000),
                // A minute past now: the end is exclusive and cut to the second, and a datapoint stamped by a clock a
                // little ahead of ours is still the newest one.
                EndTime: new Date(now + 60_000),
                Period: 60,
                Statistics: ["Maximum"],
            }),
        );
        const newest = (out.Datapoints ?? [])
            .filter((p) => p.Timestamp !== undefined && p.Maximum !== undefined)
            .sort((a, b) => b.Timestamp!.getTime() - a.Timestamp!.getTime())[0];
        oldestAgeSeconds = answered(newest ? newest.Maximum! : null);
    } catch (e) {
        oldestAgeSeconds = failed(why(e));
    }
    return checkQueue({ name: q.name, dataLossAfterSeconds: q.dataLossAfterSeconds, alarmAtFraction: q.alarmAtFraction, depth, oldestAgeSeconds, deadLetters });
}

export async function fleetFindings(c: AwsClients, f: FleetTarget): Promise<Finding[]> {
    const api = ec2FleetApi(c.ec2);
    let fleet: Awaited<Parameters<typeof checkFleet>[0]["fleet"]>;
    try {
        const state = await api.describeFleet(f.fleetId);
        fleet = answered({ state, instances: state === undefined ? [] : await api.fleetInstances(f.fleetId) });
    } catch (e) {
        fleet = failed(why(e));
    }
    return checkFleet({ ...f, fleet });
}

export async function backupFindings(c: AwsClients, b: BackupTarget, now: number): Promise<Finding[]> {
    let objects: Answer<BackupObject[]>;
    try {
        const all: BackupObject[] = [];
        let token: string | undefined;
        do {
            const page = await c.s3.send(
                new ListObjectsV2Command({ Bucket: b.bucket, Prefix: `${b.prefix}/`, ...(token ? { ContinuationToken: token } : {}) }),
            );
            for (const o of page.Contents ?? []) if (o.Key && o.LastModified) all.push({ key: o.Key, lastModified: o.LastModified.getTime() });
            token = page.IsTruncated ? page.NextContinuationToken : undefined;
        } while (token);
        objects = answered(all);
    } catch (e) {
        objects = failed(why(e));
    }
    return checkBackups({ ...b, objects }, now);
}
