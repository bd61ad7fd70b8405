// Resumable import through import sessions: create (or resume) a session, PUT the file in chunks at the
// offset the server expects, complete, then poll until the import is done.
import { ApiError, del, get, post, request } from "../api/client";
import type { ImportSession } from "../api/types";
import { readPref, writePref } from "./prefs";

const BASE = "/v0/management/usage/import-sessions";

export interface Pending {
  id: string;
  filename: string;
  size: number;
}

export const pendingImport = (): Pending | null => {
  try {
    return JSON.parse(readPref("import") ?? "null") as Pending | null;
  } catch {
    return null;
  }
};
export const clearPending = () => writePref("import", null);

/** 32 hex characters naming a file (name, size, date), so picking it again resumes its session. */
export function resumeKey(f: File): string {
  const text = `${f.name}|${f.size}|${f.lastModified}`;
  let out = "";
  for (let seed = 0; seed < 4; seed++) {
    let h = 0x811c9dc5 ^ (seed * 0x9e3779b9);
    for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
    out += (h >>> 0).toString(16).padStart(8, "0");
  }
  return out;
}

export async function uploadFile(
  file: File,
  onProgress: (s: ImportSession) => void,
  signal: AbortSignal,
): Promise<ImportSession> {
  let s = await post<ImportSession>(BASE, {
    filename: file.name,
    size_bytes: file.size,
    resume_key: resumeKey(file),
  });
  writePref("import", JSON.stringify({ id: s.id, filename: file.name, size: file.size } satisfies Pending));
  onProgress(s);
  let conflicts = 0;
  while (s.status === "uploading" && s.received_bytes < s.size_bytes) {
    if (signal.aborted) throw new DOMException("aborted", "AbortError");
    const end = Math.min(s.received_bytes + s.chunk_size_bytes, s.size_bytes);
    const chunk = file.slice(s.received_bytes, end);
    try {
      s = await request<ImportSession>("PUT", `${BASE}/${s.id}/chunk?offset=${s.received_bytes}`, undefined, {
        raw: chunk,
        signal,
      });
      conflicts = 0;
    } catch (e) {
      // 409: another chunk is still being taken (a reload cut one off) or the offset moved: ask where the
      // server stands and go on from there.
      if (!(e instanceof ApiError) || e.status !== 409 || ++conflicts > 20) throw e;
      await new Promise((r) => setTimeout(r, 500));
      s = await get<ImportSession>(`${BASE}/${s.id}`);
    }
    onProgress(s);
  }
  return finish(s, onProgress, signal);
}

/** Completes an uploaded session (if not yet) and waits for the background import. */
export async function finish(
  s: ImportSession,
  onProgress: (s: ImportSession) => void,
  signal?: AbortSignal,
): Promise<ImportSession> {
  if (s.status === "ready" || (s.status === "failed" && s.retryable)) {
    s = await post<ImportSession>(`${BASE}/${s.id}/complete`, {});
    onProgress(s);
  }
  while (s.status === "processing") {
    await new Promise((r) => setTimeout(r, 700));
    if (signal?.aborted) throw new DOMException("aborted", "AbortError");
    s = await get<ImportSession>(`${BASE}/${s.id}`);
    onProgress(s);
  }
  if (s.status !== "uploading") clearPending();
  return s;
}

export const getSession = (id: string) => get<ImportSession>(`${BASE}/${id}`);
export const cancelSession = (id: string) => del<ImportSession>(`${BASE}/${id}`);
