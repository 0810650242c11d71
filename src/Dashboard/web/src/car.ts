// One car: its twin live, history charts, commands, preconditioning, alerts, and trips and scores where served.
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";
import {
  Alert, ApiError, Command, Page, PeriodScore, Preconditioning, Scores, SignalHistory, Trip, Twin, currentSession, get, request, vehiclePath,
} from "./api";
import { alertItem } from "./alerts";
import { age, announce, el, field, formatValue, time } from "./dom";
import { fleet } from "./fleet";
import { openStream } from "./sse";

const commandNames = ["doors.lock", "doors.unlock", "hvac.precondition", "hvac.stop", "charging.start", "charging.stop", "charging.setLimit"];
const ranges: [string, number][] = [["Last 15 minutes", 15], ["Last hour", 60], ["Last 6 hours", 360], ["Last 24 hours", 1440], ["Last 7 days", 10080]];

export function renderCar(main: HTMLElement, vin: string, onUnauthorized: () => void): () => void {
  const title = el("h2", { id: "car-title" }, vin);
  const summary = el("p", { class: "muted", id: "car-summary", "aria-live": "polite" }, "Loading...");
  const signals = el("tbody");
  const twinSection = el("section", { class: "card wide", "aria-labelledby": "twin-title" },
    el("h3", { id: "twin-title" }, "Twin"),
    el("table", { class: "signals", id: "signal-table" },
      el("caption", { class: "visually-hidden" }, "Signals with value and age"),
      el("thead", {}, el("tr", {}, el("th", { scope: "col" }, "Signal"), el("th", { scope: "col" }, "Value"), el("th", { scope: "col" }, "Age"))),
      signals));
  const history = historySection(vin);
  const commands = commandsSection(vin);
  const precondition = preconditioningSection(vin);
  const alerts = el("ol", { class: "alert-list", id: "car-alerts", "aria-label": "This car's alerts" });
  const alertSection = el("section", { class: "card", "aria-labelledby": "car-alerts-title" }, el("h3", { id: "car-alerts-title" }, "Alerts"), alerts);
  const insights = insightsSection(vin);
  main.replaceChildren(el("section", { class: "page car", "aria-labelledby": "car-title" },
    el("p", {}, el("a", { href: "#/map" }, "← Fleet map")), title, summary,
    el("div", { class: "grid" }, twinSection, history.section, commands.section, precondition.section, alertSection, insights)));
  main.focus();

  let twin: Twin | null = null;
  const drawTwin = () => {
    if (!twin) return;
    const crash = twin.crash.status !== "none" ? `; crash ${twin.crash.status} (${twin.crash.severity})` : "";
    summary.textContent = `${twin.online ? "Online" : "Offline"}, last seen ${twin.lastSeenAt ? `${age(Date.parse(twin.lastSeenAt))} ago` : "never"}, version ${twin.version}${crash}`;
    const names = Object.keys(twin.signals).sort();
    signals.replaceChildren(...names.map(name => {
      const s = twin!.signals[name];
      return el("tr", { "data-signal": name }, el("th", { scope: "row" }, name), el("td", {}, formatValue(s.value)), el("td", {}, age(s.ts)));
    }));
    history.setSignals(names.filter(n => typeof twin!.signals[n].value === "number"));
    precondition.show(twin.preconditioning);
  };

  const alertsById = new Map<string, Alert>();
  const drawAlerts = () => {
    const list = [...alertsById.values()].sort((a, b) => b.raisedAt.localeCompare(a.raisedAt));
    alerts.replaceChildren(...(list.length ? list.map(alertItem) : [el("li", { class: "muted" }, "No alerts.")]));
  };
  const putAlert = (a: Alert) => {
    alertsById.set(a.id, a);
    drawAlerts();
  };

  get<Twin>(vehiclePath(vin)).then(t => { twin = t; drawTwin(); }).catch(e => {
    summary.textContent = e instanceof ApiError && e.status === 404 ? "No such car, or not yours." : String(e.message ?? e);
  });
  get<Alert[]>(`${vehiclePath(vin)}/alerts`).then(list => { list.forEach(a => alertsById.set(a.id, a)); drawAlerts(); }).catch(() => {});

  const stop = openStream({
    url: `${vehiclePath(vin)}/stream`,
    token: () => currentSession()?.token,
    onUnauthorized,
    onMessage: m => {
      const data = JSON.parse(m.data);
      if (m.event === "twin") {
        twin = data as Twin;
        drawTwin();
      } else if (m.event === "alert") {
        putAlert(data as Alert);
        fleet.putAlert(data as Alert);
      } else if (m.event === "command") {
        commands.put(data as Command);
      }
    },
  });
  const unsubscribeAlerts = fleet.onAlert(a => { if (a.vin === vin) putAlert(a); });
  const ticker = window.setInterval(drawTwin, 1000);
  return () => {
    stop();
    unsubscribeAlerts();
    clearInterval(ticker);
    history.dispose();
  };
}

