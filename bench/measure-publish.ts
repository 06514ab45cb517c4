// Publish latency for crates of three sizes, and how far the server's resident memory rises while
// it takes a 10 MiB upload (peak from /proc/<pid>/status VmHWM, reset before each upload).
import { randomBytes } from "node:crypto";
import { writeFileSync } from "node:fs";
import { libraryCrate, publishBody, publishMetadata } from "./crate-files.js";
import { median, send } from "./http.js";
import { memoryOf } from "./procs.js";
import { fmt, type Row } from "./report.js";
import type { Server } from "./servers.js";

const KIB = 1024;
const MIB = 1024 * KIB;
const SIZES = [
  { label: "100 KiB", bytes: 100 * KIB },
  { label: "1 MiB", bytes: MIB },
  // Just under the default 10 MiB upload limit, which the .crate (data + tar + gzip framing) must fit.
  { label: "10 MiB", bytes: 10 * MIB - 16 * KIB },
];

/** Resets the kernel's peak-RSS counter of `pid` (Linux ≥ 4.0); false when that is not allowed. */
function resetPeak(pid: number): boolean {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, "5");
    return true;
  } catch {
    return false;
  }
}

async function publishOnce(server: Server, token: string, name: string, vers: string, dataBytes: number) {
  const crate = libraryCrate(name, vers, { "data.bin": randomBytes(dataBytes) }, 1);
  const body = publishBody(publishMetadata(name, vers), crate);
  const pid = server.child.pid!;
  const canReset = resetPeak(pid);
  const before = memoryOf(pid).rss;
  // Sampling as well, in case the peak counter cannot be reset.
  let sampled = before;
  const sampler = setInterval(() => (sampled = Math.max(sampled, memoryOf(pid).rss)), 2);
  const res = await send(`${server.url}/api/v1/crates/new`, { method: "PUT", headers: { Authorization: token }, body });
  clearInterval(sampler);
  const peak = canReset ? Math.max(memoryOf(pid).hwm, sampled) : sampled;
  if (res.status !== 200) throw new Error(`publish of ${name} ${vers} (${crate.length} bytes) failed: ${res.status} ${res.body.toString()}`);
  return { ms: res.ms, crateBytes: crate.length, growth: peak - before };
}

export async function measurePublish(server: Server, token: string, reps: number, log: (line: string) => void): Promise<Row[]> {
  const section = "Publish (sequential, one client)";
  await publishOnce(server, token, "bench-publish-warmup", "1.0.0", KIB);
  const rows: Row[] = [];
  for (const size of SIZES) {
    const runs = [];
    for (let i = 0; i < reps; i++) runs.push(await publishOnce(server, token, `bench-publish-${size.label.replace(" ", "").toLowerCase()}`, `1.0.${i}`, size.bytes));
    const ms = median(runs.map((r) => r.ms));
    log(`  publish ${size.label}: ${runs.map((r) => fmt.ms(r.ms)).join(", ")}; RSS growth ${runs.map((r) => fmt.mib(r.growth)).join(", ")}`);
    rows.push({ section, measure: `latency, ${size.label} crate (median of ${reps})`, value: fmt.ms(ms) });
    if (size.label === "10 MiB") {
      const growth = Math.max(...runs.map((r) => r.growth));
      const crateBytes = runs[0]!.crateBytes;
      rows.push({
        section,
        measure: `peak RSS growth during a ${fmt.mib(crateBytes)} publish (worst of ${reps})`,
        value: fmt.mib(growth),
        reference: fmt.mib(crateBytes),
        referenceName: "upload size",
        ratio: growth / crateBytes,
        target: "≤ 2× upload size",
        met: growth <= 2 * crateBytes,
      });
    }
  }
  return rows;
}
