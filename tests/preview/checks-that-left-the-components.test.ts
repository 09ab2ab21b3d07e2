// The checks that moved out of apply() callbacks and component constructors, as pure functions of config.

import assert from "node:assert/strict";
import { parseStackConfig } from "../../ops/config/parse";
import { essentialHostProblems, parseControlPlaneConfig } from "../../ops/controlplane/config";
import { parseCidr, unionCoversWorld } from "../../ops/network/cidr";
import { exposureProblems } from "../../ops/network/tiers";
import { plannedPolicyProblems, standInArn, statementsFor } from "../../ops/security/iam";
import { placementProblems } from "../../ops/platform/plan";
import { parsePlatformConfig } from "../../ops/platform/config";
import { plannedGrants } from "../../stacks/program";
import { rawFromDoc, stackDoc } from "../support/graph";

const cidrs = (...xs: string[]) => xs.map((x) => parseCidr(x)!);

describe("checks that run on config before any resource", () => {
    it("unionCoversWorld: only a union with no gap covers a family", () => {
        assert.ok(unionCoversWorld(cidrs("0.0.0.0/0"), 4));
        assert.ok(unionCoversWorld(cidrs("128.0.0.0/1", "0.0.0.0/1"), 4));
        assert.ok(unionCoversWorld(cidrs("0.0.0.0/2", "64.0.0.0/2", "0.0.0.0/1", "128.0.0.0/2", "192.0.0.0/2"), 4));
        assert.ok(!unionCoversWorld(cidrs("0.0.0.0/1", "128.0.0.0/2", "224.0.0.0/3"), 4), "192.0.0.0/3 missing");
        assert.ok(!unionCoversWorld(cidrs("0.0.0.0/1", "128.0.0.0/1"), 6), "IPv4 ranges cover no IPv6");
        assert.ok(unionCoversWorld(cidrs("::/1", "8000::/1"), 6));
        assert.ok(!unionCoversWorld(cidrs("198.51.100.0/24", "203.0.113.17/32"), 4));
    });

    it("exposureProblems: none for the committed networks; the operators' union and its path otherwise", () => {
        for (const stack of ["prod", "staging"] as const) {
            const n = stackDoc(stack).config["dataplat:network"];
            assert.deepEqual(exposureProblems({ operatorCidrs: n.operatorCidrs, frontendPublicHttps: n.frontendPublicHttps }), []);
        }
        const [p, ...rest] = exposureProblems({ operatorCidrs: ["10.0.0.0/8", "0.0.0.0/1", "128.0.0.0/1"], frontendPublicHttps: true });
        assert.equal(rest.length, 0);
        assert.equal(p.path, "network.operatorCidrs");
    });

    it("the tier policies planned from the committed configs are least-privilege, and a wildcard is named at its grant", () => {
        for (const stack of ["prod", "staging"] as const) {
            const raw = rawFromDoc(stackDoc(stack));
            const { config, region } = parseStackConfig(raw.config, new Set(raw.secretKeys));
            const planned = plannedGrants(config, region);
            assert.ok(Object.values(planned).flat().length > 5);
            assert.deepEqual(plannedPolicyProblems(planned, statementsFor), []);
        }
        const arn = standInArn("bucket", "b", "us-west-2");
        const problems = plannedPolicyProblems({ etl: [{ kind: "bucket", access: "read", arn, path: "buckets.b.readers[0]" }] }, () => [
            { Effect: "Allow", Action: ["s3:GetObject"], Resource: ["*"] },
        ]);
        assert.deepEqual(
            problems.map((p) => p.path),
            ["buckets.b.readers[0]"],
        );
        assert.match(problems[0].message, /the etl tier's policy would not be least-privilege: statement 0: resource '\*'/);
    });

    it("essentialHostProblems and placementProblems: nothing for the committed configs, the path of a stray host", () => {
        const doc = stackDoc("prod");
        const cp = parseControlPlaneConfig(doc.config["dataplat:controlPlane"]);
        assert.deepEqual(
            essentialHostProblems(
                cp,
                cp.computeNodes.map((n) => n.name),
            ),
            [],
        );
        assert.deepEqual(
            essentialHostProblems(cp, ["cn-1"]).map((p) => p.path),
            ["controlPlane.essentials.binder.hosts[2]", "controlPlane.essentials.manatee.hosts[2]", "controlPlane.essentials.moray.hosts[2]"],
        );
        const platform = parsePlatformConfig(doc.config["dataplat:platform"]);
        assert.deepEqual(
            placementProblems(
                platform,
                platform.hosts.map((h) => h.name),
            ),
            [],
        );
        const missing = placementProblems(
            platform,
            platform.hosts.map((h) => h.name).filter((h) => h !== "app-1"),
        );
        assert.ok(missing.length > 0 && missing.every((p) => p.path === "platform.services" && /"app-1"/.test(p.message)));
    });
});
