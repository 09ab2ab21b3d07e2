/**
 * The S3 controls look at a bucket together with the resources attached to it (public access block,
 * bucket policy, ownership controls, lifecycle configuration), each its own resource in Pulumi's AWS
 * provider. A resource is attached to a bucket when its `bucket` property depends on that bucket
 * (the engine's property dependencies; its dependencies when those are not given), or when its
 * `bucket` names the bucket. Pure.
 */
import { BUCKET_TYPES } from "./aws";
import type { StackResource } from "./control";

export function attached(bucket: StackResource, resources: readonly StackResource[], types: readonly string[]): StackResource[] {
    const names = [bucket.props.bucket, bucket.props.id].filter((n) => typeof n === "string" && n !== "");
    return resources.filter((r) => {
        if (!types.includes(r.type)) return false;
        const deps = r.propertyDependencies.bucket ?? r.dependencies;
        return deps.some((d) => d.urn === bucket.urn) || names.includes(r.props.bucket);
    });
}

/** Violations for every bucket `ok` refuses, given the resources attached to it of `types`. */
export function perBucket(
    resources: readonly StackResource[],
    types: readonly string[],
    ok: (bucket: StackResource, attached: StackResource[]) => string | undefined,
): { urn: string; message: string }[] {
    return resources
        .filter((r) => BUCKET_TYPES.includes(r.type))
        .flatMap((b) => {
            const problem = ok(b, attached(b, resources, types));
            return problem ? [{ urn: b.urn, message: `bucket ${b.name}: ${problem}` }] : [];
        });
}
