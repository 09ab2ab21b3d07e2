// Every invalid config and every refused change fails before the program registers its first resource, in a
// real preview (every computed value unknown, so nothing inside an apply() runs) and with known values (as
// during `pulumi up`). The only thing read first is the stack's reference to itself (the deployed snapshot
// the guardrails compare against). A check inside an apply() on an id, ARN, IP or generated value would pass
// this test in neither mode: at preview it never runs (the evaluation completes), and during `pulumi up` it
// fires after the resources registered before it.

import assert from "node:assert/strict";
import * as iam from "../../ops/security/iam";
import { deepClone, rawFromDoc, stackDoc } from "../support/graph";
import { evaluateStack } from "../../stacks/offline/evaluate";
import { Attempt, attempt, beyondSelfReference, Doc, MODES } from "./support";

const CONFIG_ERROR = /Invalid stack configuration \(dataplat:\*\), nothing was deployed/;
const REFUSED = /Refused by guardrails, nothing was changed/;

function prod(edit: (c: Record<string, any>) => void): Doc {
    const doc = deepClone(stackDoc("prod"));
    edit(doc.config);
    return doc;
}

/** The prod stack file with one secret set to `value` (the offline stack reader cannot decrypt secure values). */
function prodWithSecret(key: string, value: string, edit: (c: Record<string, any>) => void = () => undefined) {
    const raw = rawFromDoc(prod(edit));
    return { config: { ...raw.config, [`dataplat:${key}`]: value }, secretKeys: [...new Set([...raw.secretKeys, `dataplat:${key}`])] };
}

const host = (p: any, name: string) => p.hosts.find((h: { name: string }) => h.name === name);
const searchNode = (s: any, name: string) => [...s.masters, ...s.backupNodes, ...s.spotNodes].find((n: any) => n.name === name);

interface Case {
    readonly what: string;
    readonly config: () => Doc | ReturnType<typeof prodWithSecret>;
    /** The deployed stack, for refusals of a change. */
    readonly previous?: () => Doc;
    readonly says: RegExp[];
    /** Refused by stack config validation (ops/config), before even the self-reference is read. */
    readonly beforeSelfReference?: true;
    /** Run around the evaluation (a regression injected into the program's building blocks). */
    readonly around?: <T>(run: () => Promise<T>) => Promise<T>;
}

/**
 * Config problems: refused by stack config validation (before even the self-reference is read), or by a
 * section's check of its config alone (after it, as every section check runs once the snapshot is read).
 */
