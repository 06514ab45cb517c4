// Timestamps. Everything is stored and shown as UTC `YYYY-MM-DDTHH:MM:SSZ`: that is the only
// `pubtime` form cargo 1.95 accepts, and such strings sort and compare correctly as text.

/** Formats a date as `YYYY-MM-DDTHH:MM:SSZ` (no milliseconds). */
export function isoSeconds(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, "Z");
}

/** The UTC calendar day of a date, `YYYY-MM-DD`. */
export function isoDay(date: Date): string {
  return date.toISOString().slice(0, 10);
}

export type Clock = () => Date;
export const systemClock: Clock = () => new Date();
