// uPlot inside Preact: created once per theme and language, data swapped with setData, size from a
// ResizeObserver. uPlot draws only when told to, so an idle chart costs no CPU.
import { useEffect, useRef } from "preact/hooks";
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";
import { theme, cssVar } from "../lib/theme";
import { lang } from "../i18n/i18n";

export interface Palette {
  text: string;
  grid: string;
  accent: string;
  good: string;
  bad: string;
  warn: string;
  muted: string;
  series: string[];
}

export function palette(): Palette {
  return {
    text: cssVar("--text-2"),
    grid: cssVar("--grid"),
    accent: cssVar("--accent"),
    good: cssVar("--good"),
    bad: cssVar("--bad"),
    warn: cssVar("--warn"),
    muted: cssVar("--text-3"),
    series: [cssVar("--accent"), cssVar("--c2"), cssVar("--c3"), cssVar("--c4"), cssVar("--c5")],
  };
}

/** Axis defaults in the theme's colours. */
export function axis(p: Palette, extra: Partial<uPlot.Axis> = {}): uPlot.Axis {
  return {
    stroke: p.text,
    grid: { stroke: p.grid, width: 1 },
    ticks: { stroke: p.grid, width: 1, size: 4 },
    font: "11px system-ui, sans-serif",
    ...extra,
  };
}

/** The legend shows values only while a bucket is hovered (the stylesheet keys on this class); at rest it
 *  is just the series names and swatches, not a row of dashes. */
function markHover(u: uPlot) {
  u.root.classList.toggle("hovering", u.cursor.idx != null);
}

export function Chart(props: {
  data: uPlot.AlignedData;
  options: (p: Palette) => Omit<uPlot.Options, "width" | "height">;
  height?: number;
  label: string;
  testid?: string;
}) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const height = props.height ?? 200;
  const themeNow = theme.value;
  const langNow = lang.value;

  useEffect(() => {
    const el = box.current!;
    const options = props.options(palette());
    const u = new uPlot(
      {
        ...options,
        width: el.clientWidth || 300,
        height,
        hooks: { ...options.hooks, setCursor: [...(options.hooks?.setCursor ?? []), markHover] },
      },
      props.data,
      el,
    );
    plot.current = u;
    const ro = new ResizeObserver(() => {
      const w = el.clientWidth;
      if (w > 0 && w !== u.width) u.setSize({ width: w, height });
    });
    ro.observe(el);
    return () => {
      ro.disconnect();
      u.destroy();
      plot.current = null;
    };
    // Recreated when the look changes; data changes go through setData below.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [themeNow, langNow, height, props.data[0]?.length, props.data.length]);

  useEffect(() => {
    plot.current?.setData(props.data);
  }, [props.data]);

  return <div class="chart" ref={box} role="img" aria-label={props.label} data-testid={props.testid} />;
}

export const bars = uPlot.paths.bars!;
