import assert from "node:assert/strict";
import { parseControlPlaneConfig, withBackupBucket, type ControlPlaneConfig } from "../../ops/controlplane/config";
import {
    BACKUP_READY_MARKER,
    RECOVERY_UPDATE_SCRIPT,
    backupUserData,
    essentialChecks,
    firstHeadnodeScript,
    headnodeDatabase,
    recoveryScript,
} from "../../ops/controlplane/scripts";
import { headnodeResourceName } from "../../ops/controlplane/naming";
import { replacementIdentity } from "../../ops/shared/hosts";
import { StackGraph } from "../../stacks/offline/evaluate";
import { byUrn, committedStack, deepClone, evaluateDoc, named, ofType, stackDoc } from "../support/graph";
import { changedResources, COMMAND, INSTANCE } from "../platform-component/support";

type Doc = { config: Record<string, any> };

function prod(edit: (cp: any, doc: Doc) => void = () => undefined): Doc {
    const doc = deepClone(stackDoc("prod"));
    edit(doc.config["dataplat:controlPlane"], doc);
    return doc;
}
const node = (cp: any, name: string) => cp.computeNodes.find((h: { name: string }) => h.name === name);

describe("ControlPlane: headnode backup and recovery (RFD 67)", () => {
    const doc = stackDoc("prod");
    const config: ControlPlaneConfig = parseControlPlaneConfig(doc.config["dataplat:controlPlane"]);
    const subnets: { id: string; availabilityZone: string }[] = doc.config["dataplat:network"].subnets;
    const image: string = doc.config["dataplat:hosts"].imageId;
    const subnetOf = (az: string) => subnets.find((s) => s.availabilityZone === az)!.id;
    const resolvedHead = { ...config.headnode, image, subnet: subnetOf("us-west-2a") };
    /** The headnode's Host and instance, and its recovery command, carry its replacement identity. */
    const HEAD = `activedata-controlplane-${headnodeResourceName(resolvedHead)}`;
    const RECOVERY = `${HEAD}-recovery`;
    let first: StackGraph;
    /** The same config evaluated as an update of itself: the control plane exists. */
    let existing: StackGraph;
    let bucket: string;
    before(async () => {
        first = await committedStack("prod");
        existing = await evaluateDoc(doc, doc, "prod");
        bucket = String(named(first, "aws:s3/bucket:Bucket", "activedata-backups").inputs.bucket);
    });

    it("places the headnode and compute nodes in their zones' subnets, tier controlplane; prod is blessed (3 hosts, 3 zones)", () => {
        const instances = ofType(first, INSTANCE).filter((r) => r.name.startsWith("activedata-controlplane-"));
        assert.match(HEAD, /^activedata-controlplane-headnode-g0-[0-9a-f]{8}$/);
        assert.deepEqual(instances.map((r) => r.name).sort(), [...["cn-1", "cn-2", "cn-3"].map((n) => `activedata-controlplane-${n}`), HEAD]);
        for (const h of [config.headnode, ...config.computeNodes]) {
            const i = named(first, INSTANCE, h.name === "headnode" ? HEAD : `activedata-controlplane-${h.name}`);
            assert.equal(i.inputs.subnetId, subnetOf(h.availabilityZone));
            assert.equal((i.inputs.tags as Record<string, string>).tier, "controlplane");
            assert.equal(i.inputs.associatePublicIpAddress, false);
            // The headnode is only ever replaced as a new resource (by name); compute nodes on user data too.
            assert.equal(i.inputs.userDataReplaceOnChange, h.name !== "headnode");
        }
        const essentialSubnets = new Set(
            config.essentials.manatee.hosts.map((h) => named(first, INSTANCE, h === "headnode" ? HEAD : `activedata-controlplane-${h}`).inputs.subnetId),
        );
        assert.equal(essentialSubnets.size, 3);
        assert.equal((first.outputs.plan as any).controlPlane.blessed, "blessed: binder, manatee and moray each run on 3 hosts in 3 availability zones");
    });

    it("the headnode's user data installs the backup timer every backup.periodMinutes, to the stack's backup bucket; compute nodes carry only their identity", () => {
        const head = named(first, INSTANCE, HEAD);
        const identity = `# dataplat control plane host headnode: ${replacementIdentity(resolvedHead)}\n`;
        assert.equal(head.inputs.userData, `#!/bin/bash\n# dataplat host ${HEAD} generation 0\n${identity}${backupUserData(withBackupBucket(config, bucket))}`);
        assert.match(String(head.inputs.userData), /^OnUnitActiveSec=60min$/m);
        assert.ok(String(head.inputs.userData).includes(`Description=dataplat headnode backup to s3://${bucket}/triton/prod/headnode`));
        assert.ok(String(head.inputs.userData).includes("if [[ ! -e '/var/lib/dataplat/headnode-backup-enabled' ]]; then"));
        const cn = named(first, INSTANCE, "activedata-controlplane-cn-1");
        assert.equal(
            cn.inputs.userData,
            `#!/bin/bash\n# dataplat host activedata-controlplane-cn-1 generation 0\n# dataplat control plane host cn-1: ${replacementIdentity({ ...config.computeNodes[0]!, image, subnet: subnetOf("us-west-2b") })}\n`,
        );
    });

    it("first deployment: the recovery command on the headnode only enables its backups", () => {
        const r = named(first, COMMAND, RECOVERY);
        assert.equal(r.inputs.create, firstHeadnodeScript(BACKUP_READY_MARKER));
        assert.equal(r.inputs.update, RECOVERY_UPDATE_SCRIPT);
        assert.equal(r.inputs.delete, undefined, "deleting the command (with the old headnode) runs nothing");
        assert.equal(r.inputs.connection, "[secret]");
        assert.match((first.outputs.plan as any).controlPlane.headnode, /^first headnode headnode: created, then its backups are enabled/);
    });

    it("is triggered by the headnode's identity and instance id, runs on the headnode, after it and every compute node", () => {
        const r = named(existing, COMMAND, RECOVERY);
        const triggers = r.inputs.triggers as string[];
        assert.equal(triggers[0], `headnode ${replacementIdentity(resolvedHead)}`);
        assert.match(triggers[1]!, /^i-[0-9a-f]{17}$/);
        assert.deepEqual(r.options.replaceOnChanges, ["triggers[*]"]);
        assert.deepEqual(r.explicitDependsOn.map((u) => `${byUrn(existing, u).type}::${byUrn(existing, u).name}`).sort(), [
            ...["cn-1", "cn-2", "cn-3"].map((n) => `dataplat:compute:Host::activedata-controlplane-${n}`),
            `dataplat:compute:Host::${HEAD}`,
        ]);
        const implied = r.dependsOn.filter((u) => !r.explicitDependsOn.includes(u)).map((u) => byUrn(existing, u).name);
        assert.ok(implied.includes(HEAD), "the connection is the headnode's address");
        assert.equal(named(existing, INSTANCE, HEAD).options.deleteBeforeReplace, undefined);
        assert.equal(r.options.deleteBeforeReplace, undefined);
    });

    it("once the control plane exists, the command's create is exactly the recovery script, probing the essentials at the compute nodes' addresses", () => {
        const ips = (existing.outputs.controlPlane as { computeNodeIps: Record<string, string> }).computeNodeIps;
        const withBucket = withBackupBucket(config, bucket);
        const checks = essentialChecks(withBucket, (h) => ips[h]!);
        assert.deepEqual(
            checks.map((c) => `${c.name} ${c.host}:${c.port}`),
            [
                `binder@cn-1 ${ips["cn-1"]}:2181`,
                `binder@cn-2 ${ips["cn-2"]}:2181`,
                `manatee@cn-1 ${ips["cn-1"]}:5432`,
                `manatee@cn-2 ${ips["cn-2"]}:5432`,
                `moray@cn-1 ${ips["cn-1"]}:2020`,
                `moray@cn-2 ${ips["cn-2"]}:2020`,
            ],
        );
        const r = named(existing, COMMAND, RECOVERY);
        assert.equal(r.inputs.create, recoveryScript(withBucket, checks, headnodeDatabase(withBucket), BACKUP_READY_MARKER));
        assert.ok(
            String(r.inputs.create).includes(
                `readonly bucket='${bucket}' unit_root='triton/prod/headnode/units' image_store='/var/imgapi/images' max_age_minutes=60`,
            ),
        );
        assert.equal((existing.outputs.plan as any).controlPlane.headnode, "headnode unchanged");
    });

    /** URNs of `g` that are not in `other`, as `type::name`. */
    const only = (g: StackGraph, other: StackGraph) => {
        const theirs = new Set(other.resources.map((r) => r.urn));
        return g.resources
            .filter((r) => !theirs.has(r.urn))
            .map((r) => `${r.type}::${r.name}`)
            .sort();
    };
    /** Names of the resources present in both graphs whose inputs differ. */
    const changedInBoth = (a: StackGraph, b: StackGraph) => {
        const before = new Map(a.resources.map((r) => [r.urn, JSON.stringify(r.inputs)]));
        return b.resources
            .filter((r) => before.has(r.urn) && before.get(r.urn) !== JSON.stringify(r.inputs))
            .map((r) => r.name)
            .sort();
    };
    const headResources = (head: string) => [`${COMMAND}::${head}-recovery`, `${INSTANCE}::${head}`, `dataplat:compute:Host::${head}`];

    it("names the headnode from its replacement identity, the same on the first deployment and on every update that changes no replacing field", () => {
        assert.equal(named(first, "dataplat:compute:Host", HEAD).urn, named(existing, "dataplat:compute:Host", HEAD).urn);
        assert.deepEqual(named(existing, INSTANCE, HEAD).inputs, named(first, INSTANCE, HEAD).inputs);
        assert.deepEqual(only(first, existing), []);
        assert.deepEqual(only(existing, first), []);
    });

    describe("a headnode replacement (generation bump) is a new resource, not a replacement under the same URN", () => {
        const bumpedDoc = () => prod((cp) => (cp.headnode.generation = 1));
        const HEAD1 = `activedata-controlplane-${headnodeResourceName({ ...resolvedHead, generation: 1 })}`;
        let bumped: StackGraph;
        before(async () => {
            bumped = await evaluateDoc(bumpedDoc(), doc, "prod");
        });

        it("the old headnode's URNs leave the graph and new ones appear, so the engine deletes the old headnode only at the end of a successful update, never as a pending replacement", () => {
            assert.match(HEAD1, /^activedata-controlplane-headnode-g1-[0-9a-f]{8}$/);
            assert.equal(HEAD1.slice(-8), HEAD.slice(-8), "only the generation changed: same hash of the other replacing fields");
            assert.deepEqual(only(existing, bumped), headResources(HEAD).sort(), "old headnode, its instance and its command are no longer declared");
            assert.deepEqual(only(bumped, existing), headResources(HEAD1).sort(), "the new headnode, its instance and its command are created");
            assert.deepEqual(changedInBoth(existing, bumped), [], "nothing that stays changes (compute nodes untouched)");
            assert.ok(String(named(bumped, INSTANCE, HEAD1).inputs.userData).startsWith(`#!/bin/bash\n# dataplat host ${HEAD1} generation 1\n`));
            assert.match(
                (bumped.outputs.plan as any).controlPlane.headnode,
                /^headnode replaced \(generation 0 -> 1\): the new headnode is created, recovery runs on it \(essentials healthy, the newest complete backup unit younger than 60 minutes by S3's LastModified, restore into a scratch database, verify, swap\), and only then is the old headnode deleted, at the end of the update; if recovery fails the old headnode stays untouched/,
            );
        });

        it("no resource of the graph asks for deleteBeforeReplace", () => {
            for (const g of [first, existing, bumped]) {
                assert.deepEqual(
                    g.resources.filter((r) => r.options.deleteBeforeReplace).map((r) => r.name),
                    [],
                );
            }
        });

        it("the new recovery command runs the recovery script on the new headnode, after it and every compute node, and nothing else runs there", () => {
            const r = named(bumped, COMMAND, `${HEAD1}-recovery`);
            const ips = (bumped.outputs.controlPlane as { headnodeIp: string; computeNodeIps: Record<string, string> }).computeNodeIps;
            const withBucket = withBackupBucket(config, bucket);
            assert.equal(
                r.inputs.create,
                recoveryScript(
                    withBucket,
                    essentialChecks(withBucket, (h) => ips[h]!),
                    headnodeDatabase(withBucket),
                    BACKUP_READY_MARKER,
                ),
            );
            assert.ok(String(r.inputs.create).includes(`probe_postgres 'manatee@cn-1' '${ips["cn-1"]}' '5432' 'postgres'`));
            assert.equal(r.inputs.update, RECOVERY_UPDATE_SCRIPT);
            assert.equal(r.inputs.delete, undefined);
            assert.equal(r.inputs.connection, "[secret]");
            assert.deepEqual(r.explicitDependsOn.map((u) => `${byUrn(bumped, u).type}::${byUrn(bumped, u).name}`).sort(), [
                ...["cn-1", "cn-2", "cn-3"].map((n) => `dataplat:compute:Host::activedata-controlplane-${n}`),
                `dataplat:compute:Host::${HEAD1}`,
            ]);
            const host = named(bumped, "dataplat:compute:Host", HEAD1).urn;
            const instance = named(bumped, INSTANCE, HEAD1).urn;
            assert.ok(r.dependsOn.includes(instance), "the connection is the new headnode's address");
            const onHead = bumped.resources.filter((x) => x.type.startsWith("command:") && (x.dependsOn.includes(host) || x.dependsOn.includes(instance)));
            assert.deepEqual(
                onHead.map((x) => x.name),
                [`${HEAD1}-recovery`],
            );
            const headIp = (g: StackGraph) => (g.outputs.controlPlane as { headnodeIp: string }).headnodeIp;
            assert.notEqual(headIp(bumped), headIp(existing), "a new machine, with its own address");
        });

        it("reverting the config gives back the original URNs and inputs: the old headnode and its command are unchanged and the new headnode is no longer declared", async () => {
            const reverted = await evaluateDoc(doc, bumpedDoc(), "prod");
            assert.deepEqual(only(reverted, existing), []);
            assert.deepEqual(only(existing, reverted), []);
            assert.deepEqual(changedInBoth(existing, reverted), []);
            assert.deepEqual(only(bumped, reverted), headResources(HEAD1).sort());
        });
    });

    it("an unrelated edit (moray's port, a compute node's instance type) keeps the headnode's URN and inputs and never replaces the recovery command", async () => {
        const next = await evaluateDoc(
            prod((cp) => {
                cp.essentials.moray.port = 2021;
                node(cp, "cn-3").instanceType = "m5.2xlarge";
            }),
            doc,
            "prod",
        );
        assert.deepEqual(only(existing, next), []);
        assert.deepEqual(only(next, existing), []);
        assert.deepEqual(named(next, INSTANCE, HEAD).inputs, named(existing, INSTANCE, HEAD).inputs);
        assert.equal(named(next, "dataplat:compute:Host", HEAD).urn, named(existing, "dataplat:compute:Host", HEAD).urn);
        assert.deepEqual(named(next, COMMAND, RECOVERY).inputs.triggers, named(existing, COMMAND, RECOVERY).inputs.triggers);
        assert.deepEqual(changedInBoth(existing, next), ["activedata-controlplane-cn-3", RECOVERY].sort());
        assert.ok(String(named(next, COMMAND, RECOVERY).inputs.create).includes("probe_tcp 'moray@cn-1' "), "the edit reaches the command only as an update");
        assert.ok(String(named(next, COMMAND, RECOVERY).inputs.create).includes("' '2021' || unhealthy="));
        assert.equal(named(next, COMMAND, RECOVERY).inputs.update, RECOVERY_UPDATE_SCRIPT);
        assert.equal((next.outputs.plan as any).controlPlane.headnode, "headnode unchanged");
    });

    it("replacing a compute node never re-runs recovery: its new address only updates the command (a no-op update script)", async () => {
        const next = await evaluateDoc(
            prod((cp) => (node(cp, "cn-1").generation = 1)),
            doc,
            "prod",
            { "activedata-controlplane-cn-1": "10.99.99.99" },
        );
        assert.deepEqual(changedResources(existing, next), [`Command::${RECOVERY}`, "Instance::activedata-controlplane-cn-1"]);
        const after = named(next, COMMAND, RECOVERY);
        assert.deepEqual(after.inputs.triggers, named(existing, COMMAND, RECOVERY).inputs.triggers, "same triggers: no replacement, no create");
        assert.ok(String(after.inputs.create).includes("probe_postgres 'manatee@cn-1' '10.99.99.99' '5432' 'postgres'"));
        assert.equal(after.inputs.update, RECOVERY_UPDATE_SCRIPT);
        assert.deepEqual((next.outputs.plan as any).controlPlane.computeNodes, { added: [], replaced: ["cn-1: replaced (generation 0 -> 1)"], removed: [] });
    });

    it("a bucket named in controlPlane.backup.bucket replaces the default", async () => {
        const next = await evaluateDoc(
            prod((cp) => (cp.backup.bucket = "triton-offsite")),
            undefined,
            "prod",
        );
        assert.ok(String(named(next, INSTANCE, HEAD).inputs.userData).includes("readonly bucket='triton-offsite'"));
    });
});

describe("ControlPlane guardrails", () => {
    const deployed = stackDoc("prod");

    it("refuses a prod control plane that is not blessed, as a config error before any resource", async () => {
        const next = prod((cp) => (cp.essentials.moray.hosts = ["headnode", "cn-1", "cn-3"]));
        await assert.rejects(
            evaluateDoc(next, undefined, "prod"),
            /Invalid stack configuration \(dataplat:\*\), nothing was deployed:\n {2}- controlPlane\.essentials: refusing a prod control plane that is not blessed: moray spans 2 availability zones \(us-west-2a, us-west-2b\)/,
        );
    });

    it("lets staging run without the blessed placement, and says so in the plan", async () => {
        const staging = await committedStack("staging");
        assert.match((staging.outputs.plan as any).controlPlane.blessed, /^not blessed \(allowed in staging\): binder \(ZooKeeper\) runs on 2 hosts/);
    });

    it("refuses essentials that run only on the headnode: recovery could check nothing", async () => {
        const next = deepClone(stackDoc("staging"));
        for (const e of ["binder", "manatee", "moray"]) next.config["dataplat:controlPlane"].essentials[e].hosts = ["headnode"];
        await assert.rejects(
            evaluateDoc(next, undefined, "staging"),
            /- controlPlane\.essentials: every essential .* runs only on the headnode headnode; recovery could not check any surviving instance/,
        );
    });

    it("refuses replacing two hosts that carry essentials in one update", async () => {
        const next = prod((cp) => {
            cp.headnode.generation = 1;
            node(cp, "cn-2").generation = 1;
        });
        await assert.rejects(
            evaluateDoc(next, deployed, "prod"),
            /controlPlane \(essential-disruption\): this update would replace or remove 2 hosts that carry essentials at once \(headnode: replaced \(generation 0 -> 1\); cn-2: replaced \(generation 0 -> 1\)\)/,
        );
    });

    it("refuses an edit of the backup settings unless the headnode's generation is bumped with it", async () => {
        await assert.rejects(
            evaluateDoc(
                prod((cp) => (cp.backup.periodMinutes = 30)),
                deployed,
                "prod",
            ),
            /controlPlane \(backup-change\): controlPlane\.backup changed: the backup timer is part of the headnode's user data, so this replaces the headnode headnode/,
        );
        const confirmed = await evaluateDoc(
            prod((cp) => {
                cp.backup.periodMinutes = 30;
                cp.headnode.generation = 1;
            }),
            deployed,
            "prod",
        );
        const head = ofType(confirmed, INSTANCE).filter((r) => /^activedata-controlplane-headnode-g1-[0-9a-f]{8}$/.test(r.name));
        assert.equal(head.length, 1);
        assert.match(String(head[0]!.inputs.userData), /^OnUnitActiveSec=30min$/m);
    });

    it("refuses a control plane without the SSH key, naming sshPrivateKey", async () => {
        const next = prod((_cp, d) => delete d.config["dataplat:sshPrivateKey"]);
        await assert.rejects(evaluateDoc(next, undefined, "prod"), /- sshPrivateKey: required by [^\n]*controlPlane/);
    });
});
