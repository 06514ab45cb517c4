// Usable tokens and their users, remembered by token hash so that a read costs a hash and a map
// lookup instead of two queries. Never at the price of a stale answer: any write to a token's row
// (revocation, last use) or to the users table drops entries the moment it happens, on this
// connection, and any commit by another connection (the CLI, a second server) drops them all before
// the next lookup. Expiry is checked against the clock on every lookup.
import type Database from "better-sqlite3";
import { OtherConnectionCommits, watchRows } from "../db/change-watch.js";
import { lastUseRecentUntil, type ApiToken } from "../db/tokens.js";
import type { User } from "../db/users.js";

export interface Credential {
  token: ApiToken;
  user: User;
}

/** Enough for every token of a large team; past it the oldest entries make room. */
export const TOKEN_CACHE_ENTRIES = 10_000;

interface Entry {
  credential: Credential;
  /** Epoch ms until which a use need not be written down (`lastUseRecentUntil`). */
  recentUntil: number;
}

export class TokenCache {
  private readonly byHash = new Map<string, Entry>();
  private readonly hashOfToken = new Map<number, string>();
  private seenCommits: number;
  // `now` changes once a second; its epoch value is parsed once.
  private lastNow = "";
  private lastNowMs = NaN;

  /** Attaches to `sqlite`; any commit by another connection (`otherCommits`) drops every entry. */
  constructor(
    private readonly sqlite: Database.Database,
    private readonly otherCommits: OtherConnectionCommits,
    private readonly maxEntries = TOKEN_CACHE_ENTRIES,
  ) {
    watchRows(
      sqlite,
      "cargohold_token_changed",
      [
        { event: "UPDATE ON main.api_tokens", report: ["OLD.id"] },
        { event: "DELETE ON main.api_tokens", report: ["OLD.id"] },
      ],
      (tokenId) => this.forget(Number(tokenId)),
    );
    watchRows(
      sqlite,
      "cargohold_token_user_changed",
      [
        { event: "UPDATE ON main.users", report: ["OLD.id"] },
        { event: "DELETE ON main.users", report: ["OLD.id"] },
      ],
      () => this.clear(),
    );
    this.seenCommits = otherCommits.generation();
  }

  /**
   * The token with this hash and its user, if remembered, unexpired at `now` (`YYYY-MM-DDTHH:MM:SSZ`)
   * and with a last use recorded recently enough that nothing needs writing; else undefined.
   */
  find(hash: string, now: string): Credential | undefined {
    const commits = this.otherCommits.generation();
    if (commits !== this.seenCommits) {
      this.seenCommits = commits;
      this.clear();
    }
    const found = this.byHash.get(hash);
    if (!found) return undefined;
    const { expiresAt } = found.credential.token;
    if (expiresAt !== null && expiresAt <= now) return undefined;
    if (now !== this.lastNow) {
      this.lastNow = now;
      this.lastNowMs = Date.parse(now);
    }
    return this.lastNowMs <= found.recentUntil ? found.credential : undefined;
  }

  /** Remembers an active token of an enabled user just read from committed rows (not inside a transaction). */
  remember(hash: string, credential: Credential): void {
    if (this.sqlite.inTransaction) return;
    this.forget(credential.token.id);
    if (this.byHash.size >= this.maxEntries) {
      const oldest = this.byHash.values().next().value;
      if (oldest) this.forget(oldest.credential.token.id);
    }
    this.byHash.set(hash, { credential, recentUntil: lastUseRecentUntil(credential.token.lastUsedAt) });
    this.hashOfToken.set(credential.token.id, hash);
  }

  forget(tokenId: number): void {
    const hash = this.hashOfToken.get(tokenId);
    if (hash === undefined) return;
    this.byHash.delete(hash);
    this.hashOfToken.delete(tokenId);
  }

  clear(): void {
    this.byHash.clear();
    this.hashOfToken.clear();
  }

  get size(): number {
    return this.byHash.size;
  }
}
