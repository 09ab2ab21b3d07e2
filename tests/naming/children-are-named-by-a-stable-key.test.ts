// Issue 13, point 4: children named by a stable key of their item (an e-mail address, a CIDR), not by their
// position, so removing the first entry leaves every other child as it is; each renamed child carries an alias
// to its positional name, so taking up the new names renames nothing deployed. And the tier roles' instance
// profile name resolves only once the role's policy exists.

import assert from "node:assert/strict";
import { positionalName, stableKey } from "../../ops/naming/keys";
import { StackGraph } from "../../stacks/offline/evaluate";
import { deepClone, evaluateDoc, ofType, stackDoc } from "../support/graph";

const SUBSCRIPTION = "aws:sns/topicSubscription:TopicSubscription";
const INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule";
const OTHER_SECTIONS = ["dataplat:origin", "dataplat:spotFleets", "dataplat:platform", "dataplat:controlPlane", "dataplat:emergency"];

function foundationDoc(): { config: Record<string, any> } {
    const doc = stackDoc("prod");
    for (const k of OTHER_SECTIONS) delete doc.config[k];
    return doc;
}

const inputsByName = (g: StackGraph, type: string) => new Map(ofType(g, type).map((r) => [r.name, JSON.stringify(r.inputs)]));

describe("stable keys (ops/naming/keys.ts)", () => {
    it("readable, deterministic, and distinct for values that differ only in punctuation", () => {
        assert.equal(stableKey("ops@example.com"), stableKey("ops@example.com"));
        assert.match(stableKey("ops@example.com"), /^ops-example-com-[0-9a-f]{6}$/);
        assert.notEqual(stableKey("a.b"), stableKey("a-b"));
        assert.notEqual(stableKey("10.0.0.0/8"), stableKey("10.0.0.0-8"));
        assert.match(stableKey("2001:db8::/32"), /^2001-db8-32-[0-9a-f]{6}$/);
        assert.match(stableKey("@@@"), /^[0-9a-f]{6}$/);
        assert.ok(stableKey("x".repeat(200)).length <= 47);
    });

    it("the positional name of an item is its index in the list", () => {
        assert.equal(positionalName("t-email", ["a", "b"], "b"), "t-email-1");
        assert.equal(positionalName("t-email", ["a", "b"], "c"), undefined);
    });
});

describe("children named by a stable key, in the prod stack", function () {
    this.timeout(120_000);
    let g: StackGraph;
    const doc = foundationDoc();
    // Two addresses, so that removing the first leaves one.
    doc.config["dataplat:alerting"].emails = ["first-oncall@example.com", ...doc.config["dataplat:alerting"].emails];
    before(async () => (g = await evaluateDoc(doc, undefined, "prod")));

    it("e-mail subscriptions and operator-CIDR rules are named by address and CIDR, each aliased to its positional name", () => {
        const emails: string[] = doc.config["dataplat:alerting"].emails;
        assert.ok(emails.length > 0);
        const subs = ofType(g, SUBSCRIPTION);
        assert.deepEqual(subs.map((s) => s.name).sort(), emails.map((e) => `activedata-alarms-email-${stableKey(e)}`).sort());
        for (const s of subs) {
            const i = emails.indexOf(s.inputs.endpoint as string);
            assert.deepEqual(s.options.aliases, [`activedata-alarms-email-${i}`], s.name);
        }
        const cidrs: string[] = doc.config["dataplat:network"].operatorCidrs;
        const rules = ofType(g, INGRESS).filter((r) => r.name.includes("-from-operators-"));
        assert.ok(rules.length >= cidrs.length);
        for (const r of rules) {
            const cidr = (r.inputs.cidrIpv4 ?? r.inputs.cidrIpv6) as string;
            assert.ok(r.name.endsWith(`-from-operators-${stableKey(cidr)}`), r.name);
            assert.deepEqual(r.options.aliases, [r.name.replace(stableKey(cidr), String(cidrs.indexOf(cidr)))], r.name);
        }
    });

    it("removing the first e-mail and the first CIDR changes nothing about the others", async () => {
        const fewer = deepClone(doc);
        const emails: string[] = fewer.config["dataplat:alerting"].emails;
        const cidrs: string[] = fewer.config["dataplat:network"].operatorCidrs;
        const [goneEmail, goneCidr] = [emails.shift()!, cidrs.shift()!];
        const h = await evaluateDoc(fewer, doc, "prod");
        for (const type of [SUBSCRIPTION, INGRESS]) {
            const [before, after] = [inputsByName(g, type), inputsByName(h, type)];
            for (const [name, inputs] of after) assert.equal(before.get(name), inputs, `${name} is unchanged`);
            const removed = [...before.keys()].filter((n) => !after.has(n));
            for (const n of removed) assert.ok(n.includes(stableKey(goneEmail)) || n.includes(stableKey(goneCidr)), `${n} was the removed item's`);
            assert.ok(removed.length > 0);
        }
    });

    it("an instance profile is created only once its role's policy exists, and every host depends on its profile", () => {
        const policies = new Map(ofType(g, "aws:iam/rolePolicy:RolePolicy").map((p) => [p.urn, p]));
        const profiles = ofType(g, "aws:iam/instanceProfile:InstanceProfile");
        assert.equal(profiles.length, 7);
        for (const p of profiles) {
            const policy = p.dependsOn.map((u) => policies.get(u)).find(Boolean);
            assert.ok(policy, `${p.name} depends on a role policy`);
            assert.equal(policy!.name, p.name.replace(/-profile$/, "-policy"), p.name);
        }
        const hosts = ofType(g, "aws:ec2/instance:Instance");
        assert.ok(hosts.length > 0);
        const profileUrns = new Set(profiles.map((p) => p.urn));
        for (const h of hosts)
            assert.ok(
                h.dependsOn.some((u) => profileUrns.has(u)),
                `${h.name} depends on its instance profile`,
            );
    });
});
