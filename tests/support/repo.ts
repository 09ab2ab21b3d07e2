export { repoRoot } from "../../stacks/offline/root";