const INVALID: Case[] = [
    // tests/foundation/config-validation.test.ts
    {
        what: "an instance type that is not one",
        beforeSelfReference: true,
        config: () => prod((c) => (c["dataplat:hosts"].frontend.instanceType = "huge")),
        says: [CONFIG_ERROR, /hosts\.frontend\.instanceType/],
    },
    {
        what: "an operator CIDR 0.0.0.0/0",
        beforeSelfReference: true,
        config: () => prod((c) => (c["dataplat:network"].operatorCidrs[1] = "0.0.0.0/0")),
        says: [CONFIG_ERROR, /network\.operatorCidrs\[1\]: operator access from anywhere/],
    },
    // Moved from TierSecurityGroups (admin ports to the internet): the operators' networks together.
    {
        what: "operator CIDRs that together are the whole IPv4 internet, on admin ports (SSH)",
        beforeSelfReference: true,
        config: () => prod((c) => (c["dataplat:network"].operatorCidrs = ["0.0.0.0/1", "128.0.0.0/1"])),
        says: [CONFIG_ERROR, /network\.operatorCidrs: together these networks are the whole IPv4 internet, and operators reach admin ports \(ssh/],
    },
    {
        what: "operator CIDRs that together are the whole IPv6 internet",
        beforeSelfReference: true,
        config: () => prod((c) => c["dataplat:network"].operatorCidrs.push("::/1", "8000::/1")),
        says: [CONFIG_ERROR, /network\.operatorCidrs: together these networks are the whole IPv6 internet/],
    },
    // Moved from SearchCluster's endpoint (admin.auth basic without a password, inside an apply).
    {
        what: "an empty supplied search admin password with admin.auth basic",
        beforeSelfReference: true,
        config: () => prodWithSecret("searchAdminPassword", "", (c) => (c["dataplat:search"].admin = { auth: "basic", tls: true, username: "ops" })),
        says: [CONFIG_ERROR, /searchAdminPassword: is empty \(search admin\.auth basic would send no password\)/],
    },
    {
        what: "an empty supplied PostgreSQL password",
        beforeSelfReference: true,
        config: () => prodWithSecret("postgresPassword", "  "),
        says: [CONFIG_ERROR, /postgresPassword: is empty/],
    },
    { what: "an empty SSH key", beforeSelfReference: true, config: () => prodWithSecret("sshPrivateKey", ""), says: [CONFIG_ERROR, /sshPrivateKey: is empty/] },
    // Moved from TierRole (least privilege of a policy whose ARNs are unknown at preview): a regression of the
    // policy builder, injected, is refused on the grants planned from config.
    {
        what: "a tier policy that would not be least-privilege (policy builder regression injected)",
        beforeSelfReference: true,
        config: () => stackDoc("prod"),
        says: [CONFIG_ERROR, /queues\.etl-backlog\.producers\[0\]: the etl tier's policy would not be least-privilege: statement 0: wildcard action 'sqs:\*'/],
        around: async (run) => {
            const original = iam.statementsFor;
            (iam as { statementsFor: typeof iam.statementsFor }).statementsFor = (grants) =>
                original(grants).map((s) => (s.Action.some((a) => a.startsWith("sqs:")) ? { ...s, Action: ["sqs:*"] } : s));
            try {
                return await run();
            } finally {
                (iam as { statementsFor: typeof iam.statementsFor }).statementsFor = original;
            }
        },
    },
    // tests/search-cluster/guardrails-refuse-at-preview.test.ts
    {
        what: "fewer search data nodes than copies",
        config: () => prod((c) => (c["dataplat:search"].replicas = 9)),
        says: [CONFIG_ERROR, /search\.replicas: 9 data nodes cannot hold 10 copies/],
    },
    {
        what: "a search admin endpoint with credentials",
        config: () => prod((c) => (c["dataplat:search"].admin = { endpoint: "http://admin:pw@localhost:9201" })),
        says: [/search\.admin\.endpoint: must not contain credentials/],
    },
    {
        what: "search basic auth over plain http",
        config: () => prod((c) => (c["dataplat:search"].admin = { auth: "basic" })),
        says: [CONFIG_ERROR, /search\.admin\.auth: basic auth over plain http/],
    },
    // tests/platform-component/guardrails-refuse-unsafe-platform-changes.test.ts
    {
        what: "a ZooKeeper ensemble of 2 in prod",
        config: () => prod((c) => (c["dataplat:platform"].services.zookeeper = ["master-1", "master-2"])),
        says: [CONFIG_ERROR, /platform\.services\.zookeeper: ZooKeeper has 2 servers in prod/],
    },
    {
        what: "a prod platform without backups",
        config: () => prod((c) => delete c["dataplat:platform"].backup),
        says: [CONFIG_ERROR, /platform\.backup: prod needs the run book's backups/],
    },
    {
        what: "a platform host in a zone without a subnet",
        config: () => prod((c) => (host(c["dataplat:platform"], "app-1").availabilityZone = "us-west-2d")),
        says: [/platform\.hosts\[7\]\.availabilityZone: no subnet of network\.subnets is in us-west-2d/],
    },
    // The LayeredPlatform host lookup (`no host`): a service on a host the platform does not create.
    {
        what: "a platform service placed on a host that is not declared",
        config: () => prod((c) => (c["dataplat:platform"].services.postgres = "db-9")),
        says: [CONFIG_ERROR, /platform\.services\.postgres: unknown host "db-9"/],
    },
    // The ControlPlane essential-host lookup: an essential on a host that is not a compute node.
    {
        what: "a control-plane essential on a host that is not a compute node",
        config: () => prod((c) => (c["dataplat:controlPlane"].essentials.moray.hosts = ["headnode", "cn-1", "cn-9"])),
        says: [CONFIG_ERROR, /controlPlane\.essentials\.moray\.hosts\[2\]: unknown host "cn-9"/],
    },
    // tests/controlplane/control-plane-guardrails.test.ts
    {
        what: "control-plane essentials only on the headnode",
        config: () =>
            prod((c) => {
                c["dataplat:environment"] = "prod";
                for (const e of ["binder", "manatee", "moray"]) c["dataplat:controlPlane"].essentials[e].hosts = ["headnode"];
            }),
        says: [CONFIG_ERROR, /controlPlane\.essentials: /],
    },
    // tests/spot-fleet/growth-is-capped-and-unsafe-changes-are-refused.test.ts
    {
        what: "a spot budget above the spend ceiling",
        config: () => prod((c) => (c["dataplat:spotFleets"].etl.budget = 5)),
        says: [/spotFleets\.etl\.budget: budget \(5 \$\/h\) must be <= spendCeiling/],
    },
];

const deployed = () => stackDoc("prod");
const hashstate = (c: Record<string, any>) => c["dataplat:origin"].hashstate;

/** Unsafe changes against the deployed prod stack: refused after reading the self-reference, before anything else. */
const REFUSED_CHANGES: Case[] = [
    {
        what: "a new prefix",
        config: () => prod((c) => (c["dataplat:prefix"] = "activedata2")),
        previous: deployed,
        says: [REFUSED, /prefix: changing 'activedata' to 'activedata2'/],
    },
    // tests/origin-cluster (the OriginCluster's own `refused` throw is behind this refusal)
    {
        what: "two hashstate changes in one update (add and re-weight)",
        config: () =>
            prod((c) => {
                hashstate(c)["kraken-origin-master05-sjc1"] = { label: "origin4", weight: 15000 };
                hashstate(c)["kraken-origin-master01-sjc1"].weight = 20000;
            }),
        previous: deployed,
        says: [REFUSED, /origin\.hashstate: refused: this hashstate change is not a single add, remove, re-weight or host replacement/],
    },
    {
        what: "an origin replica-count change",
        config: () => prod((c) => (c["dataplat:origin"].replicas = 2)),
        previous: deployed,
        says: [REFUSED, /origin\.replicas: refused: replicas changes from 3 to 2/],
    },
    // tests/spot-fleet/growth-is-capped-and-unsafe-changes-are-refused.test.ts
    {
        what: "a spend-ceiling change on the running fleet",
        config: () => prod((c) => (c["dataplat:spotFleets"].etl.spendCeiling = 6)),
        previous: deployed,
        says: [REFUSED, /spotFleets\.etl\.spendCeiling: changing it \(4 -> 6\)/],
    },
    // tests/platform-component/guardrails-refuse-unsafe-platform-changes.test.ts
    {
        what: "two platform workers replaced at once",
        config: () =>
            prod((c) => {
                host(c["dataplat:platform"], "worker-2").generation = 1;
                host(c["dataplat:platform"], "worker-4").instanceType = "r6i.8xlarge";
            }),
        previous: deployed,
        says: [REFUSED, /platform \(worker-disruption\): Data Storage Layer: this update would replace or remove 2 worker hosts at once/],
    },
    // tests/search-cluster/guardrails-refuse-at-preview.test.ts
    {
        what: "two search data nodes replaced at once",
        config: () =>
            prod((c) => {
                searchNode(c["dataplat:search"], "backup-1").generation = 1;
                searchNode(c["dataplat:search"], "spot-4").instanceType = "r6id.4xlarge";
            }),
        previous: deployed,
        says: [REFUSED, /would drain 2 data nodes at once: backup-1 \(replaced: generation\), spot-4 \(replaced: instanceType\)/],
    },
    // tests/controlplane/control-plane-guardrails.test.ts
    {
        what: "two control-plane hosts carrying essentials replaced at once",
        config: () =>
            prod((c) => {
                c["dataplat:controlPlane"].computeNodes[0].generation = 1;
                c["dataplat:controlPlane"].computeNodes[1].generation = 1;
            }),
        previous: deployed,
        says: [REFUSED, /controlPlane \(essential-disruption\): this update would replace or remove 2 hosts that carry essentials at once/],
    },
    {
        what: "removing the whole origin section",
        config: () => prod((c) => delete c["dataplat:origin"]),
        previous: deployed,
        says: [REFUSED, /origin: removing the whole section would delete everything it deployed/],
    },
];

function describeRegistrations(a: Attempt): string {
    return a.registered.map((r) => `${r.type}::${r.name}`).join(", ") || "(none)";
}

for (const [title, cases] of [
    ["invalid configs fail before the first resource", INVALID],
    ["refused changes fail after reading the deployed snapshot, before the first resource", REFUSED_CHANGES],
] as const) {
    describe(title, function () {
        this.timeout(300_000);
        for (const c of cases) {
            for (const mode of MODES) {
                it(`${c.what} (${mode})`, async () => {
                    const run = () => attempt(c.config(), mode, c.previous?.());
                    const a = await (c.around ? c.around(run) : run());
                    assert.ok(a.error, `expected an error; the evaluation completed with ${a.graph?.resources.length} resources`);
                    for (const p of c.says) assert.match(a.error.message, p);
                    assert.deepEqual(beyondSelfReference(a.registered), [], `registered before the error: ${describeRegistrations(a)}`);
                    if (c.beforeSelfReference)
                        assert.deepEqual(a.registered, [], `a stack config error comes even before the self-reference: ${describeRegistrations(a)}`);
                });
            }
        }
    });
}

describe("the least-privilege check reads the same grants the tier roles are given", function () {
    this.timeout(120_000);

    it("the planned statements (stand-in ARNs) are the deployed policies' statements, ARN for ARN by service", async () => {
        const { plannedGrants } = await import("../../stacks/program");
        const { parseStackConfig } = await import("../../ops/config/parse");
        for (const stack of ["prod", "staging"] as const) {
            const raw = rawFromDoc(stackDoc(stack));
            const { config, region } = parseStackConfig(raw.config, new Set(raw.secretKeys));
            const planned = plannedGrants(config, region);
            const a = await attempt(stackDoc(stack), "known", undefined, stack);
            if (a.error) throw a.error;
            const shape = (statements: readonly { Effect: string; Action: readonly string[]; Resource: readonly string[] }[]) =>
                statements
                    .filter((s) => s.Effect === "Allow")
                    // The mocks give some resources a generic ARN: compare what the check reads, actions and resource shapes.
                    .map((s) => ({ Action: [...s.Action], Resource: s.Resource.map((r) => (r === "*" ? "*" : r.endsWith("/*") ? "<arn>/*" : "<arn>")) }));
            for (const [tier, grants] of Object.entries(planned)) {
                const policy = a.graph!.resources.find((r) => r.type === "aws:iam/rolePolicy:RolePolicy" && r.name === `${config.prefix}-${tier}-role-policy`);
                assert.ok(policy, `${stack}: ${tier} role policy`);
                const deployedStatements = JSON.parse(String(policy.inputs.policy)).Statement;
                assert.deepEqual(shape(iam.statementsFor(grants)), shape(deployedStatements), `${stack}: ${tier}`);
            }
        }
    });
});

// Each guardrail id is proven to fire (and to pass without its cause) by its plan's own fast test
// (tests/*/plan-guardrails-*). What makes every one of them fire before the first resource is that the program
// computes every section's plan before it registers anything: shown here by making each plan fail in turn, in an
// update of the deployed prod stack (its outputs computed first, with the real plans).
describe("every section's plan is computed before the first resource is registered", function () {
    this.timeout(300_000);
    const PLANS: readonly { readonly section: string; readonly module: string; readonly fn: string }[] = [
        { section: "search", module: "../../ops/search/plan", fn: "planSearch" },
        { section: "spot fleets", module: "../../ops/spot/plan", fn: "spotPlan" },
        { section: "origin", module: "../../ops/origin/plan", fn: "originPlan" },
        { section: "platform", module: "../../ops/platform/plan", fn: "platformPlan" },
        { section: "control plane", module: "../../ops/controlplane/plan", fn: "controlPlanePlan" },
        { section: "emergency", module: "../../ops/emergency/plan", fn: "emergencyPlan" },
    ];
    let deployed: Record<string, unknown>;
    before(async () => {
        deployed = (await evaluateStack({ stack: "prod", config: rawFromDoc(stackDoc("prod")) })).outputs;
    });
    for (const p of PLANS) {
        for (const mode of MODES) {
            it(`${p.section} (${p.fn}) (${mode})`, async () => {
                // eslint-disable-next-line @typescript-eslint/no-require-imports
                const mod = require(p.module) as Record<string, unknown>;
                const original = mod[p.fn];
                assert.equal(typeof original, "function", `${p.module} exports ${p.fn}`);
                let calls = 0;
                mod[p.fn] = () => {
                    calls++;
                    throw new Error(`marker: ${p.fn} was asked`);
                };
                let a: Attempt;
                try {
                    a = await attempt(stackDoc("prod"), mode, { outputs: deployed });
                } finally {
                    mod[p.fn] = original;
                }
                assert.equal(calls, 1, `${p.fn} is computed once per update`);
                assert.match(a.error?.message ?? "(no error)", new RegExp(`marker: ${p.fn} was asked`));
                assert.deepEqual(beyondSelfReference(a.registered), [], `registered before ${p.fn}: ${describeRegistrations(a)}`);
            });
        }
    }

    it("without a failing plan the same update registers the whole stack (the marker is what stops it)", async () => {
        const a = await attempt(stackDoc("prod"), "known", { outputs: deployed });
        assert.equal(a.error, undefined);
        assert.ok(beyondSelfReference(a.registered).length > 100, `${a.registered.length} registered`);
    });
});