function historySection(vin: string) {
  const signal = field("history-signal", "Signal", "select", {});
  const range = field("history-range", "Range", "select", {});
  for (const [label, minutes] of ranges) range.input.append(el("option", { value: String(minutes) }, label));
  range.input.value = "60";
  const from = field("history-from", "From", "input", { type: "datetime-local" });
  const to = field("history-to", "To", "input", { type: "datetime-local" });
  range.input.append(el("option", { value: "custom" }, "From - to"));
  const custom = el("div", { class: "row", hidden: "" }, from.wrapper, to.wrapper);
  const show = el("button", { type: "submit", class: "primary" }, "Show");
  const chart = el("div", { class: "chart", id: "history-chart", role: "img", "aria-label": "History chart" });
  const note = el("p", { class: "muted", id: "history-note", "aria-live": "polite" }, "Choose a signal.");
  const form = el("form", { class: "row", "aria-label": "History of a signal" }, signal.wrapper, range.wrapper, show);
  const section = el("section", { class: "card wide", "aria-labelledby": "history-title" },
    el("h3", { id: "history-title" }, "History"), form, custom, chart, note);
  let plot: uPlot | null = null;
  let known: string[] = [];

  range.input.addEventListener("change", () => { custom.hidden = range.input.value !== "custom"; });
  const load = async () => {
    if (!signal.input.value) return;
    let start: Date, end: Date;
    if (range.input.value === "custom") {
      if (!from.input.value || !to.input.value) {
        note.textContent = "Give both ends of the range.";
        return;
      }
      start = new Date(from.input.value);
      end = new Date(to.input.value);
    } else {
      end = new Date();
      start = new Date(end.getTime() - Number(range.input.value) * 60_000);
    }
    note.textContent = "Loading...";
    try {
      const name = signal.input.value;
      const h = await get<SignalHistory>(`${vehiclePath(vin)}/telemetry?signal=${encodeURIComponent(name)}&from=${encodeURIComponent(start.toISOString())}&to=${encodeURIComponent(end.toISOString())}&limit=10000`);
      const points = h.points.filter(p => typeof p.value === "number");
      const xs = points.map(p => p.ts / 1000), ys = points.map(p => p.value as number);
      plot?.destroy();
      plot = new uPlot({
        width: Math.max(280, chart.clientWidth || 600),
        height: 260,
        series: [{}, { label: name, stroke: "#0b5cad", width: 2, points: { show: points.length < 200 } }],
        axes: [{}, { size: 60 }],
        scales: { x: { time: true } },
      }, [xs, ys], chart);
      chart.dataset.points = String(points.length);
      chart.setAttribute("aria-label", `${name}: ${points.length} points`);
      if (points.length === 0) note.textContent = `No ${name} samples in this range.`;
      else {
        const min = Math.min(...ys), max = Math.max(...ys);
        note.textContent = `${points.length} points of ${name} from ${new Date(xs[0] * 1000).toLocaleString()} to ${new Date(xs[xs.length - 1] * 1000).toLocaleString()}; min ${formatValue(min)}, max ${formatValue(max)}.`;
      }
    } catch (e) {
      note.textContent = e instanceof Error ? e.message : String(e);
    }
  };
  form.addEventListener("submit", e => { e.preventDefault(); void load(); });
  const resize = () => plot?.setSize({ width: Math.max(280, chart.clientWidth), height: 260 });
  window.addEventListener("resize", resize);

  return {
    section,
    setSignals(names: string[]) {
      if (names.join() === known.join()) return;
      known = names;
      const selected = signal.input.value;
      signal.input.replaceChildren(...names.map(n => el("option", { value: n }, n)));
      if (names.includes(selected)) signal.input.value = selected;
      else if (names.includes("Vehicle.Speed")) signal.input.value = "Vehicle.Speed";
      if (!selected && names.length) void load();
    },
    dispose() {
      window.removeEventListener("resize", resize);
      plot?.destroy();
    },
  };
}

