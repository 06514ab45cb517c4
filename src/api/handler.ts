// Handlers are plain functions of the context, the request and the response; the route table binds
// the context once so each route stays one line.
import type { Request, Response } from "express";
import type { AppContext } from "../context.js";
import { noteIdentity } from "../request-identity.js";

export type Handler = (ctx: AppContext, req: Request, res: Response) => void | Promise<void>;

export const bindContext =
  (ctx: AppContext) =>
  (handler: Handler) =>
  (req: Request, res: Response): void | Promise<void> => {
    if (typeof req.route?.path === "string") noteIdentity(req, { route: req.route.path });
    return handler(ctx, req, res);
  };

/** A path parameter as a string (Express 5 types allow arrays for wildcard parameters). */
export function param(req: Request, name: string): string {
  const value = req.params[name];
  return Array.isArray(value) ? value.join("/") : String(value ?? "");
}
