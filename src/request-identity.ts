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

// A symbol-keyed property of the request rather than a WeakMap: every authenticated request notes
// an identity, and a WeakMap entry per request is a measurable cost for the garbage collector.
const IDENTITY = Symbol("cargohold.identity");
type Noted = IncomingMessage & { [IDENTITY]?: RequestIdentity };

export function noteIdentity(req: IncomingMessage, identity: RequestIdentity): void {
  const noted = req as Noted;
  const known = noted[IDENTITY];
  if (known === undefined) noted[IDENTITY] = { ...identity };
  else Object.assign(known, identity);
}

const NOBODY: Readonly<RequestIdentity> = Object.freeze({});

export function identityOf(req: IncomingMessage): Readonly<RequestIdentity> {
  return (req as Noted)[IDENTITY] ?? NOBODY;
}
