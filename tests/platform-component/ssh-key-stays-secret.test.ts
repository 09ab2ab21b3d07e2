import assert from "node:assert/strict";
import { MockedResource } from "../../stacks/offline/mocks";
import { readStackFile } from "../../stacks/offline/stackfile";
import { serviceCommands } from "../../ops/platform/scripts";
import { committedStack, stackDoc, stackFile } from "../support/graph";
import { platformConfigOf } from "./support";
import { rawResources, SECRET_SIG_KEY, unwrapSecret } from "./raw-inputs";

const KEY = "offline-placeholder-for-secret-dataplat:sshPrivateKey";

/** Every string in `v` that is not inside a secret wrapper. */
function plainStrings(v: unknown, out: string[] = []): string[] {
    if (typeof v === "string") out.push(v);
    else if (Array.isArray(v)) v.forEach((x) => plainStrings(x, out));
    else if (v && typeof v === "object" && !(SECRET_SIG_KEY in v)) Object.values(v).forEach((x) => plainStrings(x, out));
    return out;
}

describe("the SSH private key of the platform and control plane commands", () => {
    let raw: MockedResource[];
    before(async function () {
        this.timeout(60_000);
        // Settle the committed graph first so no other evaluation runs while this one does.
        await committedStack("prod");
        raw = await rawResources("prod", readStackFile(stackFile("prod")));
    });

    it("is passed only inside each command's connection, which Pulumi keeps secret", async () => {
        const commands = raw.filter((r) => r.type === "command:remote:Command" && /^activedata-(platform|controlplane)-/.test(r.name));
        // prod: 29 service commands, 4 backup timers, the headnode recovery.
        assert.equal(commands.length, serviceCommands(platformConfigOf(stackDoc("prod"))).length + 4 + 1);
        const g = await committedStack("prod");
        const ips = { ...(g.outputs.platform as { hostIps: Record<string, string> }).hostIps };
        for (const c of commands) {
            const connection = unwrapSecret(c.inputs.connection) as Record<string, unknown> | undefined;
            assert.ok(connection, `${c.name}: the connection is a secret`);
            assert.equal(connection.privateKey, KEY, c.name);
            assert.equal(connection.dialErrorLimit, 40);
            if (c.name.startsWith("activedata-platform-")) {
                const host = Object.keys(ips).find((h) => c.name.startsWith(`activedata-platform-${h}-`))!;
                assert.deepEqual(
                    { ...connection, privateKey: "-" },
                    { host: ips[host], user: "ec2-user", port: 22, privateKey: "-", dialErrorLimit: 40, perDialTimeout: 15 },
                    c.name,
                );
            } else {
                assert.equal(connection.host, (g.outputs.controlPlane as { headnodeIp: string }).headnodeIp);
                assert.equal(connection.user, "root");
            }
        }
    });

    it("never appears in plaintext: not in any other input of any resource, nor in the printed graph", async () => {
        for (const r of raw) for (const s of plainStrings(r.inputs)) assert.ok(!s.includes(KEY), `${r.type}::${r.name} holds the key in plaintext`);
        const g = await committedStack("prod");
        assert.ok(!JSON.stringify(g).includes(KEY));
        assert.ok(!JSON.stringify(g).includes("sshPrivateKey"), "not even its name reaches a resource");
    });
});
