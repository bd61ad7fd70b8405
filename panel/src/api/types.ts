// Shapes of cpamd's answers, as far as the panel reads them (docs/analytics.md, docs/http.md, docs/pricing.md,
// docs/alerts.md).

export interface Info {
  service: string;
  configured: boolean;
  adminReady: boolean;
  projectInitialized?: boolean;
  setupRequired: boolean;
  hasHistoricalData?: boolean;
  implementation?: string;
  version?: string;
}

export interface CollectorStatus {
  collector: string;
  upstream: string;
  mode: string;
  transport: string;
  activeTransport?: string;
  queue: string;
  lastConsumedAt: number | string | null;
  lastInsertedAt: number | string | null;
  totalInserted: number;
  totalSkipped: number;
  deadLetters: number;
  lastError?: string;
  eventsPerSecond?: number;
  spoolDepth?: number;
  reconnects?: number;
  lostRecords?: number;
  connectedSince?: number | string | null;
}

export interface Status {
  dbPath: string;
  events: number;
  deadLetters: number;
  collector: CollectorStatus;
  database?: { databaseBytes: number; walBytes: number; shmBytes: number; totalBytes: number };
  store?: { inserted: number; duplicates: number; rejected: number; pending: number; lastError: string };
  uptimeSeconds?: number;
  rssBytes?: number;
  version?: string;
}

export interface ManagerConfig {
  cpaConnection: { cpaBaseUrl?: string; managementKey?: string };
  collector: {
    enabled?: boolean;
    collectorMode?: string;
    queue?: string;
    popSide?: string;
    batchSize?: number;
    pollIntervalMs?: number;
    queryLimit?: number;
    tlsSkipVerify?: boolean;
  };
  updatedAtMs?: number;
  [other: string]: unknown;
}

export interface ConfigAnswer {
  config: ManagerConfig;
  source: "" | "db" | "env";
  cpaUsage?: {
    usageStatisticsEnabled: boolean;
    redisUsageQueueRetentionSeconds: number;
    retentionSourceDefault: boolean;
  };
  /** cpamd's own, read-only: set in config.json or the environment. */
  processSettings?: {
    retentionDays: number;
    backupIntervalSeconds: number;
    backupRetentionDays: number;
  };
}

/** The token counters of an event, and their sums in every totals row. */
export interface TokenCounts {
  input_tokens: number;
  output_tokens: number;
  reasoning_tokens: number;
  cached_tokens: number;
  cache_read_tokens: number;
  cache_creation_tokens: number;
  total_tokens: number;
}

export interface Totals extends TokenCounts {
  calls: number;
  success: number;
  failure: number;
  success_rate: number;
  failure_rate: number;
  cache_hit_rate: number;
  cost: number;
  average_latency_ms: number | null;
  last_seen_ms: number | null;
}

export interface Names {
  source: string;
  source_hash: string;
  auth_index: string;
  auth_file_snapshot: string;
  account_snapshot: string;
  auth_label_snapshot: string;
  auth_provider_snapshot: string;
  provider: string;
}

export interface DashboardSummary {
  generated_at_ms: number;
  today: {
    total_calls: number;
    success_calls: number;
    failure_calls: number;
    success_rate: number;
    input_tokens: number;
    output_tokens: number;
    cached_tokens: number;
    cache_read_tokens: number;
    cache_creation_tokens: number;
    reasoning_tokens: number;
    total_tokens: number;
    total_cost: number;
    average_latency_ms: number | null;
    zero_token_calls: number;
  };
  rolling_30m: { rpm: number; tpm: number; total_calls: number; total_tokens: number };
  model_cost_rank: {
    model: string;
    calls: number;
    tokens: number;
    cost: number;
    success_rate: number;
    cost_share: number;
  }[];
  traffic_timeline: { bucket_ms: number; calls: number; tokens: number; success: number; failure: number }[];
  today_request_health_timeline: {
    bucket_ms: number;
    success_rate: number;
    points: {
      bucket_ms: number;
      calls: number;
      success: number;
      failure: number;
      tone: string;
      future: boolean;
    }[];
  };
  token_mix: { key: string; tokens: number; share: number }[];
  channel_health: (Partial<Names> & {
    calls: number;
    failures: number;
    success_rate: number;
    tokens: number;
    cost: number;
    average_latency_ms: number | null;
    tone: string;
  })[];
  failure_sources: (Partial<Names> & {
    calls: number;
    failures: number;
    failure_rate: number;
    last_seen_ms: number | null;
    tone: string;
  })[];
  recent_failures: {
    /** The event's id: with `timestamp_ms`, the keyset that finds it on the analytics route's events page. */
    id: number;
    timestamp_ms: number;
    model: string;
    api_key_alias: string;
    api_key_hash: string;
    source: string;
    endpoint: string;
    fail_status_code: number | null;
    fail_summary: string;
  }[];
}