function commandsSection(vin: string) {
  const byId = new Map<string, Command>();
  const list = el("ul", { class: "commands", id: "command-list", "aria-live": "polite" });
  const name = field("command-name", "Command", "select", {});
  for (const n of commandNames) name.input.append(el("option", { value: n }, n));
  const temperature = field("command-temperature", "Target °C", "input", { type: "number", min: "16", max: "28", step: "0.5", value: "21" });
  const limit = field("command-limit", "Charge limit %", "input", { type: "number", min: "50", max: "100", value: "80" });
  const ttl = field("command-ttl", "Valid for (s)", "input", { type: "number", min: "10", max: "86400", value: "600" });
  const send = el("button", { type: "submit", class: "primary" }, "Send");
  const error = el("p", { class: "error", role: "alert" });
  const params = () => {
    temperature.wrapper.hidden = name.input.value !== "hvac.precondition";
    limit.wrapper.hidden = name.input.value !== "charging.setLimit";
  };
  name.input.addEventListener("change", params);
  params();
  const form = el("form", { class: "row", "aria-label": "Send a command" }, name.wrapper, temperature.wrapper, limit.wrapper, ttl.wrapper, send);
  const draw = () => {
    const commands = [...byId.values()].sort((a, b) => (b.createdAt ?? "").localeCompare(a.createdAt ?? ""));
    list.replaceChildren(...(commands.length ? commands.map(c => el("li", { "data-command-id": c.id, "data-status": c.status },
      el("code", {}, c.name), " ", el("span", { class: `status-pill ${c.status}` }, c.status), c.reason ? el("span", { class: "muted" }, ` ${c.reason}`) : "",
      el("span", { class: "muted" }, ` ${time(c.updatedAt ?? c.createdAt)}`))) : [el("li", { class: "muted" }, "No commands seen since this page opened.")]));
  };
  form.addEventListener("submit", async e => {
    e.preventDefault();
    error.textContent = "";
    send.disabled = true;
    const body: Record<string, unknown> = { name: name.input.value, ttlSeconds: Number(ttl.input.value) };
    if (name.input.value === "hvac.precondition") body.params = { targetTemperatureC: Number(temperature.input.value) };
    if (name.input.value === "charging.setLimit") body.params = { limit: Number(limit.input.value) };
    try {
      const command = await request<Command>("POST", `${vehiclePath(vin)}/commands`, body);
      put(command);
      announce(`${command.name} ${command.status}.`);
    } catch (err) {
      error.textContent = err instanceof Error ? err.message : String(err);
    } finally {
      send.disabled = false;
    }
  });
  const put = (c: Command) => {
    const known = byId.get(c.id);
    if (!known || (known.updatedAt ?? "") <= (c.updatedAt ?? "")) byId.set(c.id, c);
    draw();
  };
  draw();
  const section = el("section", { class: "card", "aria-labelledby": "commands-title" }, el("h3", { id: "commands-title" }, "Commands"), form, error, list);
  return { section, put };
}

