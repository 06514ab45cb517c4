// JSON columns: arrays and objects are stored as text.

/** Parses a JSON column written by this application. */
export function fromJson<T>(text: string): T {
  return JSON.parse(text) as T;
}

/** Parses a nullable JSON column. */
export function fromJsonOrNull<T>(text: string | null): T | null {
  return text === null ? null : (JSON.parse(text) as T);
}
