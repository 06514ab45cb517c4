// The request type of handlers written against Node's own http API only, so that they run the same
// behind Express's router and on the lean path (lean-reads.ts), which bypasses it.
import type { IncomingMessage } from "node:http";

/** A request with its path parameters (Express fills them in; so does the lean path). */
export type NodeRequest = IncomingMessage & { params: Record<string, string | string[] | undefined> };

/** A path parameter as a string (wildcard parameters come as arrays of segments). */
export function pathParam(req: NodeRequest, name: string): string {
  const value = req.params[name];
  return Array.isArray(value) ? value.join("/") : String(value ?? "");
}
