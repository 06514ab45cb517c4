// README rendering for crate pages: Markdown to HTML with marked, then an allowlist sanitizer, so
// nothing a crate ships can run script, embed frames, style the page or link to `javascript:`.
import { Marked } from "marked";
import sanitizeHtml from "sanitize-html";

const markdown = new Marked({ gfm: true, async: false });

const SANITIZE: sanitizeHtml.IOptions = {
  allowedTags: [
    ...sanitizeHtml.defaults.allowedTags.filter((t) => t !== "main" && t !== "nav"),
    "img", "del", "ins", "details", "summary", "picture", "source",
  ],
  allowedAttributes: {
    a: ["href", "title", "rel"],
    img: ["src", "alt", "title", "width", "height"],
    source: ["srcset", "media", "type"],
    code: ["class"],
    th: ["align"],
    td: ["align"],
    ol: ["start"],
    details: ["open"],
    "*": ["align"],
  },
  allowedClasses: { code: [/^language-[\w-]+$/] },
  // Relative URLs stay (they carry no scheme); absolute ones must be web or mail links.
  allowedSchemes: ["http", "https", "mailto"],
  allowedSchemesByTag: { img: ["http", "https"], source: ["http", "https"] },
  allowProtocolRelative: false,
  disallowedTagsMode: "discard",
  transformTags: {
    a: sanitizeHtml.simpleTransform("a", { rel: "nofollow noopener noreferrer" }),
  },
};

/** Safe HTML for a README written in Markdown (raw HTML inside it is sanitized too). */
export function renderReadme(text: string): string {
  const html = markdown.parse(text) as string;
  return sanitizeHtml(html, SANITIZE);
}

/** The URL when it is an absolute http(s) link; undefined otherwise (shown as text, not linked). */
export function httpUrl(value: string | null | undefined): string | undefined {
  if (!value) return undefined;
  try {
    const url = new URL(value);
    return url.protocol === "http:" || url.protocol === "https:" ? url.href : undefined;
  } catch {
    return undefined;
  }
}
