// A plain table described by its columns: the panel's many small tables differ only in what each column
// shows, so each names its columns once and this draws the header, the rows and the empty state.
import type { ComponentChildren } from "preact";
import { Empty } from "./ui";

export interface Column<R> {
  head: ComponentChildren;
  /** On the header and the cells alike: "num", "hide-sm", "hide-md", "bar-col". */
  class?: string;
  /** On the cells only, e.g. "mono ellipsis". */
  cellClass?: string;
  cell: (row: R) => ComponentChildren;
  /** A cell's tooltip (the full text of an ellipsized one). */
  title?: (row: R) => string | undefined;
}

export function DataTable<R>(props: {
  rows: readonly R[];
  columns: Column<R>[];
  testid?: string;
  /** What an empty table says instead (default: no data in this range). */
  empty?: ComponentChildren;
  /** The wrapper's class (default "table-wrap": scrolls sideways on phones), or false for none. */
  wrap?: string | false;
  rowClass?: (row: R) => string | undefined;
}) {
  if (!props.rows.length) return <Empty>{props.empty}</Empty>;
  const cls = (...c: (string | undefined)[]) => c.filter(Boolean).join(" ") || undefined;
  const table = (
    <table class="table" data-testid={props.testid}>
      <thead>
        <tr>
          {props.columns.map((c) => (
            <th class={c.class}>{c.head}</th>
          ))}
        </tr>
      </thead>
      <tbody>
        {props.rows.map((r) => (
          <tr class={props.rowClass?.(r)}>
            {props.columns.map((c) => (
              <td class={cls(c.class, c.cellClass)} title={c.title?.(r)}>
                {c.cell(r)}
              </td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  );
  const wrap = props.wrap ?? "table-wrap";
  return wrap === false ? table : <div class={wrap}>{table}</div>;
}
