/**
 * Pulumi entry point (Pulumi.yaml `main`). The program lives in program.ts so that tests and the
 * offline synth can evaluate it under Pulumi's mocks.
 */
import { program } from "./program";

export = program;
