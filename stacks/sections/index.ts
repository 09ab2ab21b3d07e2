import { StackConfig } from "../../ops/config/schema";
import { StackSection } from "./section";

/**
 * The platform sections, in the order they are declared. Each is configured by an optional top-level
 * key of the stack config; a section whose key is absent registers nothing.
 */
export const SECTIONS: readonly StackSection<keyof StackConfig>[] = [
    // sections: one line per section, added as each lands
];