export interface EventRow extends Names, TokenCounts {
  id: number;
  timestamp_ms: number;
  request_id: string;
  model: string;
  requested_model: string;
  resolved_model: string;
  response_model: string;
  executor: string;
  endpoint: string;
  reasoning_effort: string;
  service_tier: string;
  client_ip: string;
  user_agent: string;
  auth_type: string;
  api_key_hash: string;
  api_key_alias: string;
  stream: boolean | null;
  failed: boolean;
  fail_status_code: number | null;
  fail_summary: string;
  cost: number;
  latency_ms: number | null;
  ttft_ms: number | null;
  response_metadata: Record<string, unknown> | null;
  header_quota_used_percent: number | null;
  header_quota_recover_at_ms: number | null;
  header_quota_plan_type: string;
  header_error_kind: string;
  header_error_code: string;
  header_trace_id: string;
}

export interface Selector {
  value: string;
  alias: string;
  calls: number;
}

export interface TimelinePoint extends Totals {
  bucket_ms: number;
  end_ms: number;
  label: string;
  p95_latency_ms: number | null;
}

export interface Anomaly {
  bucket_ms: number;
  label: string;
  flags: string[];
  severity: string;
  score: number;
  calls: number;
}

export interface AnalyticsAnswer {
  from_ms: number;
  to_ms: number;
  time_zone: string;
  granularity: "hour" | "day";
  summary?: Totals & {
    total_calls: number;
    total_cost: number;
    average_cost_per_call: number;
    zero_token_calls: number;
    p95_latency_ms: number | null;
    p95_ttft_ms: number | null;
  };
  summary_comparison?: {
    from_ms: number;
    to_ms: number;
    calls: number;
    total_tokens: number;
    cost: number;
    success_rate: number;
    calls_change: number | null;
    tokens_change: number | null;
    cost_change: number | null;
    success_rate_change: number | null;
  };
  timeline?: TimelinePoint[];
  hourly_distribution?: { hour: number; calls: number; tokens: number }[];
  heatmap?: {
    weekday: number;
    hour: number;
    calls: number;
    failure_rate: number;
    tokens: number;
    cost: number;
  }[];
  anomaly_points?: Anomaly[];
  model_stats?: (Totals & { model: string; calls_share: number; tokens_share: number; cost_share: number })[];
  account_stats?: (Totals & Names & { account: string })[];
  credential_stats?: (Totals & Names & { credential_id: string })[];
  api_key_stats?: (Totals & { api_key_hash: string; alias: string })[];
  filter_selectors?: {
    models: Selector[];
    api_keys: Selector[];
    providers: Selector[];
    accounts: Selector[];
    total_calls: number;
  };
  events?: {
    items: EventRow[];
    next_before_ms: number | null;
    next_before_id: number | null;
    has_more: boolean;
    total_count: number;
  };
}

export interface AnalyticsFilters {
  models?: string[];
  providers?: string[];
  accounts?: string[];
  api_key_hashes?: string[];
  include_failed?: boolean;
  failed_only?: boolean;
  min_latency_ms?: number;
  cache_status?: string;
}

export interface Price {
  prompt: number;
  completion: number;
  cache: number;
  cacheRead?: number;
  cacheCreation?: number;
  promptConfigured?: boolean;
  completionConfigured?: boolean;
  cacheReadConfigured?: boolean;
  cacheCreationConfigured?: boolean;
  source?: string;
  sourceModelId?: string;
  contextTiers?: unknown[];
  serviceTiers?: unknown[];
  updatedAtMs?: number;
  [other: string]: unknown;
}

export interface PricesAnswer {
  prices: Record<string, Price>;
  catalog?: { source: string; date: string; license: string; models: number };
}

export interface SyncAnswer {
  source: string;
  imported: number;
  skipped: number;
  matched: number;
  candidates: {
    model: string;
    candidates: { sourceModelId: string; score: number; reason: string; price: Price }[];
  }[];
  unmatched: string[];
  sourceResults: { source: string; models: number; skipped: number; error?: string }[];
  prices: Record<string, Price>;
}

