/** IAM.1: no policy grants "*" on "*" (full administrative privileges). */
import { asList, IAM_POLICY_TYPES, statementsOf } from "../aws";
import { resourceRule, type Check } from "../control";

const check: Check = (p) =>
    statementsOf(p.policy)
        .filter((s) => s.Effect === "Allow" && asList(s.Action).includes("*") && asList(s.Resource).includes("*"))
        .map((s) => `statement ${s.Sid ?? "(no Sid)"} allows "*" on "*"`);

export const iam_1 = resourceRule(
    {
        id: "IAM.1",
        title: 'IAM policies should not allow full "*" administrative privileges',
        severity: "high",
        enforcementLevel: "mandatory",
        remediation: "list the actions the principal needs on the resources it needs",
    },
    Object.fromEntries(IAM_POLICY_TYPES.map((t) => [t, check])),
);
