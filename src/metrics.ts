// Prometheus metrics. Each app has its own registry (no global state), exposed at /metrics only
// when a bearer secret is configured.
import { timingSafeEqual, createHash } from "node:crypto";
import type { NextFunction, Request, Response } from "express";
import { Counter, Gauge, Histogram, Registry } from "prom-client";
import type { Db } from "./db/index.js";
import { identityOf } from "./request-identity.js";

export interface Metrics {
  registry: Registry;
  requests: Counter<"route" | "method" | "status">;
  latency: Histogram<"route">;
  publishes: Counter;
  downloads: Counter;
  authFailures: Counter<"reason">;
}

/** Builds the metrics of one app; crate and version counts are read from the database at scrape time. */
export function createMetrics(db: Db): Metrics {
  const registry = new Registry();
  const metrics: Metrics = {
    registry,
    requests: new Counter({ name: "cargohold_http_requests_total", help: "HTTP requests by route, method and status", labelNames: ["route", "method", "status"], registers: [registry] }),
    latency: new Histogram({
      name: "cargohold_http_request_duration_seconds",
      help: "Time to answer HTTP requests, by route",
      labelNames: ["route"],
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10],
      registers: [registry],
    }),
    publishes: new Counter({ name: "cargohold_publishes_total", help: "Crate versions published", registers: [registry] }),
    downloads: new Counter({ name: "cargohold_downloads_total", help: "Crate files downloaded", registers: [registry] }),
    authFailures: new Counter({ name: "cargohold_auth_failures_total", help: "Refused credentials, by reason", labelNames: ["reason"], registers: [registry] }),
  };
  new Gauge({ name: "cargohold_crates", help: "Crates in the registry", registers: [registry], collect() { this.set(db.crates.count()); } });
  new Gauge({ name: "cargohold_versions", help: "Crate versions in the registry", registers: [registry], collect() { this.set(db.versions.count()); } });
  return metrics;
}

/**
 * The route pattern a request matched (`/api/v1/crates/:crate/owners`), never the raw path: label
 * values must stay few. Every route is declared with its full path, so the pattern alone suffices
 * (req.baseUrl may name the error handler's mount point by the time the response finishes).
 */
export function routeLabel(req: Request): string {
  const path = identityOf(req).route ?? req.route?.path;
  return typeof path === "string" ? path : "unmatched";
}

/**
 * GET /metrics: 404 unless a secret is configured, then only with `Authorization: Bearer <secret>`
 * (compared in constant time).
 */
export const metricsEndpoint =
  (metrics: Metrics, secret: string | undefined) =>
  async (req: Request, res: Response, _next: NextFunction): Promise<void> => {
    if (!secret) {
      res.status(404).type("text/plain").send("metrics are disabled; set METRICS_TOKEN to enable them\n");
      return;
    }
    const sent = /^Bearer (.+)$/i.exec(req.headers.authorization ?? "")?.[1] ?? "";
    const digest = (text: string) => createHash("sha256").update(text).digest();
    if (!timingSafeEqual(digest(sent), digest(secret))) {
      res.status(401).set("WWW-Authenticate", 'Bearer realm="metrics"').type("text/plain").send("a valid metrics bearer token is required\n");
      return;
    }
    res.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  };
