// The results table: printed to the terminal and written to bench/results.md with the machine,
// the settings of the run and the load tool.
import { writeFileSync } from "node:fs";
import type { Machine } from "./tools.js";

export interface Row {
  section: string;
  measure: string;
  /** cargohold's figure, formatted with its unit. */
  value: string;
  /** The figure it is compared with, formatted, and whose it is. */
  reference?: string;
  referenceName?: string;
  /** value / reference for rates, reference / value … as stated in `target`; shown as "0.42×". */
  ratio?: number;
  target?: string;
  met?: boolean;
}

export const fmt = {
  rps: (n: number) => `${Math.round(n).toLocaleString("en-US")} req/s`,
  ms: (n: number) => `${n < 10 ? n.toFixed(2) : n < 100 ? n.toFixed(1) : Math.round(n).toLocaleString("en-US")} ms`,
  us: (n: number) => fmt.ms(n / 1000),
  mbps: (n: number) => `${Math.round(n).toLocaleString("en-US")} MiB/s`,
  mib: (bytes: number) => `${(bytes / 1024 ** 2).toFixed(1)} MiB`,
  s: (ms: number) => `${(ms / 1000).toFixed(2)} s`,
};

const mark = (met: boolean | undefined) => (met === undefined ? "" : met ? "yes" : "**no**");

/** The rows as a Markdown table, grouped by section. */
export function table(rows: Row[]): string {
  const lines = ["| Measure | cargohold | Compared with | Ratio | Target | Met |", "| --- | ---: | ---: | ---: | --- | --- |"];
  let section = "";
  for (const r of rows) {
    if (r.section !== section) {
      section = r.section;
      lines.push(`| **${section}** | | | | | |`);
    }
    const reference = r.reference ? `${r.reference}${r.referenceName ? ` (${r.referenceName})` : ""}` : "";
    const ratio = r.ratio === undefined ? "" : `${r.ratio.toFixed(2)}×`;
    lines.push(`| ${r.measure} | ${r.value} | ${reference} | ${ratio} | ${r.target ?? ""} | ${mark(r.met)} |`);
  }
  return lines.join("\n");
}

export interface ReportInput {
  machine: Machine;
  settings: string[];
  rows: Row[];
  notes: string[];
  /** Markdown lines summarising a CPU profile of cargohold under load. */
  profile?: string[];
  elapsedMs: number;
}

/** Writes the results file and returns its text. */
export function writeReport(path: string, input: ReportInput): string {
  const m = input.machine;
  const text = [
    "# cargohold benchmark results",
    "",
    `Produced by \`npm run bench\` on ${m.date} in ${fmt.s(input.elapsedMs)}.`,
    "",
    "## Machine",
    "",
    `- CPU: ${m.cpu}, ${m.cores} cores (\`nproc\`); memory: ${m.memory}; kernel: ${m.kernel}`,
    `- Node.js ${m.node}; nginx ${m.nginx}; load tool: ${m.wrk}; ${m.cargo}`,
    "",
    "## Settings",
    "",
    ...input.settings.map((s) => `- ${s}`),
    "",
    "## Results",
    "",
    table(input.rows),
    "",
    ...(input.profile ? ["## Where cargohold's time goes serving index files (`node --cpu-prof`)", "", ...input.profile, ""] : []),
    ...(input.notes.length ? ["## Notes", "", ...input.notes.map((n) => `- ${n}`), ""] : []),
  ].join("\n");
  writeFileSync(path, text);
  return text;
}
