/** SQS.1: every queue is encrypted at rest (SQS-managed SSE or a KMS key). */
import { resourceRule } from "../control";

export const sqs_1 = resourceRule(
    {
        id: "SQS.1",
        title: "Amazon SQS queues should be encrypted at rest",
        severity: "medium",
        enforcementLevel: "mandatory",
        remediation: "set sqsManagedSseEnabled: true or kmsMasterKeyId on the queue",
    },
    {
        "aws:sqs/queue:Queue": (p) =>
            p.sqsManagedSseEnabled === true || (typeof p.kmsMasterKeyId === "string" && p.kmsMasterKeyId !== "")
                ? []
                : ["the queue is not encrypted at rest (neither sqsManagedSseEnabled nor kmsMasterKeyId)"],
    },
);
