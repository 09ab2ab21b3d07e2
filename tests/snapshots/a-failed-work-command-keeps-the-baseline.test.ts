// Issue 9, point 4: the `deployed` baseline moves only when the update's work is done. The program is run under
// Pulumi's mocks with one work command failing (as a drain's join wait, a rollout, a service start, a recovery, a
// fleet create or an emergency stop fails during `pulumi up`): the `deployed` output then never resolves, so the
// engine keeps the previous one, while outputs that do not wait for that work still resolve. Without any failure,
// `deployed` resolves. This runs the whole program, not gatedSnapshot alone: a section that forgot to hand over a
// gate fails here.

import assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import { evaluateStack, PROJECT } from "../../stacks/offline/evaluate";
import { OfflineMocks } from "../../stacks/offline/mocks";
import { program } from "../../stacks/program";
import { deepClone, rawFromDoc, stackDoc } from "../support/graph";

type Doc = { config: Record<string, any> };
type Settled = "resolved" | "rejected" | "pending";

/** How an Output settles within `ms` (the mock runtime settles everything it can at once). */
async function settle(o: unknown, ms = 2000): Promise<Settled> {
    const promise = (pulumi.output(o) as unknown as { promise(): Promise<unknown> }).promise();
    return Promise.race([
        promise.then(
            () => "resolved" as const,
            () => "rejected" as const,
        ),
        new Promise<Settled>((r) => setTimeout(() => r("pending"), ms)),
    ]);
}

/** Runs the program for `doc` against `previousOutputs`, failing every resource `fails` names. */
async function runFailing(
    doc: Doc,
    previousOutputs: Record<string, unknown>,
    fails: RegExp,
): Promise<{ failed: string[]; deployed: Settled; others: Settled }> {
    const raw = rawFromDoc(doc);
    const failed: string[] = [];
    const mocks = new OfflineMocks({ region: raw.config["aws:region"] ?? "us-east-1", previousOutputs, preview: false });
    const newResource = mocks.newResource.bind(mocks);
    mocks.newResource = (args) => {
        if (fails.test(args.name)) {
            failed.push(args.name);
            throw new Error(`${args.name}: the command failed (injected)`);
        }
        return newResource(args);
    };
    await pulumi.runtime.setMocks(mocks, PROJECT, "prod", false, "organization");
    pulumi.runtime.setAllConfig(raw.config, raw.secretKeys);
    let returned: Record<string, unknown> = {};
    try {
        await pulumi.runtime.runInPulumiStack(async () => {
            returned = await program();
            return returned;
        });
    } catch {
        // The failed resource fails the stack's outputs as a whole: what matters is which outputs settle.
    }
    const result = { failed, deployed: await settle(returned.deployed), others: await settle(returned.securityGroups) };
    await pulumi.runtime.disconnect().catch(() => undefined);
    return result;
}

describe("a failed work command leaves the deployed baseline where it was (whole program under mocks)", function () {
    this.timeout(300_000);
    const prod = stackDoc("prod") as Doc;
    const emergency = (() => {
        const d = deepClone(prod);
        d.config["dataplat:emergency"] = { active: true, reason: "cluster red" };
        return d;
    })();
    let deployed: Record<string, unknown>;
    before(async () => {
        deployed = (await evaluateStack({ stack: "prod", config: rawFromDoc(prod) })).outputs;
    });

    it("nothing fails: deployed resolves", async () => {
        const r = await runFailing(prod, deployed, /^$/);
        assert.deepEqual(r, { failed: [], deployed: "resolved", others: "resolved" });
    });

    const CASES: readonly { readonly what: string; readonly doc: () => Doc; readonly fails: RegExp }[] = [
        { what: "a search data node's join wait (its drain command's create)", doc: () => prod, fails: /^activedata-search-backup-2-g\d+-[0-9a-f]+-drain$/ },
        { what: "the search endpoint's readiness wait", doc: () => prod, fails: /^activedata-search-ready$/ },
        { what: "an origin's rollout", doc: () => prod, fails: /^activedata-origin-kraken-origin-master02-sjc1-rollout$/ },
        { what: "a platform service start (a NameNode)", doc: () => prod, fails: /^activedata-platform-master-1-namenode$/ },
        { what: "a platform backup timer's install", doc: () => prod, fails: /^activedata-platform-master-3-metadata-backup$/ },
        { what: "the headnode's recovery", doc: () => prod, fails: /^activedata-controlplane-headnode-g\d+-[0-9a-f]+-recovery$/ },
        { what: "the ETL fleet", doc: () => prod, fails: /^activedata-etl-fleet$/ },
        { what: "an emergency stop (the shard balancer)", doc: () => emergency, fails: /^activedata-emergency-stop-balancer$/ },
    ];
    for (const c of CASES) {
        it(`${c.what} fails: deployed never resolves, outputs that do not wait for it do`, async () => {
            const r = await runFailing(c.doc(), deployed, c.fails);
            assert.equal(r.failed.length, 1, `exactly one resource failed: ${r.failed.join(", ") || "none matched"}`);
            assert.notEqual(r.deployed, "resolved", `deployed ${r.deployed} after ${r.failed[0]} failed`);
            assert.equal(r.others, "resolved");
        });
    }
});
