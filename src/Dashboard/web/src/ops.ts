// Operations, from the silo's own endpoints: /metrics (Prometheus text), /readyz and the dead letters.
import { DashboardConfig, get, request } from "./api";
import { el, time } from "./dom";

interface Sample { name: string; labels: Record<string, string>; value: number }

export function parsePrometheus(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split("\n")) {
    if (!line || line.startsWith("#")) continue;
    const match = /^([a-zA-Z_:][\w:]*)(\{(.*)\})?\s+(\S+)/.exec(line);
    if (!match) continue;
    const labels: Record<string, string> = {};
    for (const l of (match[3] ?? "").matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]] = l[2];
    samples.push({ name: match[1], labels, value: Number(match[4]) });
  }
  return samples;
}

const sum = (samples: Sample[], name: string, where: (labels: Record<string, string>) => boolean = () => true) =>
  samples.filter(s => s.name === name && where(s.labels)).reduce((total, s) => total + s.value, 0);

const has = (samples: Sample[], name: string) => samples.some(s => s.name === name);

export function renderOps(main: HTMLElement, config: DashboardConfig): () => void {
  const tiles = el("div", { class: "tiles", id: "ops-tiles" });
  const health = el("tbody");
  const dead = el("tbody");
  const recent = el("ul", { class: "dead-letters" });
  const error = el("p", { class: "error", role: "alert" });
  const orleans = el("p", {});
  if (config.orleansDashboard) {
    const link = el("a", { href: config.orleansDashboard, target: "_blank", rel: "noopener" }, "Open the Orleans Dashboard");
    link.addEventListener("click", async event => {
      // The Orleans Dashboard cannot send a bearer token: the silo hands this operator's token to it as a cookie first.
      event.preventDefault();
      try {
        await request("POST", "/dashboard/orleans-session");
        window.open(config.orleansDashboard!, "_blank", "noopener");
      } catch (e) {
        error.textContent = e instanceof Error ? e.message : String(e);
      }
    });
    orleans.append(link, " (grains, silos, calls; operators only)");
  } else {
    orleans.append(el("span", { class: "muted" }, "Orleans Dashboard: not enabled on this silo (Dashboard:OrleansDashboard=true)."));
  }

  main.replaceChildren(el("section", { class: "page", "aria-labelledby": "ops-title" },
    el("h2", { id: "ops-title" }, "Operations"), error, tiles,
    el("div", { class: "grid" },
      el("section", { class: "card", "aria-labelledby": "health-title" }, el("h3", { id: "health-title" }, "Readiness"),
        el("table", {}, el("thead", {}, el("tr", {}, el("th", { scope: "col" }, "Check"), el("th", { scope: "col" }, "Status"), el("th", { scope: "col" }, "Detail"))), health)),
      el("section", { class: "card", "aria-labelledby": "dead-title" }, el("h3", { id: "dead-title" }, "Dead letters by reason"),
        el("table", {}, el("thead", {}, el("tr", {}, el("th", { scope: "col" }, "Reason"), el("th", { scope: "col" }, "Count"))), dead),
        el("h4", {}, "Newest"), recent),
      el("section", { class: "card", "aria-labelledby": "orleans-title" }, el("h3", { id: "orleans-title" }, "Cluster"), orleans))));

  let previous: { at: number; ingested: number } | null = null;
  const tile = (label: string, value: string, id: string) =>
    el("div", { class: "tile", id }, el("span", { class: "tile-value" }, value), el("span", { class: "tile-label" }, label));

  const refresh = async () => {
    error.textContent = "";
    try {
      const [metricsText, ready, letters] = await Promise.all([
        fetch("/metrics").then(r => r.text()),
        fetch("/readyz", { headers: { Accept: "application/json" } }).then(r => r.json()),
        get<{ capacity: number; counts: Record<string, number>; items: { at: string; clientId: string | null; topic: string | null; reason: string; detail: string }[] }>("/api/v1/operations/dead-letters?limit=10"),
      ]);
      const samples = parsePrometheus(metricsText);
      const now = Date.now();
      const ingested = sum(samples, "digitaltwin_mqtt_messages_total") + sum(samples, "digitaltwin_kafka_consumed_total");
      const rate = previous && now > previous.at ? ((ingested - previous.ingested) * 1000) / (now - previous.at) : null;
      previous = { at: now, ingested };
      const sessions = samples.find(s => s.name.startsWith("digitaltwin_mqtt_sessions"))?.value ?? 0;
      const capacity = samples.find(s => s.name.startsWith("digitaltwin_mqtt_capacity"))?.value;
      const kafka = has(samples, "digitaltwin_kafka_records_total")
        ? `${sum(samples, "digitaltwin_kafka_records_total", l => l.outcome !== "delivered" && l.outcome !== "ok")} failed`
        : "off";
      const flushFailures = sum(samples, "digitaltwin_persistence_snapshots_flush_failures_total");
      tiles.replaceChildren(
        tile("messages / s", rate === null ? "…" : rate.toFixed(1), "tile-rate"),
        tile(`connected cars${capacity ? ` of ${capacity}` : ""}`, String(sessions), "tile-connected"),
        tile("messages refused", String(sum(samples, "digitaltwin_mqtt_rejections_total")), "tile-refused"),
        tile("snapshot flush failures", has(samples, "digitaltwin_persistence_snapshots_written_total") ? String(flushFailures) : "in memory", "tile-persistence"),
        tile("Kafka records", kafka, "tile-kafka"));
      const checks = (ready.checks ?? {}) as Record<string, { status: string; description?: string }>;
      health.replaceChildren(
        el("tr", {}, el("th", { scope: "row" }, "overall"), el("td", { class: `health ${ready.status}` }, ready.status), el("td", {}, "")),
        ...Object.entries(checks).map(([name, c]) =>
          el("tr", { "data-check": name }, el("th", { scope: "row" }, name), el("td", { class: `health ${c.status}` }, c.status), el("td", {}, c.description ?? ""))));
      const counts = letters.counts ?? {};
      dead.replaceChildren(...(Object.keys(counts).length
        ? Object.entries(counts).sort((a, b) => b[1] - a[1]).map(([reason, n]) => el("tr", {}, el("th", { scope: "row" }, reason), el("td", {}, String(n))))
        : [el("tr", {}, el("td", { colspan: "2", class: "muted" }, "None refused."))]));
      recent.replaceChildren(...letters.items.map(entry =>
        el("li", {}, `${time(entry.at)} ${entry.reason}: ${entry.detail} (${entry.clientId ?? "?"}, ${entry.topic ?? "?"})`)));
    } catch (e) {
      error.textContent = e instanceof Error ? e.message : String(e);
    }
  };
  void refresh();
  const timer = window.setInterval(refresh, 5000);
  return () => clearInterval(timer);
}
