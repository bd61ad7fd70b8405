// The one way the panel talks to cpamd: JSON over fetch with the admin key as a Bearer token.
import { session, logout } from "../lib/session";

/** An error answer of cpamd (`{"error","code"}`), or a network failure (status 0). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export interface RequestOptions {
  /** Send this key instead of the session's (login and the wizard check a key before keeping it). */
  key?: string;
  signal?: AbortSignal;
  /** Raw body (import chunks); sent as is. */
  raw?: BodyInit;
  /** Do not log out on 401 (the login form shows the error instead). */
  keep401?: boolean;
}

export async function request<T>(
  method: string,
  path: string,
  body?: unknown,
  opts: RequestOptions = {},
): Promise<T> {
  const res = await send(method, path, body, opts);
  const text = await res.text();
  return (text ? JSON.parse(text) : null) as T;
}

/** Like request() but hands back the Response (downloads). */
export async function send(
  method: string,
  path: string,
  body?: unknown,
  opts: RequestOptions = {},
): Promise<Response> {
  const headers: Record<string, string> = {};
  const key = opts.key ?? session.value?.key;
  if (key) headers.Authorization = `Bearer ${key}`;
  let payload: BodyInit | undefined = opts.raw;
  if (body !== undefined) {
    headers["Content-Type"] = "application/json";
    payload = JSON.stringify(body);
  }
  let res: Response;
  try {
    res = await fetch(path, { method, headers, body: payload, signal: opts.signal, cache: "no-store" });
  } catch (e) {
    if ((e as Error).name === "AbortError") throw e;
    throw new ApiError(0, "network", (e as Error).message);
  }
  if (res.ok) return res;
  let code = "http_" + res.status;
  let message = res.statusText;
  try {
    const j = (await res.json()) as { error?: string; code?: string };
    if (j.code) code = j.code;
    if (j.error) message = j.error;
  } catch {
    /* not JSON: keep the status text */
  }
  if (res.status === 401 && !opts.keep401 && !opts.key) logout("expired");
  throw new ApiError(res.status, code, message);
}

export const get = <T>(path: string, opts?: RequestOptions) => request<T>("GET", path, undefined, opts);
export const post = <T>(path: string, body: unknown, opts?: RequestOptions) =>
  request<T>("POST", path, body, opts);
export const put = <T>(path: string, body: unknown, opts?: RequestOptions) =>
  request<T>("PUT", path, body, opts);
export const del = <T>(path: string, opts?: RequestOptions) => request<T>("DELETE", path, undefined, opts);
