// Locates files shipped with the package (views, migrations, static assets) whether the code runs
// from src/ (tests) or from dist/ (production): both sit one level below the package root.
import { fileURLToPath } from "node:url";

export const packageRoot = fileURLToPath(new URL("..", import.meta.url));
