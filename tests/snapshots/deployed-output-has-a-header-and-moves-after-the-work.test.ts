// The whole `deployed` output: a header {format, project, stack} refuses a foreign or unknown snapshot (a
// header-less one of the previous dataplat is format 0 and accepted), the program reads it through a
// StackReference name that works on every backend, and it resolves only after the sections' work (gates).
import assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import { readDeployedOutput, SNAPSHOT_FORMAT, snapshotHeader } from "../../ops/state/snapshot";
import { gatedSnapshot, readDeployed } from "../../stacks/deployed";
import type { StackGraph } from "../../stacks/offline/evaluate";
import { committedStack, deepClone, evaluateDoc, stackDoc } from "../support/graph";

const self = { project: "dataplat", stack: "prod" };

describe("the deployed output's header", function () {
    this.timeout(120000);
    let prod: StackGraph;
    before(async () => (prod = await committedStack("prod")));

    it("is recorded with the sections: this version's format, this project and stack", () => {
        const deployed = prod.outputs.deployed as Record<string, unknown>;
        assert.deepEqual(deployed.header, { format: SNAPSHOT_FORMAT, project: "dataplat", stack: "prod" });
        assert.deepEqual(snapshotHeader("dataplat", "prod"), deployed.header);
    });

    it("no output, or an empty one, is a first deployment", () => {
        assert.deepEqual(readDeployedOutput(undefined, self), { kind: "first" });
        assert.deepEqual(readDeployedOutput({}, self), { kind: "first" });
    });

    it("strips the header and hands the sections on", () => {
        const read = readDeployedOutput(prod.outputs.deployed, self);
        assert.equal(read.kind, "ok");
        const { header: _, ...sections } = prod.outputs.deployed as Record<string, unknown>;
        assert.deepEqual(read.kind === "ok" && read.sections, sections);
        assert.equal(read.kind === "ok" && read.format, 1);
    });

    it("reads a header-less output of the previous dataplat version as format 0, so existing stacks keep working", () => {
        const { header: _, ...old } = deepClone(prod.outputs.deployed) as Record<string, unknown>;
        const read = readDeployedOutput(old, self);
        assert.equal(read.kind, "ok");
        assert.equal(read.kind === "ok" && read.format, 0);
        assert.deepEqual(read.kind === "ok" && read.sections, old);
    });

    it("refuses another stack's or another project's snapshot, saying how it happens and what to do", () => {
        for (const other of [
            { project: "dataplat", stack: "staging" },
            { project: "kraken", stack: "prod" },
        ]) {
            const read = readDeployedOutput({ ...(prod.outputs.deployed as object), header: { format: 1, ...other } }, self);
            assert.equal(read.kind, "refused");
            const message = (read as { message: string }).message;
            assert.match(
                message,
                new RegExp(`^deployed: the snapshot was written by stack ${other.project}/${other.stack}, not by this stack \\(dataplat/prod\\)`),
            );
            assert.match(message, /pulumi stack import/);
        }
    });

    it("refuses an unknown format (a newer dataplat) and a malformed header", () => {
        const newer = readDeployedOutput({ header: { format: 2, ...self }, foundation: {} }, self);
        assert.equal(newer.kind, "refused");
        assert.match(
            (newer as { message: string }).message,
            /^deployed: it was written in format 2 by a newer dataplat; this version reads formats 0 and 1; .*deploy with that version first/,
        );
        for (const header of [null, "v1", { format: "1", ...self }, { format: 1, project: "dataplat" }]) {
            const read = readDeployedOutput({ header, foundation: {} }, self);
            assert.equal(read.kind, "refused", JSON.stringify(header));
            assert.match((read as { message: string }).message, /^deployed: deployed\.header is not \{format, project, stack\}/);
        }
        for (const value of ["text", 1, [1]]) assert.equal(readDeployedOutput(value, self).kind, "refused");
    });

    it("a stack evaluated against its own previous deployment passes the header check (offline synth)", async () => {
        const doc = stackDoc("prod");
        const g = await evaluateDoc(doc, doc, "prod");
        assert.deepEqual((g.outputs.deployed as any).header, { format: 1, project: "dataplat", stack: "prod" });
    });
});

