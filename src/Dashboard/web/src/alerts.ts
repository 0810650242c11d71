// Crash alerts of every car the user may see: open first, newest first; operators acknowledge and resolve.
import { Alert, ApiError, isOperator, request, vehiclePath } from "./api";
import { announce, el, time } from "./dom";
import { fleet } from "./fleet";

const statusOrder: Record<string, number> = { open: 0, acknowledged: 1, resolved: 2 };

export function sortAlerts(alerts: Alert[]): Alert[] {
  return alerts.sort((a, b) => (statusOrder[a.status] ?? 3) - (statusOrder[b.status] ?? 3) || b.raisedAt.localeCompare(a.raisedAt));
}

export function renderAlerts(main: HTMLElement): () => void {
  const list = el("ol", { class: "alert-list", id: "alert-list", "aria-label": "Crash alerts, open first" });
  const empty = el("p", { class: "muted" }, "No crash alerts. New ones appear here as they happen.");
  main.replaceChildren(el("section", { class: "page", "aria-labelledby": "alerts-title" }, el("h2", { id: "alerts-title" }, "Alerts"), empty, list));

  const draw = () => {
    const alerts = sortAlerts([...fleet.alerts.values()]);
    empty.hidden = alerts.length > 0;
    list.replaceChildren(...alerts.map(alertItem));
  };
  draw();
  const unsubscribe = fleet.onAlert(draw);
  return unsubscribe;
}

export function alertItem(alert: Alert): HTMLLIElement {
  const where = alert.position
    ? el("a", { href: `#/map/${alert.position.latitude.toFixed(6)},${alert.position.longitude.toFixed(6)}/${alert.vin}` },
      `${alert.position.latitude.toFixed(5)}, ${alert.position.longitude.toFixed(5)}`)
    : el("span", { class: "muted" }, "position unknown");
  const error = el("p", { class: "error", role: "alert" });
  const item = el("li", { class: `alert severity-${alert.severity} status-${alert.status}`, "data-alert-id": alert.id, "data-status": alert.status },
    el("div", { class: "alert-head" },
      el("strong", { class: "severity" }, alert.severity.toUpperCase()),
      " ",
      el("a", { href: `#/car/${alert.vin}` }, alert.vin),
      " ",
      el("span", { class: `status-pill ${alert.status}` }, alert.status)),
    el("dl", { class: "facts" },
      el("dt", {}, "Raised"), el("dd", {}, time(alert.raisedAt)),
      el("dt", {}, "Trigger"), el("dd", {}, alert.triggers.length ? alert.triggers.join(", ") : alert.trigger),
      el("dt", {}, "Occupants"), el("dd", {}, alert.occupants === null ? "unknown" : String(alert.occupants)),
      el("dt", {}, "Position"), el("dd", {}, where),
      alert.speedBeforeKmh !== null && el("dt", {}, "Speed before"),
      alert.speedBeforeKmh !== null && el("dd", {}, `${Math.round(alert.speedBeforeKmh)} km/h`),
      alert.acknowledgedBy && el("dt", {}, "Acknowledged"),
      alert.acknowledgedBy && el("dd", {}, `${alert.acknowledgedBy}, ${time(alert.acknowledgedAt)}`),
      alert.resolvedBy && el("dt", {}, "Resolved"),
      alert.resolvedBy && el("dd", {}, `${alert.resolvedBy}, ${time(alert.resolvedAt)}`)),
    error);

  if (isOperator() && alert.status !== "resolved") {
    const actions = el("div", { class: "actions" });
    const act = (verb: "acknowledge" | "resolve", label: string) => {
      const button = el("button", { type: "button", class: verb === "acknowledge" ? "primary" : "" }, label);
      button.setAttribute("aria-label", `${label} the alert of ${alert.vin}`);
      button.addEventListener("click", async () => {
        button.disabled = true;
        try {
          const changed = await request<Alert>("POST", `${vehiclePath(alert.vin)}/alerts/${encodeURIComponent(alert.id)}/${verb}`);
          fleet.putAlert(changed);
          announce(`Alert of ${alert.vin} ${changed.status}.`);
        } catch (e) {
          error.textContent = e instanceof ApiError ? e.message : String(e);
          button.disabled = false;
        }
      });
      actions.append(button);
    };
    if (alert.status === "open") act("acknowledge", "Acknowledge");
    act("resolve", "Resolve");
    item.append(actions);
  }
  return item;
}
