/**
 * The name under which the program reads its own stack's outputs (a StackReference to itself). Pure.
 *
 * The engine resolves a StackReference name with the backend's ParseStackReference
 * (pulumi/pulumi pkg/backend/backend.go, backendClient.GetStackOutputs), and the backends accept
 * different names:
 *
 * - Pulumi Cloud (pkg/backend/httpstate/backend.go, ParseStackReference): `stack`, `org/stack` and
 *   `org/project/stack`; a missing org is the user's *default* org (or the current user), not
 *   necessarily the org that owns the stack being updated. The org the program sees
 *   (pulumi.getOrganization()) is the stack's owner (httpstate getTarget: `Organization:
 *   stackID.Owner`), so only the fully qualified name is sure to be this stack.
 * - Self-managed (DIY) backend, project layout (`.pulumi/meta.yaml` version 1; pkg/backend/diy/store.go,
 *   projectReferenceStore.ParseReference): `stack`, `organization/stack` and
 *   `organization/project/stack`; the org must be the literal "organization" and a missing project
 *   is the current project.
 * - Self-managed backend, legacy layout (no meta.yaml, a state created before project-scoped stacks;
 *   pkg/backend/diy/backend.go picks newLegacyReferenceStore for meta version 0): store.go
 *   legacyReferenceStore.ParseReference takes the whole string as a stack name
 *   (tokens.ParseStackName, sdk/go/common/tokens: only alphanumerics, `-`, `_`, `.`), so
 *   `organization/dataplat/prod` fails ("a stack name may only contain alphanumeric, hyphens,
 *   underscores, or periods: invalid character '/'") and only a bare `prod` works, which is this
 *   stack: legacy stack names are unique in the whole state.
 *
 * No single form works everywhere: the fully qualified name breaks the legacy layout, a bare name may
 * read another organization's stack on Pulumi Cloud. The program tells them apart by its organization:
 * a DIY backend always runs programs as organization "organization" (pkg/backend/diy/state.go,
 * getTarget: `Organization: "organization" // diy has no organizations really`). There the bare name
 * is exact in both layouts (the current project in the project layout, the only stack of that name
 * in the legacy one); everywhere else the fully qualified name is used. Known gap: a Pulumi Cloud
 * organization literally named "organization" gets the bare name too, which resolves against the
 * user's default organization (`pulumi org set-default organization` makes it exact); the snapshot
 * header cannot tell that stack apart (same project and stack name), so such an organization should
 * set its default.
 */

/** The organization a self-managed (DIY) backend gives every program. */
export const DIY_ORGANIZATION = "organization";

export interface StackIdentity {
    readonly organization: string;
    readonly project: string;
    readonly stack: string;
}

/** The StackReference name that resolves to this very stack on the backend running the program. */
export function selfReferenceName(self: StackIdentity): string {
    return self.organization === DIY_ORGANIZATION ? self.stack : `${self.organization}/${self.project}/${self.stack}`;
}

/**
 * A self-reference that failed because the name was not a legacy-layout stack name (only possible if
 * a fully qualified name reaches a legacy DIY state): the message tells the user to upgrade the state.
 */
export function legacyLayoutHint(error: string): string | undefined {
    if (!/stack name may only contain alphanumeric/.test(error)) return undefined;
    return (
        "the self-managed state backend uses the legacy layout (no project-scoped stacks, `.pulumi/meta.yaml` missing or version 0), " +
        "which does not accept the fully qualified stack name: run `pulumi state upgrade` against this backend " +
        "(it moves every stack under its project; older Pulumi CLIs can no longer read the state afterwards), then re-run"
    );
}
