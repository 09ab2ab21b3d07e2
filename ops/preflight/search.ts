/**
 * The search admin endpoint answers from this machine, with TLS and auth when configured: the drains, joins
 * and bounces of the update go through it. Where the endpoint comes from is decided here (searchTarget): the
 * stack outputs the search section writes, `search.adminUrl` (the endpoint without credentials),
 * `search.adminUser` with admin.auth basic (the password is read from the SSM parameter named by the output
 * `searchAdminPasswordParameter`) and `search.adminTls` (the name the node certificate carries and the SSM
 * parameter holding the cluster's CA); $SEARCH_ENDPOINT / $SEARCH_CA / $SEARCH_TLS_NAME only for a stack last
 * deployed by a program that did not export them yet.
 */
import { type CheckLine, fail, pass } from "./check";
import { redactEndpoint } from "../search/flags";
import { HIDDEN_SECRET, outputAt, sectionDeployed, type StackOutputs } from "./outputs";

export interface SearchTls {
    /** DNS name the node certificate carries ($SEARCH_TLS_NAME). */
    readonly serverName?: string;
    /** SSM parameter holding the cluster's CA PEM (fetched by the CLI in the stack's region). */
    readonly caParameter?: string;
    /** The CA PEM itself ($SEARCH_CA). */
    readonly ca?: string;
}

export type SearchTarget =
    | { readonly kind: "none"; readonly why: string }
    | { readonly kind: "unknown"; readonly why: string; readonly fix: string }
    | {
          readonly kind: "endpoint";
          /** The URL to ask (from $SEARCH_ENDPOINT it may carry the credentials). */
          readonly endpoint: string;
          readonly source: "outputs" | "environment";
          /** admin.auth basic: the user, and the SSM parameter holding the password (read by the CLI). */
          readonly auth?: { readonly user: string; readonly passwordParameter: string };
          readonly tls?: SearchTls;
      };

export interface SearchEnvironment {
    readonly SEARCH_ENDPOINT?: string;
    readonly SEARCH_CA?: string;
    readonly SEARCH_TLS_NAME?: string;
}

const SHOW_SECRETS = "pass the full outputs of `pulumi stack output --stack NAME --json --show-secrets`";

export function searchTarget(a: { configured: boolean; outputs: StackOutputs; env: SearchEnvironment }): SearchTarget {
    if (!a.configured) return { kind: "none", why: "no search cluster in the stack config" };
    const endpoint = outputAt(a.outputs, ["search", "adminUrl"]);
    if (endpoint === HIDDEN_SECRET) return { kind: "unknown", why: "search.adminUrl is hidden as [secret] in the outputs", fix: SHOW_SECRETS };
    if (typeof endpoint === "string" && endpoint !== "") {
        let auth: { user: string; passwordParameter: string } | undefined;
        const user = outputAt(a.outputs, ["search", "adminUser"]);
        if (user !== undefined) {
            const passwordParameter = outputAt(a.outputs, ["searchAdminPasswordParameter"]);
            if (typeof user !== "string" || typeof passwordParameter !== "string") {
                return { kind: "unknown", why: "search.adminUser is in the outputs but searchAdminPasswordParameter is not: cannot log in", fix: SHOW_SECRETS };
            }
            auth = { user, passwordParameter };
        }
        const tls = outputAt(a.outputs, ["search", "adminTls"]);
        if (tls === undefined) return { kind: "endpoint", endpoint, source: "outputs", ...(auth ? { auth } : {}) };
        const serverName = outputAt(a.outputs, ["search", "adminTls", "serverName"]);
        const caParameter = outputAt(a.outputs, ["search", "adminTls", "caParameter"]);
        if (typeof serverName !== "string" || typeof caParameter !== "string") {
            return {
                kind: "unknown",
                why: "search.adminTls in the outputs has no serverName and caParameter: cannot verify the cluster's certificate",
                fix: SHOW_SECRETS,
            };
        }
        return { kind: "endpoint", endpoint, source: "outputs", ...(auth ? { auth } : {}), tls: { serverName, caParameter } };
    }
    if (endpoint !== undefined) return { kind: "unknown", why: `search.adminUrl in the outputs is not a URL (${typeof endpoint})`, fix: SHOW_SECRETS };
    const deployed = sectionDeployed(a.outputs, "search") || outputAt(a.outputs, ["search", "nodeIps"]) !== undefined;
    if (!deployed) return { kind: "none", why: "no search cluster deployed yet (the update creates it, then waits until it answers)" };
    if (a.env.SEARCH_ENDPOINT) {
        const tls =
            a.env.SEARCH_CA !== undefined || a.env.SEARCH_TLS_NAME !== undefined
                ? { ...(a.env.SEARCH_CA ? { ca: a.env.SEARCH_CA } : {}), ...(a.env.SEARCH_TLS_NAME ? { serverName: a.env.SEARCH_TLS_NAME } : {}) }
                : undefined;
        return { kind: "endpoint", endpoint: a.env.SEARCH_ENDPOINT, source: "environment", ...(tls ? { tls } : {}) };
    }
    return {
        kind: "unknown",
        why: "a search cluster is deployed but the outputs have no search.adminUrl (the stack was last deployed before the search section exported it)",
        fix: "set SEARCH_ENDPOINT (https://admin:PASSWORD@HOST:9200), and SEARCH_CA and SEARCH_TLS_NAME with admin.tls, for this one update; it exports the endpoint for the next",
    };
}

/** What asking the endpoint gave: the engine and the cluster's health, or why there was no answer. */
export type SearchFact =
    | { readonly kind: "answered"; readonly distribution: string; readonly version: string; readonly clusterName?: string; readonly status: string }
    | { readonly kind: "failed"; readonly why: string };

function failureFix(why: string): string {
    if (/parameter \S+ (could not be read|is empty)/.test(why))
        return "the deploy role must be able to ssm:GetParameter (with kms:Decrypt) the parameter named above in the stack's region";
    if (/HTTP 40[13]|user and password/.test(why))
        return "the admin user or password was refused: check dataplat:searchAdminPassword and the parameter searchAdminPasswordParameter (or the credentials in SEARCH_ENDPOINT)";
    if (/certificate|TLS|SSL|CA\b|SEARCH_CA|SEARCH_TLS_NAME/.test(why))
        return "the server's certificate was not verified: the CA (search.adminTls.caParameter / SEARCH_CA) and name (SEARCH_TLS_NAME) must be the cluster's";
    return "run the update from a runner inside the VPC whose CIDR is in network.operatorCidrs (with search.admin.operatorAccess), and check that the cluster is up";
}

export function checkSearch(target: SearchTarget, fact: SearchFact | undefined): CheckLine {
    const name = "search";
    if (target.kind === "none") return pass(name, `nothing to ask: ${target.why}`);
    if (target.kind === "unknown") return fail(name, `cannot tell whether the admin endpoint answers: ${target.why}`, target.fix);
    const where = `${redactEndpoint(target.endpoint)}${target.source === "environment" ? " (from SEARCH_ENDPOINT)" : ""}`;
    if (fact === undefined) return fail(name, `${where} was not asked`, "report this: the preflight gathered no answer for the endpoint");
    if (fact.kind === "failed") return fail(name, `${where} did not answer: ${fact.why}`, failureFix(fact.why));
    const tls = target.tls ? `, TLS verified as ${target.tls.serverName ?? "the endpoint's host"}` : "";
    return pass(name, `${where} answered: ${fact.distribution} ${fact.version}, cluster ${fact.clusterName ?? "?"} ${fact.status}${tls}`);
}
