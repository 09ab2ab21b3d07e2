/**
 * The dataplat FSBP policy pack: `pulumi preview --policy-pack ./policy` (after `npm install` in this
 * folder) runs these rules on any Pulumi program's AWS resources. Rules: rules/*.ts, one per control;
 * list and config: pack.ts.
 */
import { PolicyPack } from "@pulumi/policy";
import { PACK_CONFIG, PACK_NAME, POLICIES } from "./pack";

new PolicyPack(
    PACK_NAME,
    { policies: POLICIES, enforcementLevel: "mandatory", description: "AWS Foundational Security Best Practices, one rule per control" },
    PACK_CONFIG,
);
