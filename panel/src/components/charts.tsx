// The panel's two chart kinds: calls per bucket as bars (failures drawn over them), and lines.
import { useMemo, useRef } from "preact/hooks";
import uPlot from "uplot";
import { Chart, axis, bars, type Palette } from "./Chart";
import { fmtCompact, fmtCost, fmtInt, fmtMs } from "../lib/format";
import { t, lang } from "../i18n/i18n";

/** A uPlot x axis whose tick labels are local clock time or dates, formatted by Intl in `timeZone`. */
function timeAxis(p: Palette, daily: boolean, timeZone?: string): uPlot.Axis {
  const f = new Intl.DateTimeFormat(
    lang.value,
    daily
      ? { month: "numeric", day: "numeric", timeZone }
      : { hour: "2-digit", minute: "2-digit", hour12: false, timeZone },
  );
  // Whole hours or whole days only, so no label repeats.
  const incrs = daily
    ? [1, 2, 7, 14, 30, 91].map((d) => d * 86400)
    : [1, 2, 3, 6, 12, 24].map((h) => h * 3600);
  return axis(p, {
    values: (_u, ticks) => ticks.map((s) => f.format(s * 1000)),
    space: daily ? 46 : 40,
    incrs,
  });
}

const fmtKind = (n: number, kind?: "money" | "ms") =>
  kind === "money" ? fmtCost(n) : kind === "ms" ? fmtMs(n) : fmtCompact(n);
const half = (x: number[]) => (x.length > 1 ? (x[1] - x[0]) / 2 : 1800);

/** The legend's time of the hovered bucket. */
function stamp(sec: number, daily: boolean, timeZone?: string): string {
  return new Intl.DateTimeFormat(
    lang.value,
    daily
      ? { year: "numeric", month: "short", day: "numeric", timeZone }
      : { month: "short", day: "numeric", hour: "2-digit", minute: "2-digit", hour12: false, timeZone },
  ).format(sec * 1000);
}

export function TrafficBars(props: {
  x: number[];
  calls: number[];
  failures: number[];
  daily?: boolean;
  timeZone?: string;
  height?: number;
  marks?: number[];
  testid?: string;
}) {
  const data = useMemo<uPlot.AlignedData>(
    () => [props.x, props.calls, props.failures],
    [props.x, props.calls, props.failures],
  );
  // The draw hook reads the marks of the latest render (the plot is not rebuilt when they change).
  const marks = useRef<number[]>([]);
  marks.current = props.marks ?? [];
  return (
    <Chart
      // Axis formats and series are fixed when the plot is made: a new look makes a new plot.
      key={`${props.daily}|${props.timeZone}`}
      data={data}
      height={props.height ?? 180}
      label={t("chart.trafficLabel")}
      testid={props.testid}
      options={(p) => ({
        ...(props.timeZone
          ? { tzDate: (ts: number) => uPlot.tzDate(new Date(ts * 1000), props.timeZone!) }
          : {}),
        cursor: { points: { show: false }, drag: { x: false, y: false } },
        scales: {
          // Half a bucket of room at both ends, so the first and last bars are whole.
          x: {
            time: true,
            range: (u, min, max) => [min - half(u.data[0] as number[]), max + half(u.data[0] as number[])],
          },
          y: { range: (_u, _min, max) => [0, Math.max(1, max * 1.1)] },
        },
        axes: [
          timeAxis(p, !!props.daily, props.timeZone),
          axis(p, { size: 44, values: (_u, v) => v.map((n) => fmtCompact(n)) }),
        ],
        series: [
          {
            label: t("col.time"),
            value: (_u, v) => (v == null ? "–" : stamp(v, !!props.daily, props.timeZone)),
          },
          {
            label: t("chart.calls"),
            fill: p.accent + "cc",
            stroke: p.accent,
            width: 0,
            points: { show: false },
            paths: bars({ size: [0.7, 32] }),
            value: (_u, v) => (v == null ? "–" : fmtInt(v)),
          },
          {
            label: t("chart.failures"),
            fill: p.bad,
            stroke: p.bad,
            width: 0,
            points: { show: false },
            paths: bars({ size: [0.7, 32] }),
            value: (_u, v) => (v == null ? "–" : fmtInt(v)),
          },
        ],
        hooks: {
          // Anomalies: a small triangle above the bucket.
          draw: [
            (u) => {
              if (!marks.current.length) return;
              const ctx = u.ctx;
              ctx.save();
              ctx.fillStyle = p.warn;
              for (const m of marks.current) {
                const cx = u.valToPos(m, "x", true);
                const top = u.bbox.top;
                const s = 5 * devicePixelRatio;
                ctx.beginPath();
                ctx.moveTo(cx - s, top);
                ctx.lineTo(cx + s, top);
                ctx.lineTo(cx, top + s * 1.4);
                ctx.fill();
              }
              ctx.restore();
            },
          ],
        },
      })}
    />
  );
}

export function Lines(props: {
  x: number[];
  series: { label: string; values: (number | null)[]; kind?: "money" | "ms" }[];
  daily?: boolean;
  timeZone?: string;
  height?: number;
  testid?: string;
}) {
  const data = useMemo<uPlot.AlignedData>(
    () => [props.x, ...props.series.map((s) => s.values)],
    [props.x, props.series],
  );
  return (
    <Chart
      key={`${props.daily}|${props.timeZone}|${props.series.map((x) => x.label).join("|")}`}
      data={data}
      height={props.height ?? 200}
      label={props.series.map((s) => s.label).join(", ")}
      testid={props.testid}
      options={(p) => ({
        cursor: { drag: { x: false, y: false } },
        ...(props.timeZone
          ? { tzDate: (ts: number) => uPlot.tzDate(new Date(ts * 1000), props.timeZone!) }
          : {}),
        scales: { x: { time: true } },
        axes: [
          timeAxis(p, !!props.daily, props.timeZone),
          axis(p, {
            size: 50,
            values: (_u, v) => v.map((n) => fmtKind(n, props.series[0]?.kind)),
          }),
        ],
        series: [
          {
            label: t("col.time"),
            value: (_u, v) => (v == null ? "–" : stamp(v, !!props.daily, props.timeZone)),
          },
          ...props.series.map((s, i) => ({
            label: s.label,
            stroke: p.series[i % p.series.length],
            width: 1.5,
            points: { show: false },
            value: (_u: uPlot, v: number | null) => (v == null ? "–" : fmtKind(v, s.kind)),
          })),
        ],
      })}
    />
  );
}
