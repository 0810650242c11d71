// A few helpers to build accessible DOM without a framework.

type Child = Node | string | null | undefined | false;

export function el<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string> = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) node.setAttribute(name, value);
  for (const child of children) if (child !== null && child !== undefined && child !== false) node.append(child);
  return node;
}

let fieldCount = 0;

/** A labelled form control: the label names it for screen readers and enlarges its click target. */
export function field<K extends "input" | "select" | "textarea">(id: string, label: string, tag: K, attrs: Record<string, string>) {
  const input = el(tag, { id: `${id}-${++fieldCount}`, name: id, ...attrs }) as HTMLElementTagNameMap[K];
  const wrapper = el("div", { class: "field" }, el("label", { for: input.id }, label), input);
  return { input, wrapper };
}

export function announce(text: string) {
  const region = document.getElementById("announcer");
  if (!region) return;
  region.textContent = "";
  // A change after a tick makes screen readers read the same text twice in a row.
  setTimeout(() => (region.textContent = text), 50);
}

export function age(ms: number): string {
  const s = Math.max(0, Math.round((Date.now() - ms) / 1000));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min`;
  if (s < 86400) return `${Math.floor(s / 3600)} h`;
  return `${Math.floor(s / 86400)} d`;
}

export function time(iso: string | null | undefined): string {
  return iso ? new Date(iso).toLocaleString() : "-";
}

export function formatValue(value: unknown): string {
  if (typeof value === "number") return Number.isInteger(value) ? String(value) : value.toFixed(Math.abs(value) < 10 ? 4 : 2);
  return String(value);
}
