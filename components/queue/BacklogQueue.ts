import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { backlogAlarmPlan } from "../../ops/queues/alarms";
import { denyInsecureTransport } from "../../ops/security/iam";

export interface BacklogQueueArgs {
    /** How long SQS keeps a message (the runbook's backlogs: 14 days, then data is lost). */
    readonly retentionDays: number;
    /** Seconds from "consumers stopped" to data loss; the age alarm is placed well before it. */
    readonly dataLossAfterSeconds: number;
    /** Alarm when the oldest message is this fraction of the way to data loss. */
    readonly alarmAtFraction: number;
    /** Deliveries before a message goes to the dead-letter queue. */
    readonly maxReceiveCount: pulumi.Input<number>;
    readonly visibilityTimeoutSeconds: pulumi.Input<number>;
    /** The AWS account that owns the queue; only its principals may use it. */
    readonly accountId: pulumi.Input<string>;
    /** SNS topic notified by the alarms. */
    readonly alarmTopicArn: pulumi.Input<string>;
}

/**
 * An SQS backlog as the ActiveData runbook keeps them: a queue with a dead-letter queue, 14-day
 * retention, server-side encryption, a policy that admits only the account's own principals over TLS,
 * and alarms on the age of the oldest message (placed by ops/queues/alarms.ts with time left to act)
 * and on anything reaching the dead-letter queue.
 */
export class BacklogQueue extends pulumi.ComponentResource {
    public readonly queueUrl: pulumi.Output<string>;
    public readonly queueArn: pulumi.Output<string>;
    public readonly deadLetterQueueArn: pulumi.Output<string>;
    /** The age-of-oldest-message alarm threshold, in seconds. */
    public readonly alarmThresholdSeconds: number;

    constructor(name: string, args: BacklogQueueArgs, opts?: pulumi.ComponentResourceOptions) {
        super("dataplat:queue:BacklogQueue", name, {}, opts);
        const retentionSeconds = args.retentionDays * 86400;
        const plan = backlogAlarmPlan(args.dataLossAfterSeconds, args.alarmAtFraction);

        const dlq = new aws.sqs.Queue(`${name}-dlq`, { messageRetentionSeconds: 14 * 86400, sqsManagedSseEnabled: true }, { parent: this });
        const queue = new aws.sqs.Queue(
            `${name}`,
            {
                messageRetentionSeconds: retentionSeconds,
                visibilityTimeoutSeconds: args.visibilityTimeoutSeconds,
                sqsManagedSseEnabled: true,
                redrivePolicy: pulumi.jsonStringify({ deadLetterTargetArn: dlq.arn, maxReceiveCount: args.maxReceiveCount }),
            },
            { parent: this },
        );
        for (const [suffix, q] of [
            ["", queue],
            ["-dlq", dlq],
        ] as const) {
            new aws.sqs.QueuePolicy(
                `${name}${suffix}-policy`,
                {
                    queueUrl: q.url,
                    policy: pulumi.jsonStringify({
                        Version: "2012-10-17",
                        Statement: [
                            denyInsecureTransport("sqs:*", q.arn),
                            {
                                Sid: "OwnAccountOnly",
                                Effect: "Allow",
                                Principal: { AWS: pulumi.interpolate`arn:aws:iam::${args.accountId}:root` },
                                Action: [
                                    "sqs:SendMessage",
                                    "sqs:ReceiveMessage",
                                    "sqs:DeleteMessage",
                                    "sqs:ChangeMessageVisibility",
                                    "sqs:GetQueueAttributes",
                                    "sqs:GetQueueUrl",
                                ],
                                Resource: q.arn,
                            },
                        ],
                    }),
                },
                { parent: this },
            );
        }
        new aws.cloudwatch.MetricAlarm(
            `${name}-backlog-age`,
            {
                alarmDescription: `Oldest message in ${name} is ${plan.thresholdSeconds}s old; data is lost after ${plan.dataLossAfterSeconds}s`,
                namespace: "AWS/SQS",
                metricName: "ApproximateAgeOfOldestMessage",
                dimensions: { QueueName: queue.name },
                statistic: "Maximum",
                period: plan.periodSeconds,
                evaluationPeriods: plan.evaluationPeriods,
                threshold: plan.thresholdSeconds,
                comparisonOperator: "GreaterThanOrEqualToThreshold",
                // A silent metric (the queue's consumers and producers both stopped) is not "OK".
                treatMissingData: "breaching",
                alarmActions: [args.alarmTopicArn],
                okActions: [args.alarmTopicArn],
            },
            { parent: this },
        );
        new aws.cloudwatch.MetricAlarm(
            `${name}-dead-letters`,
            {
                alarmDescription: `Messages of ${name} failed maxReceiveCount deliveries and wait in its dead-letter queue`,
                namespace: "AWS/SQS",
                metricName: "ApproximateNumberOfMessagesVisible",
                dimensions: { QueueName: dlq.name },
                statistic: "Maximum",
                period: 300,
                evaluationPeriods: 1,
                threshold: 0,
                comparisonOperator: "GreaterThanThreshold",
                treatMissingData: "notBreaching",
                alarmActions: [args.alarmTopicArn],
            },
            { parent: this },
        );

        this.queueUrl = queue.url;
        this.queueArn = queue.arn;
        this.deadLetterQueueArn = dlq.arn;
        this.alarmThresholdSeconds = plan.thresholdSeconds;
        this.registerOutputs({ queueUrl: this.queueUrl, queueArn: this.queueArn, deadLetterQueueArn: this.deadLetterQueueArn });
    }
}
