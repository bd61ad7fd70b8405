// A failure summary in a few plain words: the message inside a JSON error body, or an HTML page's title.
export function readableFailure(summary: string): string {
  const s = summary.trim();
  if (!s) return "";
  if (s.startsWith("{")) {
    try {
      const j = JSON.parse(s) as Record<string, unknown>;
      const err = j.error;
      if (typeof err === "string") return err;
      if (err && typeof err === "object") {
        const e = err as Record<string, unknown>;
        if (typeof e.message === "string") return e.message;
        if (typeof e.type === "string") return e.type;
      }
      if (typeof j.message === "string") return j.message;
      if (typeof j.detail === "string") return j.detail;
    } catch {
      /* a cut-off body: fall through to the text */
    }
  }
  const title = /<title>([^<]*)<\/title>/i.exec(s);
  if (title) return title[1].trim();
  return s
    .replace(/<[^>]+>/g, " ")
    .replace(/\s+/g, " ")
    .trim();
}
