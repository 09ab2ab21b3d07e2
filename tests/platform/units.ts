/** Backup units in moto's S3 as the tests arrange and inspect them (ops/platform/backupunit.ts). */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { MANIFEST_NAME, formatStamp, readManifest, renderManifest, type Manifest } from "../../ops/platform/backupunit";
import type { MotoPeer } from "../peers/moto/harness";

/** The stamp a host with a clock `offsetSeconds` off takes now. */
export function stampNow(host: string, offsetSeconds = 0): string {
    const ms = Date.now() + offsetSeconds * 1000;
    return formatStamp(Math.floor(ms / 1000), (ms % 1000) * 1_000_000 + Math.floor(Math.random() * 1_000_000), host);
}

const iso = (seconds: number) => new Date(seconds * 1000).toISOString().replace(/\.\d{3}Z$/, "Z");
export const sha256 = (data: Buffer) => createHash("sha256").update(data).digest("hex");

/** Write a complete unit as a backup run would: parts first, then the manifest with their S3 LastModified. */
export async function stageUnit(
    moto: MotoPeer,
    bucket: string,
    root: string,
    kind: string,
    stamp: string,
    parts: readonly (readonly [string, Buffer])[],
): Promise<Manifest> {
    const listed = [];
    for (const [name, body] of parts) {
        await moto.putObject(bucket, `${root}/${stamp}/${name}`, body);
        const head = await moto.headObject(bucket, `${root}/${stamp}/${name}`);
        listed.push({ name, size: body.length, sha256: sha256(body), lastModified: iso(head.lastModifiedSeconds) });
    }
    const manifest: Manifest = { kind, stamp, host: stamp.slice(stamp.indexOf("Z-") + 2), parts: listed };
    await moto.putObject(bucket, `${root}/${stamp}/${MANIFEST_NAME}`, renderManifest(manifest));
    return manifest;
}

/** The stamps under `root` that have a manifest. */
export async function unitStamps(moto: MotoPeer, bucket: string, root: string): Promise<string[]> {
    return (await moto.listKeys(bucket, `${root}/`))
        .filter((k) => k.endsWith(`/${MANIFEST_NAME}`))
        .map((k) => k.slice(root.length + 1, -MANIFEST_NAME.length - 1));
}

/** Read a unit's manifest and check every part against it (size, sha256, S3 LastModified); returns the parts' bodies. */
export async function readUnit(
    moto: MotoPeer,
    bucket: string,
    root: string,
    kind: string,
    stamp: string,
    parts: readonly string[] | "any",
): Promise<Map<string, Buffer>> {
    const text = (await moto.getObject(bucket, `${root}/${stamp}/${MANIFEST_NAME}`)).toString();
    const read = readManifest(text, { kind, stamp, parts });
    assert.ok(read.ok, read.ok ? "" : read.problem);
    const out = new Map<string, Buffer>();
    for (const p of read.manifest.parts) {
        const body = await moto.getObject(bucket, `${root}/${stamp}/${p.name}`);
        const head = await moto.headObject(bucket, `${root}/${stamp}/${p.name}`);
        assert.equal(body.length, p.size, p.name);
        assert.equal(sha256(body), p.sha256, p.name);
        assert.equal(iso(head.lastModifiedSeconds), p.lastModified, p.name);
        out.set(p.name, body);
    }
    return out;
}
