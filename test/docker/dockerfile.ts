// A small Dockerfile reader for the recipe test: stages and their instructions (continuations
// joined, comments dropped), COPY's flags and paths, ENV pairs, exec-form CMD, and .dockerignore
// matching. It knows the subset of the syntax our Dockerfile uses and throws on anything else.

export interface Instruction {
  /** Upper-case keyword: FROM, RUN, COPY, ENV, ... */
  op: string;
  /** Everything after the keyword, continuations joined with a space. */
  args: string;
}

export interface Stage {
  image: string;
  name: string | undefined;
  instructions: Instruction[];
}

/** Splits a Dockerfile into stages of instructions. */
export function parseDockerfile(text: string): Stage[] {
  const stages: Stage[] = [];
  let pending = "";
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (line.startsWith("#") || (line === "" && pending === "")) continue;
    if (line.endsWith("\\")) {
      pending += `${line.slice(0, -1).trim()} `;
      continue;
    }
    const full = (pending + line).trim();
    pending = "";
    if (full === "") continue;
    const match = /^([A-Za-z]+)\s+(.*)$/s.exec(full);
    if (!match) throw new Error(`cannot read Dockerfile line: ${full}`);
    const op = match[1]!.toUpperCase();
    const args = match[2]!.trim();
    if (op === "FROM") {
      const from = /^(\S+)(?:\s+AS\s+(\S+))?$/i.exec(args);
      if (!from) throw new Error(`cannot read FROM ${args}`);
      stages.push({ image: from[1]!, name: from[2], instructions: [] });
      continue;
    }
    const stage = stages.at(-1);
    if (!stage) throw new Error(`${op} before the first FROM`);
    stage.instructions.push({ op, args });
  }
  return stages;
}

/** The instructions of a stage with this keyword. */
export const instructions = (stage: Stage, op: string) => stage.instructions.filter((i) => i.op === op);

export interface Copy {
  /** The stage named by `--from`, or undefined for the build context. */
  from: string | undefined;
  sources: string[];
  dest: string;
}

/** Reads `COPY [--from=STAGE] [--chown=..] SRC... DEST` (shell form only). */
export function parseCopy(args: string): Copy {
  const words = args.split(/\s+/);
  let from: string | undefined;
  while (words[0]?.startsWith("--")) {
    const flag = words.shift()!;
    if (flag.startsWith("--from=")) from = flag.slice("--from=".length);
    else if (!flag.startsWith("--chown=") && !flag.startsWith("--chmod=")) throw new Error(`unknown COPY flag ${flag}`);
  }
  if (words.length < 2 || words.some((w) => w.startsWith("[") || /[*?]/.test(w))) throw new Error(`unsupported COPY ${args}`);
  return { from, sources: words.slice(0, -1), dest: words.at(-1)! };
}

/** Reads `ENV K=V K2=V2` (values without spaces or quotes). */
export function parseEnv(args: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const pair of args.split(/\s+/)) {
    const eq = pair.indexOf("=");
    if (eq < 1 || /["']/.test(pair)) throw new Error(`unsupported ENV ${args}`);
    env[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return env;
}

/** Reads an exec-form `CMD ["prog", "arg"]`. */
export function parseExecForm(args: string): string[] {
  const parsed: unknown = JSON.parse(args);
  if (!Array.isArray(parsed) || parsed.length === 0 || !parsed.every((p) => typeof p === "string")) throw new Error(`not an exec form: ${args}`);
  return parsed as string[];
}

/** `HEALTHCHECK [--opt=v]... CMD command` → the command (shell form). */
export function healthcheckCommand(args: string): string {
  const match = /^(?:--\S+\s+)*CMD\s+(.+)$/s.exec(args);
  if (!match) throw new Error(`cannot read HEALTHCHECK ${args}`);
  return match[1]!;
}

/**
 * A matcher for .dockerignore patterns (`*`, `?`, `**`; no `!` exceptions): true when a path
 * (relative to the context, with `/`) or one of its parent folders matches a pattern.
 */
export function dockerignoreMatcher(text: string): (path: string) => boolean {
  const patterns = text
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l !== "" && !l.startsWith("#"))
    .map((p) => {
      if (p.startsWith("!")) throw new Error(`.dockerignore exceptions (${p}) are not supported by the recipe test`);
      const glob = p.replace(/^\/+|\/+$/g, "");
      const source = glob
        .split("/")
        .map((part) => (part === "**" ? "(?:.*)" : part.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, "[^/]*").replace(/\?/g, "[^/]")))
        .join("/")
        .replace(/\(\?:\.\*\)\//g, "(?:.*/)?");
      return new RegExp(`^${source}$`);
    });
  return (path) => {
    const parts = path.split("/");
    return parts.some((_, i) => patterns.some((re) => re.test(parts.slice(0, i + 1).join("/"))));
  };
}
