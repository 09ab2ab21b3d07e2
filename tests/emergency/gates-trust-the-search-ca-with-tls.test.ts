// With search admin.tls, the emergency switch's gates talk to the same https endpoint the drains do: every stop
// and resume command gets the cluster's CA ($SEARCH_CA) and certificate name ($SEARCH_TLS_NAME) next to the
// endpoint, the very values the search cluster's own commands get. Without TLS they get neither. That the gate
// lines verify with them against a real secured OpenSearch is tests/search/tls-drain-undrain-bounce-over-https.
import assert from "node:assert/strict";
import { SEARCH_ENDPOINT_ENV } from "../../ops/search/commands";
import { SEARCH_CA_ENV, SEARCH_TLS_NAME_ENV } from "../../ops/search/security";
import { evaluateStack, type StackGraph } from "../../stacks/offline/evaluate";
import { deepClone, rawFromDoc, stackDoc } from "../support/graph";

type Doc = { config: Record<string, any> };
const COMMAND = "command:local:Command";

function doc(tls: boolean): Doc {
    const d = deepClone(stackDoc("prod")) as Doc;
    d.config["dataplat:emergency"] = { active: true, reason: "cluster red" };
    if (tls) {
        d.config["dataplat:search"].admin = { auth: "basic", tls: true, username: "ops" };
        d.config["dataplat:searchAdminPassword"] = { secure: "v1:c2VjcmV0" };
    }
    return d;
}

const envOf = (g: StackGraph, pattern: RegExp) =>
    g.resources.filter((r) => r.type === COMMAND && pattern.test(r.name)).map((r) => ({ name: r.name, env: r.inputs.environment as Record<string, string> }));

describe("emergency: with search admin.tls the gates trust the cluster's CA, as the drains do", function () {
    this.timeout(300_000);

    it("every stop and resume command carries $SEARCH_CA and $SEARCH_TLS_NAME equal to the search commands'", async () => {
        const base = doc(true);
        base.config["dataplat:emergency"] = { active: false };
        // TLS must already be deployed (turning it on for a running cluster is refused): previous has it, no emergency.
        const g = await evaluateStack({ stack: "prod", config: rawFromDoc(doc(true)), previous: rawFromDoc(base), revealSecrets: true });
        const search = envOf(g, /-search-.*-drain$/);
        assert.ok(search.length > 0);
        const ca = search[0].env[SEARCH_CA_ENV];
        const name = search[0].env[SEARCH_TLS_NAME_ENV];
        assert.match(ca, /^-----BEGIN CERTIFICATE-----\n/, "the drain's CA is set");
        assert.ok(name.length > 0);
        const emergency = envOf(g, /-emergency-(stop|resume)-[a-z]+$/);
        assert.equal(emergency.length, 8, emergency.map((e) => e.name).join(", "));
        for (const e of emergency) {
            assert.equal(e.env[SEARCH_CA_ENV], ca, e.name);
            assert.equal(e.env[SEARCH_TLS_NAME_ENV], name, e.name);
            assert.match(e.env[SEARCH_ENDPOINT_ENV], /^https:\/\//, e.name);
        }
    });

    it("without TLS: the endpoint is http and neither variable is set", async () => {
        const off = doc(false);
        off.config["dataplat:emergency"] = { active: false };
        const g = await evaluateStack({ stack: "prod", config: rawFromDoc(doc(false)), previous: rawFromDoc(off), revealSecrets: true });
        const emergency = envOf(g, /-emergency-(stop|resume)-[a-z]+$/);
        assert.equal(emergency.length, 8);
        for (const e of emergency) {
            assert.equal(e.env[SEARCH_CA_ENV], undefined, e.name);
            assert.equal(e.env[SEARCH_TLS_NAME_ENV], undefined, e.name);
            assert.match(e.env[SEARCH_ENDPOINT_ENV], /^http:\/\//, e.name);
        }
    });
});
