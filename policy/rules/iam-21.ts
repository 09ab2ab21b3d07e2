/** IAM.21: no policy grants a whole service ("service:*"). */
import { asList, IAM_POLICY_TYPES, statementsOf } from "../aws";
import { resourceRule, type Check } from "../control";

const check: Check = (p) =>
    statementsOf(p.policy)
        .filter((s) => s.Effect === "Allow")
        .flatMap((s) =>
            asList(s.Action)
                .filter((a) => /^[a-z0-9-]+:\*$/i.test(a))
                .map((a) => `statement ${s.Sid ?? "(no Sid)"} allows every action of a service (${a})`),
        );

export const iam_21 = resourceRule(
    {
        id: "IAM.21",
        title: "IAM customer managed policies that you create should not allow wildcard actions for services",
        severity: "low",
        enforcementLevel: "mandatory",
        remediation: "name the actions (e.g. sqs:SendMessage), not the service's wildcard",
    },
    Object.fromEntries(IAM_POLICY_TYPES.map((t) => [t, check])),
);
