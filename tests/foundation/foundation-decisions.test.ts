import assert from "node:assert/strict";
import fc from "fast-check";
import { foundationRefusals, foundationSnapshot } from "../../ops/config/guardrails";
import { parseStackConfig } from "../../ops/config/parse";
import { isOpenToWorld, parseCidr } from "../../ops/network/cidr";
import { ingressRules, publicAdminExposures } from "../../ops/network/tiers";
import { backlogAlarmPlan } from "../../ops/queues/alarms";
import { leastPrivilegeViolations, statementsFor } from "../../ops/security/iam";
import { rawFromDoc, stackDoc } from "../support/graph";

describe("CIDR parsing", () => {
    it("accepts network addresses and rejects host bits, junk and out-of-range prefixes", () => {
        for (const ok of ["10.0.0.0/8", "203.0.113.17/32", "0.0.0.0/0", "2001:db8::/32", "::/0"]) assert.ok(parseCidr(ok), ok);
        for (const bad of ["10.0.0.1/8", "10.0.0.0/33", "10.0.0.0", "2001:db8::1/32", "300.0.0.0/8", "a.b.c.d/8", "::ffff:1.2.3.4/128"])
            assert.equal(parseCidr(bad), undefined, bad);
        assert.ok(isOpenToWorld(parseCidr("0.0.0.0/0")!));
        assert.ok(!isOpenToWorld(parseCidr("0.0.0.0/1")!));
    });
});

describe("tier rules", () => {
    it("never expose an admin or data port to the internet, with or without public HTTPS", () => {
        for (const frontendPublicHttps of [true, false]) assert.deepEqual(publicAdminExposures(ingressRules({ frontendPublicHttps })), []);
    });
    it("detect an exposure if one were added", () => {
        const rules = ingressRules({ frontendPublicHttps: false });
        const bad = [
            ...rules,
            { tier: "search" as const, source: { kind: "internet" as const }, ports: { from: 9000, to: 9400, service: "oops" }, description: "oops" },
        ];
        assert.equal(publicAdminExposures(bad).length, 1);
    });
});

describe("backlog alarm plan", () => {
    it("fires for the TC logger within a quarter hour and for 14-day backlogs within days", () => {
        const logger = backlogAlarmPlan(30 * 60, 0.25);
        assert.ok(logger.worstCaseDetectionSeconds <= 15 * 60);
        assert.equal(logger.periodSeconds, 60);
        const etl = backlogAlarmPlan(14 * 86400, 0.25);
        assert.equal(etl.thresholdSeconds, 3.5 * 86400);
    });
    it("always leaves at least half the time to data loss, or refuses (property)", () => {
        fc.assert(
            fc.property(fc.integer({ min: 60, max: 14 * 86400 }), fc.double({ min: 0.01, max: 0.5, noNaN: true }), (loss, frac) => {
                try {
                    const p = backlogAlarmPlan(loss, frac);
                    assert.ok(p.worstCaseDetectionSeconds <= loss / 2);
                    assert.ok(p.thresholdSeconds > 0);
                } catch (e) {
                    assert.match((e as Error).message, /half|positive/);
                }
            }),
        );
    });
});

describe("least-privilege statements", () => {
    it("scope every grant to its resource and pass the wildcard check", () => {
        const s = statementsFor([
            { kind: "queue", access: "consume", arn: "arn:aws:sqs:us-west-2:1:q" },
            { kind: "bucket", access: "write", arn: "arn:aws:s3:::b" },
            { kind: "bucket", access: "read", arn: "arn:aws:s3:::b" },
        ]);
        assert.deepEqual(
            s.map((x) => x.Resource[0]),
            ["arn:aws:sqs:us-west-2:1:q", "arn:aws:s3:::b/*", "arn:aws:s3:::b", "arn:aws:s3:::b/*"],
        );
        assert.deepEqual(leastPrivilegeViolations(s), []);
    });
    it("flag '*', 'service:*' and '*' resources", () => {
        assert.equal(leastPrivilegeViolations([{ Effect: "Allow", Action: ["*"], Resource: ["arn:x"] }]).length, 1);
        assert.equal(leastPrivilegeViolations([{ Effect: "Allow", Action: ["s3:*"], Resource: ["arn:x"] }]).length, 1);
        assert.equal(leastPrivilegeViolations([{ Effect: "Allow", Action: ["s3:GetObject"], Resource: ["*"] }]).length, 1);
        assert.equal(leastPrivilegeViolations([{ Effect: "Deny", Action: ["*"], Resource: ["*"] }]).length, 0);
    });
});

describe("foundation guardrails", () => {
    const parse = (doc: unknown) => {
        const raw = rawFromDoc(doc);
        return parseStackConfig(raw.config, new Set(raw.secretKeys)).config;
    };
    const prod = parse(stackDoc("prod"));

    it("allow the first deployment and an unchanged one", () => {
        assert.deepEqual(foundationRefusals(undefined, prod), []);
        assert.deepEqual(foundationRefusals(foundationSnapshot(prod), prod), []);
    });
    it("refuse turning prod into staging, renaming everything, and dropping a prod backup bucket", () => {
        const staging = parse(stackDoc("staging"));
        const refusals = foundationRefusals(foundationSnapshot(prod), staging);
        assert.equal(refusals.length, 2);
        assert.match(refusals[0], /^environment: .*separate stack/);
        assert.match(refusals[1], /^prefix: /);
        const doc = stackDoc("prod");
        delete doc.config["dataplat:buckets"].backups;
        doc.config["dataplat:buckets"].vault = { purpose: "backup" };
        assert.match(foundationRefusals(foundationSnapshot(prod), parse(doc))[0], /^buckets\.backups: a prod backup bucket cannot be removed/);
    });
});
