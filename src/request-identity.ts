// Remembers who made a request (user and token ids, never secrets) and which route handled it, so
// the access log and the metrics can name them.
import type { IncomingMessage } from "node:http";

export interface RequestIdentity {
  userId?: number;
  tokenId?: number;
  /** Why authentication failed, when it did (for logs and metrics). */
  authFailure?: string;
  /** The route pattern that handled the request (Express may have reset req.route by the time it finishes). */
  route?: string;
}

const identities = new WeakMap<IncomingMessage, RequestIdentity>();

export function noteIdentity(req: IncomingMessage, identity: RequestIdentity): void {
  identities.set(req, { ...identities.get(req), ...identity });
}

export function identityOf(req: IncomingMessage): RequestIdentity {
  return identities.get(req) ?? {};
}
