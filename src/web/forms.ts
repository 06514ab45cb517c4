// Reading urlencoded form bodies into trimmed strings, and the checks shared by account forms.
import type { Request } from "express";
import { passwordProblem } from "../auth/passwords.js";

export type FieldErrors = Record<string, string | undefined>;

/** A single form field as a string ("" when missing); trimmed unless `raw` (passwords). */
export function field(req: Request, name: string, raw = false): string {
  const value = (req.body as Record<string, unknown> | undefined)?.[name];
  const text = typeof value === "string" ? value : Array.isArray(value) && typeof value[0] === "string" ? value[0] : "";
  return raw ? text : text.trim();
}

/** A repeated form field (checkboxes, pattern rows) as strings, in order. */
export function fields(req: Request, name: string): string[] {
  const value = (req.body as Record<string, unknown> | undefined)?.[name];
  const list = Array.isArray(value) ? value : value === undefined ? [] : [value];
  return list.filter((v): v is string => typeof v === "string").map((v) => v.trim());
}

/** True when a checkbox named `name` was checked. */
export const checked = (req: Request, name: string): boolean => field(req, name) !== "";

export const hasErrors = (errors: FieldErrors): boolean => Object.values(errors).some(Boolean);

export function emailProblem(email: string): string | undefined {
  if (email === "") return undefined;
  if (email.length > 254 || !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email)) return "Please enter an email address such as ana@example.com.";
  return undefined;
}

/** Checks a new password and its confirmation (passwordProblem's rules, as a sentence). */
export function newPasswordErrors(password: string, confirmation: string): { password?: string; confirmation?: string } {
  const problem = passwordProblem(password);
  if (problem) return { password: `${problem[0]!.toUpperCase()}${problem.slice(1)}.` };
  if (password !== confirmation) return { confirmation: "The two passwords do not match." };
  return {};
}

/** `null` for an empty optional text field. */
export const orNull = (text: string): string | null => (text === "" ? null : text);

/** A path parameter as a string. */
export function pathParam(req: Request, name: string): string {
  const value = req.params[name];
  return Array.isArray(value) ? value.join("/") : String(value ?? "");
}

/** A positive integer id from the path or a query/form value; undefined when it is not one. */
export function parseId(value: unknown): number | undefined {
  if (typeof value !== "string" || !/^[1-9]\d{0,15}$/.test(value)) return undefined;
  const id = Number(value);
  return Number.isSafeInteger(id) ? id : undefined;
}

export { displayNameProblem, loginProblem, LOGIN_PATTERN, MAX_NAME_LENGTH } from "../auth/accounts.js";
