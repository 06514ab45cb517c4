// Rules for account fields, shared by the admin CLI and the web pages.

export const LOGIN_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,38}$/;
export const MAX_NAME_LENGTH = 100;

/** Why `login` is not acceptable, or undefined. */
export function loginProblem(login: string): string | undefined {
  if (login === "") return "Please enter a login.";
  if (!LOGIN_PATTERN.test(login)) {
    return "Use letters, digits, '.', '-' and '_', starting with a letter or digit, at most 39 characters.";
  }
  return undefined;
}

/** Why a display name is not acceptable, or undefined. */
export function displayNameProblem(name: string): string | undefined {
  if (/[\x00-\x1f\x7f]/.test(name)) return "The name must not contain control characters such as line breaks.";
  return name.length > MAX_NAME_LENGTH ? `The name must be at most ${MAX_NAME_LENGTH} characters.` : undefined;
}
