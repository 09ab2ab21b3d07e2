/** SQS.3: no queue policy allows anyone (a public principal without a source condition). */
import { allowsPublic, statementsOf } from "../aws";
import { resourceRule, type Check } from "../control";

const policy: Check = (p) =>
    statementsOf(p.policy)
        .filter(allowsPublic)
        .map((s) => `statement ${s.Sid ?? "(no Sid)"} allows a public principal without a source condition`);

export const sqs_3 = resourceRule(
    {
        id: "SQS.3",
        title: "SQS queue access policies should not allow public access",
        severity: "high",
        enforcementLevel: "mandatory",
        remediation: 'allow named principals only (e.g. the account root), or restrict Principal "*" with aws:SourceArn/aws:SourceAccount',
    },
    { "aws:sqs/queuePolicy:QueuePolicy": policy, "aws:sqs/queue:Queue": policy },
);
