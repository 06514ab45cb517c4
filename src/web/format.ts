// How dates, lists and numbers read on the pages. Dates are shown in UTC, the zone they are stored in.

const longDate = new Intl.DateTimeFormat("en-US", { dateStyle: "long", timeZone: "UTC" });
const time = new Intl.DateTimeFormat("en-GB", { hour: "2-digit", minute: "2-digit", timeZone: "UTC" });
// "a, b and c": the form the token pages use for scopes and crate patterns.
const conjunction = new Intl.ListFormat("en-GB", { style: "long", type: "conjunction" });
const integer = new Intl.NumberFormat("en-US");

/** "March 5, 2026" from an ISO timestamp or a Date. */
export function formatDate(value: string | Date): string {
  return longDate.format(typeof value === "string" ? new Date(value) : value);
}

/** "March 5, 2026 at 14:03 UTC". */
export function formatDateTime(value: string | Date): string {
  const date = typeof value === "string" ? new Date(value) : value;
  return `${longDate.format(date)} at ${time.format(date)} UTC`;
}

/** "publish-new, publish-update and yank". */
export function formatList(items: readonly string[]): string {
  return conjunction.format(items);
}

/** "1,234". */
export function formatNumber(n: number): string {
  return integer.format(n);
}

/** "1 token", "2 tokens". */
export function plural(n: number, word: string, pluralWord = `${word}s`): string {
  return `${formatNumber(n)} ${n === 1 ? word : pluralWord}`;
}

export const viewHelpers = { formatDate, formatDateTime, formatList, formatNumber, plural };
