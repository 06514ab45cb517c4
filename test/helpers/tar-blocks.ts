// Low-level tar blocks for the test fixtures: one entry at a time via tar-stream, plus the GNU
// long-name entries and header patches (checksum, declared size) tar-stream cannot write itself.
import { pack, type Header } from "tar-stream";

/** A raw tar entry; `name` is the full path in the archive (not put under the crate folder). */
export interface RawEntry {
  name: string;
  type?: "file" | "directory" | "symlink" | "link" | "character-device" | "block-device" | "fifo";
  linkname?: string;
  content?: string | Buffer;
  /** Size written in the header of a non-file entry (which has no body), e.g. a directory claiming content. */
  size?: number;
}

// cargo writes every entry with this mtime (cargo-protocol.md §4.4).
const CARGO_MTIME = new Date(1153704088 * 1000);

/**
 * One entry's tar blocks, made with tar-stream. Paths over 100 bytes get a GNU `././@LongLink` entry
 * first, as cargo's `tar` crate writes them (tar-stream itself would use ustar prefixes or pax).
 */
export async function encodeEntry(entry: RawEntry): Promise<Buffer> {
  const type = entry.type ?? "file";
  const content = type === "file" ? Buffer.from(entry.content ?? "") : undefined;
  const header: Header = { name: entry.name, type, mode: 0o644, mtime: CARGO_MTIME, size: content?.length ?? 0 } as Header;
  if (entry.linkname !== undefined) header.linkname = entry.linkname;
  if (Buffer.byteLength(entry.name) <= 100) {
    const blocks = await packOne(header, content);
    if (content === undefined && entry.size !== undefined) setDeclaredSize(blocks, entry.size);
    return blocks;
  }
  const longName = Buffer.from(`${entry.name}\0`);
  const longLink = await packOne({ name: "././@LongLink", type: "file", mtime: CARGO_MTIME, size: longName.length } as Header, longName);
  longLink[156] = "L".charCodeAt(0);
  writeChecksum(longLink);
  // The header's own name is only a placeholder (the long name wins); keep it ASCII so tar-stream
  // writes it as is instead of adding a pax header, which would override the long name.
  const truncated = entry.name.slice(0, 100).replace(/[^\x20-\x7e]/g, "_");
  return Buffer.concat([longLink, await packOne({ ...header, name: truncated }, content)]);
}

async function packOne(header: Header, content: Buffer | undefined): Promise<Buffer> {
  const archive = pack();
  if (content !== undefined) archive.entry(header, content);
  else archive.entry(header).end(undefined);
  archive.finalize();
  const chunks: Buffer[] = [];
  for await (const chunk of archive) chunks.push(chunk as Buffer);
  const all = Buffer.concat(chunks);
  return all.subarray(0, all.length - 1024); // drop the end-of-archive blocks
}

/** Overwrites the size field of a header block (11 octal digits: up to 8 GiB) without adding a body. */
export function setDeclaredSize(header: Buffer, size: number): void {
  header.write(`${size.toString(8).padStart(11, "0")} `, 124, "latin1");
  writeChecksum(header);
}

function writeChecksum(header: Buffer): void {
  header.fill(0x20, 148, 156);
  let sum = 0;
  for (let i = 0; i < 512; i++) sum += header[i]!;
  header.write(`${sum.toString(8).padStart(6, "0")}\0 `, 148, "latin1");
}
