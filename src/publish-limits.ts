// Per-user publish rate limits, as crates.io has them: a burst, then a steady rate (a token bucket
// per user and kind). Kept in memory: a restart forgives everyone, which is acceptable for a limit
// meant to stop runaway scripts, not to meter.

export interface BucketRule {
  /** Publishes allowed at once. */
  burst: number;
  /** Seconds until one more publish is allowed. */
  refillSeconds: number;
}

export type PublishKind = "new-crate" | "new-version";

export interface PublishLimiter {
  /** Seconds to wait before `userId` may publish this kind again; 0 when allowed now. Does not consume. */
  waitSeconds(userId: number, kind: PublishKind, now: Date): number;
  /** Records one publish. */
  consume(userId: number, kind: PublishKind, now: Date): void;
}

/** A limiter applying `rules` per user; a rule with burst 0 disables that limit. */
export function createPublishLimiter(rules: Record<PublishKind, BucketRule>): PublishLimiter {
  const buckets = new Map<string, { tokens: number; at: number }>();

  /** The bucket of a user, refilled up to now. */
  const bucket = (userId: number, kind: PublishKind, now: Date) => {
    const rule = rules[kind];
    const key = `${kind}:${userId}`;
    const b = buckets.get(key) ?? { tokens: rule.burst, at: now.getTime() };
    const refilled = Math.floor((now.getTime() - b.at) / (rule.refillSeconds * 1000));
    if (refilled > 0) {
      b.tokens = Math.min(rule.burst, b.tokens + refilled);
      b.at = b.tokens === rule.burst ? now.getTime() : b.at + refilled * rule.refillSeconds * 1000;
    }
    buckets.set(key, b);
    return b;
  };

  return {
    waitSeconds(userId, kind, now) {
      if (rules[kind].burst === 0) return 0;
      const b = bucket(userId, kind, now);
      if (b.tokens > 0) return 0;
      return Math.max(1, Math.ceil((b.at + rules[kind].refillSeconds * 1000 - now.getTime()) / 1000));
    },
    consume(userId, kind, now) {
      if (rules[kind].burst === 0) return;
      const b = bucket(userId, kind, now);
      b.tokens = Math.max(0, b.tokens - 1);
    },
  };
}
