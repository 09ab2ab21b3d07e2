import { StackConfig } from "../../ops/config/schema";
import { StackSection } from "./section";
import { searchSection } from "./search";
import { platformSection } from "./platform";
import { controlPlaneSection } from "./controlplane";
import { spotSection } from "./spot";
import { originSection } from "./origin";

/**
 * The platform sections, in the order they are declared. Each is configured by an optional top-level
 * key of the stack config; a section whose key is absent registers nothing.
 */
export const SECTIONS: readonly StackSection<keyof StackConfig, unknown>[] = [
    originSection,
    spotSection,
    platformSection,
    controlPlaneSection,
    searchSection,
    // sections: one line per section, added as each lands
];