export interface UsageSummary {
  sampled_events: number;
  total_events: number;
  truncated: boolean;
  models: { model: string; calls: number; requested_calls: number; resolved_calls: number }[];
}

export interface ImportSession {
  id: string;
  filename: string;
  status: "uploading" | "ready" | "processing" | "completed" | "failed" | "cancelled";
  size_bytes: number;
  received_bytes: number;
  chunk_size_bytes: number;
  retryable: boolean;
  error?: string;
  result?: {
    format: string;
    added: number;
    skipped: number;
    total: number;
    failed: number;
    unsupported: number;
    warnings: string[] | null;
  };
}

export interface AliasItem {
  apiKeyHash: string;
  alias: string;
  updatedAtMs?: number;
}

// Alerts (docs/alerts.md): the configuration object, what fires now, and the history of notices.

export type AlertRuleKind =
  | "failure_rate"
  | "consecutive_failures"
  | "latency_p95"
  | "no_events"
  | "collector_disconnected"
  | "storage_size"
  | "budget";

/** One rule; which fields it has depends on its kind (unknown fields are kept as they are). */
export interface AlertRule {
  id: string;
  kind: AlertRuleKind;
  name?: string;
  /** Absent: on. */
  enabled?: boolean;
  /** Fractions allowed. */
  cooldownMinutes?: number;
  /** The sinks it notifies; absent or empty: every enabled sink. */
  sinks?: string[];
  /** failure_rate: "all" or "credential"; budget: "all", "api_key" or "model". */
  scope?: string;
  /** failure_rate, consecutive_failures: one auth index ("": each). */
  credential?: string;
  /** latency_p95: one model ("": all traffic). */
  model?: string;
  /** budget: an API key's hash prefix or alias, or a model ("": each one apart). */
  match?: string;
  /** failure_rate: a share in (0, 1]. */
  threshold?: number;
  windowMinutes?: number;
  minRequests?: number;
  statuses?: number[];
  count?: number;
  thresholdMs?: number;
  minutes?: number;
  file?: string;
  thresholdMb?: number;
  period?: string;
  usd?: number;
  warnPercent?: number;
  [other: string]: unknown;
}

export type AlertSinkKind = "webhook" | "slack" | "telegram" | "ntfy" | "smtp";

/** One place notices go. Secrets (header values, the Slack URL, botToken, token, password) come masked. */
export interface AlertSink {
  id: string;
  kind: AlertSinkKind;
  name?: string;
  /** Absent: on. */
  enabled?: boolean;
  url?: string;
  headers?: Record<string, string>;
  botToken?: string;
  chatId?: string;
  /** telegram: https://api.telegram.org unless a self-hosted Bot API server. */
  apiBase?: string;
  token?: string;
  host?: string;
  port?: number;
  security?: string;
  username?: string;
  password?: string;
  from?: string;
  to?: string[];
  [other: string]: unknown;
}

export interface AlertsConfig {
  enabled: boolean;
  evaluateSeconds: number;
  timezone: string;
  delivery: { timeoutSeconds: number; retries: number };
  rules: AlertRule[];
  sinks: AlertSink[];
  [other: string]: unknown;
}

export type AlertLevel = "warning" | "critical";

export interface AlertActive {
  rule: string;
  kind: string;
  subject: string;
  level: AlertLevel;
  /** ms since the epoch. */
  since: number;
  value: number | null;
  threshold: number | null;
  message: string;
}

export interface AlertSinkStat {
  sink: string;
  delivered: number;
  failed: number;
  lastError: string;
  lastAt: number | null;
}

export interface AlertsAnswer {
  alerts: AlertsConfig;
  source: "db" | "file" | "default";
  active: AlertActive[];
  sinkStats: AlertSinkStat[];
}

export interface AlertDelivery {
  sink: string;
  ok: boolean;
  attempts: number;
  error: string;
}

export interface AlertNotice {
  id: number;
  at: number;
  rule: string;
  kind: string;
  subject: string;
  event: "firing" | "resolved" | "test";
  level: AlertLevel;
  value: number | null;
  threshold: number | null;
  message: string;
  /** Empty while the first attempt is still running. */
  deliveries: AlertDelivery[];
}

export interface AlertHistory {
  items: AlertNotice[];
  nextBefore: number | null;
}

export interface AlertTestAnswer {
  results: AlertDelivery[];
}
