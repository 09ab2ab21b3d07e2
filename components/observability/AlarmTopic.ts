import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { positionalName, stableKey } from "../../ops/naming/keys";

export interface AlarmTopicArgs {
    /** E-mail addresses to notify (each must confirm its subscription). */
    readonly emails: readonly string[];
    /** The account that owns the topic's key. */
    readonly accountId: pulumi.Input<string>;
}

/**
 * The SNS topic every alarm of the stack notifies. Encrypted with its own KMS key, because CloudWatch
 * alarms cannot publish to a topic encrypted with the AWS-managed SNS key (its key policy does not
 * admit cloudwatch.amazonaws.com).
 */
export class AlarmTopic extends pulumi.ComponentResource {
    public readonly topicArn: pulumi.Output<string>;

    constructor(name: string, args: AlarmTopicArgs, opts?: pulumi.ComponentResourceOptions) {
        super("dataplat:observability:AlarmTopic", name, {}, opts);
        const key = new aws.kms.Key(
            `${name}-key`,
            {
                description: `${name}: encrypts alarm notifications`,
                enableKeyRotation: true,
                deletionWindowInDays: 30,
                policy: pulumi.jsonStringify({
                    Version: "2012-10-17",
                    Statement: [
                        {
                            Sid: "AccountAdministers",
                            Effect: "Allow",
                            Principal: { AWS: pulumi.interpolate`arn:aws:iam::${args.accountId}:root` },
                            Action: "kms:*",
                            Resource: "*",
                        },
                        {
                            Sid: "CloudWatchPublishes",
                            Effect: "Allow",
                            Principal: { Service: "cloudwatch.amazonaws.com" },
                            Action: ["kms:Decrypt", "kms:GenerateDataKey*"],
                            Resource: "*",
                            Condition: { StringEquals: { "aws:SourceAccount": args.accountId } },
                        },
                    ],
                }),
            },
            { parent: this },
        );
        const topic = new aws.sns.Topic(`${name}`, { kmsMasterKeyId: key.id }, { parent: this });
        // Named by address (ops/naming/keys.ts), so removing one never re-creates the others (each would need a new
        // confirmation); the alias takes up the positional name dataplat used before.
        for (const email of args.emails) {
            const old = positionalName(`${name}-email`, args.emails, email)!;
            new aws.sns.TopicSubscription(
                `${name}-email-${stableKey(email)}`,
                { topic: topic.arn, protocol: "email", endpoint: email },
                { parent: this, aliases: [{ name: old }] },
            );
        }
        this.topicArn = topic.arn;
        this.registerOutputs({ topicArn: this.topicArn });
    }
}
