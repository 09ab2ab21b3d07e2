import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { EC2_ASSUME_ROLE_POLICY } from "../../ops/compute/defaults";
import { leastPrivilegeViolations, PolicyStatement } from "../../ops/security/iam";

export interface TierRoleArgs {
    /**
     * What the tier's hosts may do, from ops/security/iam.ts `statementsFor`. Least privilege (no `*`
     * or `service:*` actions, no `*` resources for scoped actions) is checked by the program before any
     * resource is registered, on the grants planned from config (ops/security/iam.ts
     * `plannedPolicyProblems`): these statements carry ARNs that are unknown at preview.
     */
    readonly statements: pulumi.Input<PolicyStatement[]>;
}

/** The instance role and profile shared by the hosts of one tier. */
export class TierRole extends pulumi.ComponentResource {
    public readonly roleArn: pulumi.Output<string>;
    public readonly instanceProfileName: pulumi.Output<string>;
    public readonly instanceProfileArn: pulumi.Output<string>;

    constructor(name: string, args: TierRoleArgs, opts?: pulumi.ComponentResourceOptions) {
        super("dataplat:compute:TierRole", name, {}, opts);
        const role = new aws.iam.Role(`${name}`, { assumeRolePolicy: JSON.stringify(EC2_ASSUME_ROLE_POLICY) }, { parent: this });
        // Defensive assert only: it runs when the ARNs are known, during `pulumi up`, after the program's
        // check of the same grants (stand-in ARNs) has passed before the first resource, so it cannot be
        // the first to refuse a policy; it stops a policy that bypassed that check from being written.
        const statements = pulumi.output(args.statements).apply((s) => {
            const violations = leastPrivilegeViolations(s);
            if (violations.length > 0) throw new Error(`${name}: policy is not least-privilege (not checked before registering?): ${violations.join("; ")}`);
            return s;
        });
        const policy = new aws.iam.RolePolicy(
            `${name}-policy`,
            {
                role: role.id,
                // An empty statement list is not a valid policy; a no-op Deny keeps the resource stable.
                policy: statements.apply((s) =>
                    JSON.stringify({
                        Version: "2012-10-17",
                        Statement:
                            s.length > 0
                                ? s
                                : [{ Sid: "NothingGranted", Effect: "Deny", Action: ["s3:DeleteBucket"], Resource: ["arn:aws:s3:::dataplat-nothing"] }],
                    }),
                ),
            },
            { parent: this },
        );
        // Created after the policy: a host started with this profile has its permissions from its first boot.
        const profile = new aws.iam.InstanceProfile(`${name}-profile`, { role: role.name }, { parent: this, dependsOn: [policy] });
        this.roleArn = role.arn;
        this.instanceProfileName = profile.name;
        this.instanceProfileArn = profile.arn;
        this.registerOutputs({ roleArn: this.roleArn, instanceProfileName: this.instanceProfileName, instanceProfileArn: this.instanceProfileArn });
    }
}
