// Sparse-index file paths: where cargo looks for a crate's index file (cargo's `make_dep_path`,
// cargo-protocol.md §1.3), and the reverse mapping used to answer `GET /index/<path>`.
import { MAX_CRATE_NAME_LENGTH } from "./names.js";

/**
 * The index path of a crate, from its lowercased name: `1/a`, `2/ab`, `3/a/abc`, `ab/cd/abcd`.
 * Why not canonical: cargo keeps `-` and `_` as written, so `my-crate` lives at `my/-c/my-crate`.
 * The name must be non-empty (a validated crate name); an empty one is a programming error and throws.
 */
export function indexPath(name: string): string {
  const lower = name.toLowerCase();
  switch (lower.length) {
    case 0:
      throw new TypeError("indexPath needs a non-empty crate name");
    case 1:
      return `1/${lower}`;
    case 2:
      return `2/${lower}`;
    case 3:
      return `3/${lower[0]}/${lower}`;
    default:
      return `${lower.slice(0, 2)}/${lower.slice(2, 4)}/${lower}`;
  }
}

/**
 * The lowercased crate name a request path (the part after `/index/`) asks for, or undefined when the
 * path is not exactly the one cargo would compute for that name (the caller answers 404).
 * Uppercase paths are refused because cargo always lowercases; the caller looks the name up case-insensitively
 * but must keep `-` and `_` apart, since cargo's `-`/`_` permutation probes expect a 404.
 */
export function nameFromIndexPath(path: string): string | undefined {
  const name = path.slice(path.lastIndexOf("/") + 1);
  if (name.length === 0 || name.length > MAX_CRATE_NAME_LENGTH) return undefined;
  if (!/^[a-z0-9_-]+$/.test(name)) return undefined;
  return indexPath(name) === path ? name : undefined;
}
