/**
 * Settings of backups as units, shared by the platform's backups and the control plane's headnode backup.
 * The unit rules themselves (ops/platform/backupunit.ts) stay with the shell toolkit that renders them.
 */
import { z } from "zod";
import { DEFAULT_MAX_CLOCK_SKEW_SECONDS, STAMP_EXAMPLE, parseStamp } from "../platform/backupunit";

/** A backup unit's stamp (ops/platform/backupunit.ts), as an operator names one to restore on purpose. */
export const backupStamp = z
    .string()
    .refine(
        (s) => parseStamp(s) !== undefined,
        `expected a backup stamp such as ${STAMP_EXAMPLE} (the name of a unit's folder in the bucket: UTC time to the nanosecond, then the host)`,
    );

/** How far a backup host's clock may be from S3's before a backup fails (and a stamp counts as skewed). */
export const maxClockSkewSeconds = z
    .number()
    .int("expected whole seconds")
    .min(1, "expected seconds > 0")
    .max(3600, "expected at most 3600 seconds")
    .default(DEFAULT_MAX_CLOCK_SKEW_SECONDS);
