/**
 * The inputs the program registered for each resource as the engine receives them, secrets still
 * wrapped (the evaluated graph prints them as "[secret]"): to check what a secret connection holds.
 * Uses the same mocks as the offline synth; call it only when no other evaluation is running (mocha
 * runs tests one at a time, and every evaluation before it has been awaited).
 */
import * as pulumi from "@pulumi/pulumi";
import { PROJECT } from "../../stacks/offline/evaluate";
import { MockedResource, OfflineMocks } from "../../stacks/offline/mocks";
import { RawStackConfig } from "../../stacks/offline/stackfile";
import { program } from "../../stacks/program";

/** Pulumi's marker of a secret value inside serialized inputs. */
export const SECRET_SIG_KEY = "4dabf18193072939515e22adb298388d";
export const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";

export async function rawResources(stack: string, raw: RawStackConfig): Promise<MockedResource[]> {
    const mocks = new OfflineMocks({ region: raw.config["aws:region"] ?? "us-east-1" });
    await pulumi.runtime.setMocks(mocks, PROJECT, stack, false, "organization");
    pulumi.runtime.setAllConfig(raw.config, raw.secretKeys);
    await pulumi.runtime.runInPulumiStack(() => program());
    await pulumi.runtime.disconnect();
    return mocks.resources;
}

/** The value inside a secret wrapper, or undefined when `v` is not a secret. */
export function unwrapSecret(v: unknown): unknown {
    if (v && typeof v === "object" && (v as Record<string, unknown>)[SECRET_SIG_KEY] === SECRET_SIG) return (v as { value: unknown }).value;
    return undefined;
}
