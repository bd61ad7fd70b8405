// Import: a chunked, resumable upload through import sessions, with its progress and report.
import { useEffect, useRef, useState } from "preact/hooks";
import type { ImportSession } from "../../api/types";
import { t } from "../../i18n/i18n";
import { fmtBytes, fmtInt, fmtPct } from "../../lib/format";
import {
  uploadFile,
  finish,
  getSession,
  cancelSession,
  pendingImport,
  clearPending,
  type Pending,
} from "../../lib/importer";
import { Card, ErrorNote, Fact } from "../../components/ui";
import { Icon } from "../../components/Icon";

export function ImportCard() {
  const [file, setFile] = useState<File | null>(null);
  const [session, setSession] = useState<ImportSession | null>(null);
  const [pending, setPending] = useState<Pending | null>(pendingImport());
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const abort = useRef<AbortController | null>(null);

  // After a reload: look at the remembered session; a finished upload is followed to its end.
  useEffect(() => {
    const p = pendingImport();
    if (!p) return;
    getSession(p.id).then(
      (s) => {
        setSession(s);
        if (s.status === "ready" || s.status === "processing") {
          setBusy(true);
          finish(s, setSession)
            .catch(setError)
            .finally(() => {
              setBusy(false);
              setPending(null);
            });
        } else if (s.status !== "uploading") {
          clearPending();
          setPending(null);
        }
      },
      () => {
        clearPending();
        setPending(null);
      },
    );
    return () => abort.current?.abort();
  }, []);

  async function start(e: Event) {
    e.preventDefault();
    if (!file) return;
    setBusy(true);
    setError(null);
    setSession(null);
    abort.current = new AbortController();
    try {
      await uploadFile(file, setSession, abort.current.signal);
      setPending(null);
    } catch (err) {
      if ((err as Error).name !== "AbortError") setError(err);
    }
    setBusy(false);
  }

  async function cancel() {
    abort.current?.abort();
    const id = session?.id ?? pending?.id;
    if (id) await cancelSession(id).catch(() => {});
    clearPending();
    setPending(null);
    setSession(null);
    setBusy(false);
  }

  const s = session;
  const uploading = s?.status === "uploading";
  const share = s ? (s.size_bytes ? s.received_bytes / s.size_bytes : 0) : 0;
  const result = s?.status === "completed" ? s.result : undefined;
  return (
    <Card title={t("data.import")} testid="import-card">
      <form class="form" onSubmit={start}>
        <p class="hint">{t("data.importHint")}</p>
        {pending && uploading && !busy && (
          <div class="note note-warn" role="status" data-testid="import-resume">
            {t("data.resume", { file: pending.filename, pct: fmtPct(share, 0) })}
          </div>
        )}
        <label class="field">
          <span>{t("data.file")}</span>
          <input
            type="file"
            accept=".jsonl,.ndjson,.json,application/json,application/x-ndjson"
            onChange={(e) => setFile((e.target as HTMLInputElement).files?.[0] ?? null)}
            disabled={busy}
            data-testid="import-file"
          />
        </label>
        {file && (
          <p class="small muted">{t("data.fileInfo", { name: file.name, size: fmtBytes(file.size) })}</p>
        )}
        {s && s.status !== "completed" && s.status !== "cancelled" && (
          <div class="import-progress">
            <div
              class={"progress" + (s.status === "processing" ? " busy" : "")}
              role="progressbar"
              aria-valuemin={0}
              aria-valuemax={100}
              aria-valuenow={Math.round(share * 100)}
              aria-label={t("data.progress")}
              data-testid="import-progress"
            >
              <span style={{ width: share * 100 + "%" }} />
            </div>
            <div class="small muted">
              {s.status === "processing"
                ? t("data.processing")
                : t("data.uploaded", {
                    done: fmtBytes(s.received_bytes),
                    total: fmtBytes(s.size_bytes),
                    pct: fmtPct(share, 0),
                  })}
            </div>
          </div>
        )}
        {s?.status === "failed" && (
          <div class="note note-error">{t("data.failed", { error: s.error ?? "" })}</div>
        )}
        <ErrorNote error={error} />
        {result && (
          <div class="note note-ok report" role="status" data-testid="import-report">
            <div>
              <strong>{t("data.done")}</strong>
              <dl class="facts">
                <Fact label={t("data.added")} testid="import-added">
                  {fmtInt(result.added)}
                </Fact>
                <Fact label={t("data.duplicates")}>{fmtInt(result.skipped)}</Fact>
                <Fact label={t("data.failedRows")}>{fmtInt(result.failed)}</Fact>
                <Fact label={t("data.unsupported")}>{fmtInt(result.unsupported)}</Fact>
                <Fact label={t("data.format")} class="mono">
                  {result.format}
                </Fact>
              </dl>
              {result.warnings?.length ? <p class="small muted">{result.warnings.join(", ")}</p> : null}
            </div>
          </div>
        )}
        <div class="form-actions">
          {(busy || (pending && uploading)) && (
            <button class="btn" type="button" onClick={cancel}>
              {t("common.cancel")}
            </button>
          )}
          <button class="btn btn-primary" type="submit" disabled={!file || busy} data-testid="import-start">
            <Icon name="upload" size={16} /> {pending && uploading ? t("data.resumeBtn") : t("data.start")}
          </button>
        </div>
      </form>
    </Card>
  );
}
