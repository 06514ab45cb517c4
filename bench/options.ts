// Command-line flags of `npm run bench` (each also readable from a BENCH_* environment variable).
import { parseArgs } from "node:util";

export interface Options {
  quick: boolean;
  crates: number;
  scaleCrates: number;
  versions: number;
  bigEvery: number;
  bigVersions: number;
  bigDeps: number;
  graphCrates: number;
  seconds: number;
  warmSeconds: number;
  rounds: number;
  connections: number;
  downloadMiB: number;
  publishReps: number;
  cargoRounds: number;
  /** The phases to run, in the order of PHASES. */
  only: string[];
  keep: boolean;
  out: string;
}

export const PHASES = ["index", "revalidate", "download", "profile", "publish", "cargo", "scale"];

export const USAGE = `usage: npm run bench -- [options]

  --quick              short runs (about a minute): 2 s per load run, one round
  --crates N           crates in the main registry (2000)        BENCH_CRATES
  --scale-crates N     crates for the scale test (20000)         BENCH_SCALE_CRATES
  --versions N         versions of an ordinary crate (5)
  --big-every N        every Nth crate has many versions and deps (20)
  --big-versions N     versions of a big crate (60)
  --big-deps N         dependencies per version of a big crate (20)
  --graph-crates N     crates the real-cargo workspace pulls in (150)
  --seconds S          duration of each load run (5)             BENCH_SECONDS
  --rounds N           rounds per comparison, best kept (2)      BENCH_ROUNDS
  --connections N      concurrent connections for index runs (32)
  --only LIST          run only these phases (comma-separated):
                       ${PHASES.join(",")}
  --no-cargo           skip the real-cargo comparison
  --no-scale           skip the scale test
  --keep               keep bench/work/ (data, logs, nginx config) afterwards
  --out FILE           results file (bench/results.md)`;

export function parseOptions(argv: string[], env: Record<string, string | undefined>): Options {
  const { values } = parseArgs({
    args: argv,
    options: {
      quick: { type: "boolean", default: false },
      crates: { type: "string" },
      "scale-crates": { type: "string" },
      versions: { type: "string" },
      "big-every": { type: "string" },
      "big-versions": { type: "string" },
      "big-deps": { type: "string" },
      "graph-crates": { type: "string" },
      seconds: { type: "string" },
      rounds: { type: "string" },
      connections: { type: "string" },
      only: { type: "string" },
      "no-cargo": { type: "boolean", default: false },
      "no-scale": { type: "boolean", default: false },
      keep: { type: "boolean", default: false },
      out: { type: "string" },
      help: { type: "boolean", default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const quick = values.quick || env.BENCH_QUICK === "1";
  const num = (flag: string | undefined, envValue: string | undefined, fallback: number) => {
    const raw = flag ?? envValue;
    if (raw === undefined) return fallback;
    const n = Number(raw);
    if (!Number.isFinite(n) || n < 0) throw new Error(`not a number: ${raw}`);
    return n;
  };
  return {
    quick,
    crates: num(values.crates, env.BENCH_CRATES, 2000),
    scaleCrates: num(values["scale-crates"], env.BENCH_SCALE_CRATES, 20_000),
    versions: num(values.versions, undefined, 5),
    bigEvery: num(values["big-every"], undefined, 20),
    bigVersions: num(values["big-versions"], undefined, 60),
    bigDeps: num(values["big-deps"], undefined, 20),
    graphCrates: num(values["graph-crates"], undefined, 150),
    seconds: num(values.seconds, env.BENCH_SECONDS, quick ? 2 : 5),
    warmSeconds: 1,
    rounds: num(values.rounds, env.BENCH_ROUNDS, quick ? 1 : 2),
    connections: num(values.connections, undefined, 32),
    downloadMiB: 5,
    publishReps: quick ? 2 : 5,
    cargoRounds: quick ? 1 : 5,
    only: phases(values.only, values["no-cargo"], values["no-scale"]),
    keep: values.keep,
    out: values.out ?? "bench/results.md",
  };
}

function phases(only: string | undefined, noCargo: boolean, noScale: boolean): string[] {
  const chosen = only === undefined ? PHASES : only.split(",").map((p) => p.trim()).filter(Boolean);
  const unknown = chosen.filter((p) => !PHASES.includes(p));
  if (unknown.length) throw new Error(`unknown phase(s) ${unknown.join(", ")}; choose from ${PHASES.join(", ")}`);
  return PHASES.filter((p) => chosen.includes(p) && !(noCargo && p === "cargo") && !(noScale && p === "scale"));
}
