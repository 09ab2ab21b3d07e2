/**
 * Pulumi entry point (Pulumi.yaml `main`). The program lives in program.ts so that tests and the
 * offline synth can evaluate it under Pulumi's mocks.
 */
import * as pulumi from "@pulumi/pulumi";
import { MINIMUM_PULUMI_CLI, program } from "./program";

export = async (): Promise<Record<string, unknown>> => {
    // Before anything is registered: an older engine would ignore `replaceWith` and let a replaced search
    // node go without its drain. (Pulumi's mocks have no engine to ask, so the offline evaluation skips this.)
    await pulumi.requirePulumiVersion(MINIMUM_PULUMI_CLI);
    return program();
};
