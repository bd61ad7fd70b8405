// Form controls with their labels, as every form of the panel lays them out.
import type { ComponentChildren, JSX } from "preact";

/** Any control (an input, a select) under its label; `children` after the control (a field error). */
export function Field(props: { label: ComponentChildren; class?: string; children: ComponentChildren }) {
  return (
    <label class={props.class ?? "field"}>
      <span>{props.label}</span>
      {props.children}
    </label>
  );
}

type InputProps = Omit<JSX.InputHTMLAttributes<HTMLInputElement>, "label" | "onInput" | "class">;

/** A text-like input (text, password, url, number, date) under its label; `onValue` gets the text typed. */
export function InputField({
  label,
  onValue,
  children,
  ...input
}: InputProps & { label: ComponentChildren; onValue: (v: string) => void }) {
  return (
    <Field label={label}>
      <input {...input} onInput={(e) => onValue((e.target as HTMLInputElement).value)} />
      {children}
    </Field>
  );
}

/** A checkbox before its label. */
export function Check({
  label,
  onChecked,
  small,
  ...input
}: Omit<InputProps, "onChange" | "type"> & {
  label: ComponentChildren;
  onChecked: (on: boolean) => void;
  small?: boolean;
}) {
  return (
    <label class={small ? "check small" : "check"}>
      <input type="checkbox" {...input} onChange={(e) => onChecked((e.target as HTMLInputElement).checked)} />
      <span>{label}</span>
    </label>
  );
}