function preconditioningSection(vin: string) {
  const state = el("p", { id: "precondition-state" }, "No plan.");
  const departure = field("precondition-departure", "Departure", "input", { type: "datetime-local", required: "" });
  const target = field("precondition-target", "Target °C", "input", { type: "number", min: "16", max: "28", step: "0.5", value: "21" });
  const save = el("button", { type: "submit", class: "primary" }, "Plan");
  const cancel = el("button", { type: "button" }, "Cancel plan");
  const error = el("p", { class: "error", role: "alert" });
  const form = el("form", { class: "row", "aria-label": "Plan preconditioning" }, departure.wrapper, target.wrapper, save, cancel);
  const show = (plan: Preconditioning | null) => {
    state.textContent = plan
      ? `${plan.state}: ${plan.targetTemperatureC} °C for ${time(plan.departureAt)}${plan.plannedStartAt ? `, starts ${time(plan.plannedStartAt)}` : ""}${plan.reason ? ` (${plan.reason})` : ""}`
      : "No plan.";
    cancel.hidden = !plan;
  };
  form.addEventListener("submit", async e => {
    e.preventDefault();
    error.textContent = "";
    try {
      // datetime-local has no zone: the browser's own offset is the one the person meant.
      const at = new Date(departure.input.value).toISOString();
      show(await request<Preconditioning>("PUT", `${vehiclePath(vin)}/preconditioning`, { departureAt: at, targetTemperatureC: Number(target.input.value) }));
    } catch (err) {
      error.textContent = err instanceof Error ? err.message : String(err);
    }
  });
  cancel.addEventListener("click", async () => {
    try {
      await request("DELETE", `${vehiclePath(vin)}/preconditioning`);
      show(null);
    } catch (err) {
      error.textContent = err instanceof Error ? err.message : String(err);
    }
  });
  show(null);
  const section = el("section", { class: "card", "aria-labelledby": "precondition-title" }, el("h3", { id: "precondition-title" }, "Preconditioning"), state, form, error);
  return { section, show };
}

/** Scores and the last trips (docs/insights.md explains every figure). */
function insightsSection(vin: string): HTMLElement {
  const trips = el("div", { id: "trips" }, "Loading...");
  const scores = el("div", { id: "scores" }, "Loading...");
  const section = el("section", { class: "card", "aria-labelledby": "insights-title" },
    el("h3", { id: "insights-title" }, "Trips and scores"), el("h4", {}, "Scores"), scores, el("h4", {}, "Trips"), trips);
  const score = (n: number | null | undefined) => (n === null || n === undefined ? "-" : String(Math.round(n)));
  const per = (p: PeriodScore) => p.kwhPer100Km !== null ? `${p.kwhPer100Km.toFixed(1)} kWh/100 km`
    : p.litresPer100Km !== null ? `${p.litresPer100Km.toFixed(1)} l/100 km` : "-";
  get<Scores>(`${vehiclePath(vin)}/scores`).then(s => {
    const r = s.rolling30Days;
    const facts: [string, string][] = [
      ["Last 30 days", `${r.trips} trips, ${r.distanceKm.toFixed(1)} km`],
      ["Driving score", `${score(r.drivingScore)} (fleet ${score(s.fleetMedian.drivingScore)})`],
      ["Eco score", `${score(r.ecoScore)} (fleet ${score(s.fleetMedian.ecoScore)})`],
      ["Consumption", per(r)],
      ["CO2", r.co2GramsPerKm === null ? "-" : `${Math.round(r.co2GramsPerKm)} g/km`],
      ["Last trip", s.lastTrip ? `${s.lastTrip.distanceKm.toFixed(1)} km, driving ${score(s.lastTrip.drivingScore)}, eco ${score(s.lastTrip.ecoScore)}` : "-"],
    ];
    scores.replaceChildren(el("dl", { class: "facts" }, ...facts.flatMap(([k, v]) => [el("dt", {}, k), el("dd", {}, v)])));
  }).catch(e => (scores.textContent = String(e.message ?? e)));
  get<Page<Trip>>(`${vehiclePath(vin)}/trips?limit=10`).then(page => {
    trips.replaceChildren(page.items.length
      ? el("ul", {}, ...page.items.map(t => el("li", { "data-trip": t.id },
        `${time(t.startedAt)}: ${t.distanceKm.toFixed(1)} km in ${Math.round(t.durationSeconds / 60)} min, driving ${score(t.drivingScore)}, eco ${score(t.ecoScore)}`)))
      : el("p", { class: "muted" }, "No trips yet."));
  }).catch(e => (trips.textContent = String(e.message ?? e)));
  return section;
}