describe("the deployed output resolves only after the sections' work (gates)", () => {
    it("waits for every gate, keeps the snapshot as it is, and is not secret because a gate is", async () => {
        let finish!: (v: string) => void;
        const slow = pulumi.output(new Promise<string>((resolve) => (finish = resolve)));
        const secretGate = pulumi.secret("stdout with a password");
        const snapshot = { header: snapshotHeader("dataplat", "prod"), origin: { replicas: 3 } };
        const out = gatedSnapshot([slow, secretGate], snapshot);
        let resolved: unknown;
        const seen = out.apply((v) => (resolved = v));
        await new Promise((r) => setTimeout(r, 50));
        assert.equal(resolved, undefined, "not before the slow command completed");
        finish("done");
        await (seen as any).promise();
        assert.deepEqual(resolved, snapshot);
        assert.equal(await (out as any).isSecret, false);
    });

    it("under mocks every gate resolves: deployed holds the header, the foundation and all five sections", async () => {
        const prod = await committedStack("prod");
        // Under mocks every gate resolves: the output is the recorded snapshot, with all five sections.
        assert.deepEqual(Object.keys(prod.outputs.deployed as object).sort(), [
            "controlPlane",
            "foundation",
            "header",
            "origin",
            "platform",
            "search",
            "spotFleets",
        ]);
    });
});

describe("the StackReference to the stack itself, under mocks", function () {
    this.timeout(60000);

    /** Runs readDeployed() in a fresh mock runtime; returns the StackReference names it registered. */
    async function referenceNames(
        organization: string,
        previous?: Record<string, unknown>,
    ): Promise<{ names: string[]; resourceNames: string[]; read: unknown }> {
        const names: string[] = [];
        const resourceNames: string[] = [];
        await pulumi.runtime.setMocks(
            {
                newResource(args) {
                    if (args.type === "pulumi:pulumi:StackReference") {
                        names.push(String(args.inputs.name));
                        resourceNames.push(args.name);
                        return { id: String(args.inputs.name), state: { ...args.inputs, outputs: previous ?? {}, secretOutputNames: [] } };
                    }
                    return { id: `${args.name}-id`, state: args.inputs };
                },
                call: () => ({}),
            },
            "dataplat",
            "prod",
            false,
            organization,
        );
        const read = await readDeployed();
        await pulumi.runtime.disconnect();
        return { names, resourceNames, read };
    }

    it('self-managed backend (organization "organization"): the bare stack name, which both state layouts resolve to this stack', async () => {
        const r = await referenceNames("organization");
        assert.deepEqual(r.names, ["prod"]);
        // The resource keeps its old, fully qualified name: no state churn on existing stacks.
        assert.deepEqual(r.resourceNames, ["organization/dataplat/prod"]);
        assert.equal(r.read, undefined, "no outputs yet: first deployment");
    });

    it("Pulumi Cloud: the fully qualified name in the stack's own organization (a bare name would use the default org)", async () => {
        const r = await referenceNames("acme");
        assert.deepEqual(r.names, ["acme/dataplat/prod"]);
    });

    it("a foreign previous snapshot makes the program refuse before anything is registered", async () => {
        await assert.rejects(
            referenceNames("organization", { deployed: { header: { format: 1, project: "dataplat", stack: "staging" }, foundation: {} } }),
            /Refused by guardrails, nothing was changed:\n {2}- deployed: the snapshot was written by stack dataplat\/staging/,
        );
        await pulumi.runtime.disconnect().catch(() => undefined);
    });

    it("a header-less previous snapshot is read as the sections (format 0)", async () => {
        const r = await referenceNames("organization", { deployed: { foundation: { environment: "prod" } } });
        assert.deepEqual(r.read, { foundation: { environment: "prod" } });
    });
});
