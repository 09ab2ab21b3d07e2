/** IMDSv2 as EC2.8 (instances) and EC2.170 (launch templates) read it, plus an optional hop-limit ceiling. */
import type { PolicyConfigSchema } from "@pulumi/policy";
import type { Check } from "../control";

export interface ImdsConfig {
    /** Stricter than the control when set: the largest httpPutResponseHopLimit allowed (1 keeps tokens off containers). */
    readonly maxHopLimit?: number;
}

export const IMDS_CONFIG: PolicyConfigSchema = {
    properties: { maxHopLimit: { type: "integer", minimum: 1, description: "Largest httpPutResponseHopLimit allowed (not part of the control)." } },
};

export const imdsV2: Check<ImdsConfig> = (p, config) => {
    const m = p.metadataOptions ?? {};
    const out: string[] = [];
    if (m.httpTokens !== "required") out.push(`metadataOptions.httpTokens is ${m.httpTokens ?? "unset"}, not required (IMDSv1 stays open)`);
    if (config.maxHopLimit !== undefined && !(Number(m.httpPutResponseHopLimit) <= config.maxHopLimit)) {
        out.push(`metadataOptions.httpPutResponseHopLimit is ${m.httpPutResponseHopLimit ?? "unset"}, above ${config.maxHopLimit}`);
    }
    return out;
};
