import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

/**
 * One explicit AWS provider per component, so every resource carries the default tags
 * environment, stack and component (the default provider is disabled in Pulumi.yaml).
 */
export class Providers {
    private readonly byComponent = new Map<string, aws.Provider>();

    constructor(
        private readonly region: string,
        private readonly environment: string,
        private readonly stack: string,
    ) {}

    aws(component: string): aws.Provider {
        let p = this.byComponent.get(component);
        if (!p) {
            p = new aws.Provider(`aws-${component}`, {
                region: this.region as aws.Region,
                defaultTags: { tags: { environment: this.environment, stack: this.stack, component, "managed-by": "dataplat" } },
            });
            this.byComponent.set(component, p);
        }
        return p;
    }

    /** Options that put a component on its provider. */
    opts(component: string): pulumi.ComponentResourceOptions {
        return { providers: { aws: this.aws(component) } };
    }
}
