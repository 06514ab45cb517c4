// A map that keeps its most recently used entries within a byte budget: the storage under the
// in-memory caches of index files and .crate files. Map order is recency order: a hit moves its
// entry to the end, and room is made by dropping entries from the front.

export class LruBytes<K, V> {
  private readonly entries = new Map<K, { value: V; bytes: number }>();
  private total = 0;

  /** `onDrop` hears of every entry that leaves, whether replaced, deleted, evicted or cleared. */
  constructor(
    private readonly maxBytes: number,
    private readonly onDrop: (key: K, value: V) => void = () => undefined,
  ) {}

  get(key: K): V | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    this.entries.delete(key);
    this.entries.set(key, entry);
    return entry.value;
  }

  /** Stores `value` as the most recent entry and returns true, unless it alone exceeds the budget. */
  set(key: K, value: V, bytes: number): boolean {
    if (bytes > this.maxBytes) return false;
    this.delete(key);
    this.entries.set(key, { value, bytes });
    this.total += bytes;
    for (const oldest of this.entries.keys()) {
      if (this.total <= this.maxBytes) break;
      this.delete(oldest);
    }
    return true;
  }

  delete(key: K): void {
    const entry = this.entries.get(key);
    if (!entry) return;
    this.entries.delete(key);
    this.total -= entry.bytes;
    this.onDrop(key, entry.value);
  }

  clear(): void {
    for (const key of [...this.entries.keys()]) this.delete(key);
  }

  get size(): { entries: number; bytes: number } {
    return { entries: this.entries.size, bytes: this.total };
  }
}
