// The one error type of the application. Handlers throw it; each face's error middleware turns it
// into a response (cargo's JSON envelope on /api and /index, an HTML page elsewhere).

/** An expected failure whose message is safe to show to the client. */
export class HttpError extends Error {
  override name = "HttpError";
  constructor(
    readonly status: number,
    message: string,
    /** Extra response headers, e.g. the `WWW-Authenticate` challenge or `Retry-After`. */
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export const badRequest = (detail: string) => new HttpError(400, detail);
export const unauthorized = (detail: string, headers: Record<string, string> = {}) => new HttpError(401, detail, headers);
export const forbidden = (detail: string) => new HttpError(403, detail);
export const notFound = (detail = "not found") => new HttpError(404, detail);
export const conflict = (detail: string) => new HttpError(409, detail);
export const payloadTooLarge = (detail: string) => new HttpError(413, detail);
export const unprocessable = (detail: string) => new HttpError(422, detail);
export const tooManyRequests = (detail: string, retryAfterSeconds: number) =>
  new HttpError(429, detail, { "Retry-After": String(retryAfterSeconds) });

export const crateNotFound = (name: string) => notFound(`crate \`${name}\` does not exist`);
export const versionNotFound = (name: string, version: string) =>
  notFound(`crate \`${name}\` does not have a version \`${version}\``);

/** The error body cargo displays to the user (cargo registry web API: `errors[].detail`). */
export const cargoErrorBody = (detail: string) => ({ errors: [{ detail }] });
