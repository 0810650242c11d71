// The live fleet map: Leaflet (DOM markers, so every car is focusable and labelled) with supercluster's clustering.
import L from "leaflet";
import "leaflet/dist/leaflet.css";
import Supercluster, { ClusterProperties, PointFeature } from "supercluster";
import { DashboardConfig, FleetVehicle, NotAvailable, getOptional } from "./api";
import { el } from "./dom";
import { CarState, fleet, stateLabels, stateOf } from "./fleet";

interface CarProps { vin: string; state: CarState }
interface ClusterProps { crash: number }

const glyphs: Record<CarState, string> = { crash: "!", offline: "×", moving: "▲", parked: "P" };

export interface MapFocus { latitude: number; longitude: number; label: string }

export function renderMap(main: HTMLElement, config: DashboardConfig, focus?: MapFocus): () => void {
  const container = el("div", { class: "map", id: "fleet-map", role: "region", "aria-label": "Fleet map; cars are buttons, clusters zoom in" });
  const counts = el("ul", { class: "legend", "aria-label": "Cars by state" });
  const status = el("p", { class: "hint", id: "fleet-status", "aria-live": "polite" });
  const layers = el("fieldset", { class: "layers" }, el("legend", {}, "Layers"));
  const filter = el("input", { type: "search", id: "car-filter", placeholder: "VIN", "aria-label": "Filter cars by VIN" });
  const fitAll = el("button", { type: "button", id: "fit-all" }, "Show all cars");
  const list = el("ul", { class: "car-list", id: "car-list", "aria-label": "Cars" });
  const side = el("aside", { class: "side", "aria-label": "Fleet" },
    el("h2", {}, "Fleet"), status, counts, fitAll, layers, el("label", { for: "car-filter", class: "visually-hidden" }, "Filter cars by VIN"), filter, list);
  main.replaceChildren(el("div", { class: "map-view" }, container, side));

  const map = L.map(container, { zoomControl: true, keyboard: true, worldCopyJump: true, attributionControl: true, minZoom: 2 });
  if (config.tileUrl) {
    L.tileLayer(config.tileUrl, { attribution: config.tileAttribution ?? "", maxZoom: 19 }).addTo(map);
  } else {
    // No tile server configured: the cars on a plain background, so air-gapped sites and tests need nothing outside.
    container.classList.add("no-tiles");
    map.attributionControl.addAttribution("No map tiles configured (Dashboard:TileUrl)");
  }
  map.setView([20, 0], 2);

  const index = new Supercluster<CarProps, ClusterProps>({
    radius: 48,
    maxZoom: 16,
    map: props => ({ crash: props.state === "crash" ? 1 : 0 }),
    reduce: (acc, props) => { acc.crash += props.crash; },
  });
  const markers = new Map<string, { marker: L.Marker; look: string }>();
  // The view follows the fleet as its cars report their positions, until the person moves the map themselves.
  let userMoved = false;
  let fitting = false;
  let fittedCount = 0;
  let frame = 0;
  let lastPoints: PointFeature<CarProps>[] = [];
  const fit = (points: PointFeature<CarProps>[]) => {
    if (points.length === 0) return;
    fitting = true;
    map.fitBounds(L.latLngBounds(points.map(p => [p.geometry.coordinates[1], p.geometry.coordinates[0]] as L.LatLngTuple)), { padding: [40, 40], maxZoom: 15, animate: false });
    fitting = false;
    fittedCount = points.length;
  };
  map.on("zoomstart dragstart", () => { if (!fitting) userMoved = true; });

  const carIcon = (v: FleetVehicle, state: CarState) => L.divIcon({
    className: `car-marker state-${state}`,
    html: `<span class="glyph" style="transform: rotate(${state === "moving" ? v.heading ?? 0 : 0}deg)">${glyphs[state]}</span>`,
    iconSize: [26, 26],
  });
  const clusterIcon = (count: number, crash: number) => L.divIcon({
    className: `cluster-marker${crash > 0 ? " has-crash" : ""}`,
    html: `<span data-count="${count}">${count}</span>`,
    iconSize: [40, 40],
  });

  const redraw = () => {
    frame = 0;
    const points: PointFeature<CarProps>[] = [];
    for (const v of fleet.vehicles.values()) {
      if (v.latitude === null || v.longitude === null) continue;
      points.push({ type: "Feature", geometry: { type: "Point", coordinates: [v.longitude, v.latitude] }, properties: { vin: v.vin, state: stateOf(v) } });
    }
    index.load(points);
    if (!userMoved && !focus && points.length > fittedCount) fit(points);
    lastPoints = points;
    const b = map.getBounds();
    const west = Math.max(-180, b.getWest()), east = Math.min(180, b.getEast());
    const features = index.getClusters([west, Math.max(-85, b.getSouth()), east, Math.min(85, b.getNorth())], Math.round(map.getZoom()));
    const seen = new Set<string>();
    let shownCars = 0, shownClusters = 0;
    for (const f of features) {
      const [lon, lat] = f.geometry.coordinates;
      const props = f.properties as Partial<ClusterProperties & ClusterProps & CarProps>;
      let key: string, look: string, make: () => L.Marker;
      if (props.cluster) {
        shownClusters++;
        const id = props.cluster_id!;
        key = `c:${id}`;
        look = `${props.point_count}:${props.crash}`;
        make = () => {
          const m = L.marker([lat, lon], { icon: clusterIcon(props.point_count!, props.crash!), keyboard: true, title: `${props.point_count} cars${props.crash ? `, ${props.crash} crashed` : ""}: zoom in`, alt: "cluster" });
          m.on("click", () => map.flyTo([lat, lon], Math.min(index.getClusterExpansionZoom(id), 18)));
          return m;
        };
      } else {
        shownCars++;
        const v = fleet.vehicles.get(props.vin!)!;
        const state = stateOf(v);
        key = `v:${v.vin}`;
        look = `${state}:${Math.round((v.heading ?? 0) / 15)}`;
        const title = describe(v, state);
        make = () => {
          const m = L.marker([lat, lon], { icon: carIcon(v, state), keyboard: true, title, alt: title, riseOnHover: true });
          m.on("click", () => (location.hash = `#/car/${v.vin}`));
          return m;
        };
      }
      seen.add(key);
      const known = markers.get(key);
      if (!known) {
        const marker = make().addTo(map);
        markers.set(key, { marker, look });
      } else {
        known.marker.setLatLng([lat, lon]);
        if (known.look !== look) {
          known.marker.remove();
          markers.set(key, { marker: make().addTo(map), look });
        }
      }
    }
    for (const [key, known] of markers) {
      if (!seen.has(key)) {
        known.marker.remove();
        markers.delete(key);
      }
    }
    container.dataset.cars = String(points.length);
    container.dataset.shownCars = String(shownCars);
    container.dataset.shownClusters = String(shownClusters);
    renderSide();
  };
  const schedule = () => { if (!frame) frame = requestAnimationFrame(redraw); };
  fitAll.addEventListener("click", () => {
    fit(lastPoints);
    schedule();
  });

  const renderSide = () => {
    const byState: Record<CarState, number> = { crash: 0, moving: 0, parked: 0, offline: 0 };
    const all = [...fleet.vehicles.values()];
    for (const v of all) byState[stateOf(v)]++;
    counts.replaceChildren(...(Object.keys(byState) as CarState[]).map(s =>
      el("li", {}, el("span", { class: `swatch state-${s}`, "aria-hidden": "true" }, glyphs[s]), `${stateLabels[s]}: `, el("strong", { "data-state-count": s }, String(byState[s])))));
    const expected = fleet.expected === null ? "" : ` of ${fleet.expected}`;
    const capped = fleet.limit !== null && fleet.expected === fleet.limit ? ` (the stream watches at most ${fleet.limit})` : "";
    const noPosition = all.filter(v => v.latitude === null).length;
    status.textContent = fleet.connection === "open"
      ? `${all.length}${expected} cars live${capped}${noPosition ? `; ${noPosition} without a position` : ""}.`
      : fleet.connection === "connecting" ? "Connecting to the fleet stream..." : "Fleet stream interrupted; reconnecting...";
    const wanted = filter.value.trim().toUpperCase();
    const order: Record<CarState, number> = { crash: 0, moving: 1, parked: 2, offline: 3 };
    const rows = all.filter(v => !wanted || v.vin.includes(wanted))
      .sort((a, b) => order[stateOf(a)] - order[stateOf(b)] || a.vin.localeCompare(b.vin));
    const shown = rows.slice(0, 200);
    list.replaceChildren(...shown.map(v => {
      const state = stateOf(v);
      return el("li", { "data-vin": v.vin },
        el("span", { class: `swatch state-${state}`, "aria-hidden": "true" }, glyphs[state]),
        el("a", { href: `#/car/${v.vin}` }, v.vin),
        el("span", { class: "muted" }, ` ${stateLabels[state]}${v.speedKmh !== null && state === "moving" ? `, ${Math.round(v.speedKmh)} km/h` : ""}`));
    }), ...(rows.length > shown.length ? [el("li", { class: "muted" }, `...and ${rows.length - shown.length} more; filter by VIN`)] : []));
  };

  filter.addEventListener("input", renderSide);
  map.on("moveend zoomend", schedule);
  const unsubscribe = fleet.onVehicles(schedule);
  const stopLayers = optionalLayers(map, layers);
  if (focus) {
    map.setView([focus.latitude, focus.longitude], 15);
    L.circle([focus.latitude, focus.longitude], { radius: 60, color: "#b00020", weight: 2, fill: false }).addTo(map).bindTooltip(focus.label, { permanent: true, direction: "top" });
  }
  schedule();
  // Leaflet measures its container; the view's grid has laid out by the next frame.
  requestAnimationFrame(() => map.invalidateSize());

  return () => {
    unsubscribe();
    stopLayers();
    if (frame) cancelAnimationFrame(frame);
    map.remove();
  };
}

function describe(v: FleetVehicle, state: CarState): string {
  const speed = v.speedKmh !== null && state === "moving" ? `, ${Math.round(v.speedKmh)} km/h` : "";
  return `${v.vin}: ${stateLabels[state]}${speed}`;
}

/** Hazards and traffic come with features other silos may not run yet: each layer says when its route is missing. */
function optionalLayers(map: L.Map, fieldset: HTMLFieldSetElement): () => void {
  const timers: number[] = [];
  const defs = [
    { id: "hazards", label: "Hazards", path: "/api/v1/hazards", draw: drawHazards },
    { id: "traffic", label: "Traffic", path: "/api/v1/traffic", draw: drawTraffic },
  ];
  for (const def of defs) {
    const box = el("input", { type: "checkbox", id: `layer-${def.id}` });
    const note = el("span", { class: "muted", id: `layer-${def.id}-status` }, "");
    fieldset.append(el("div", { class: "layer" }, box, el("label", { for: box.id }, def.label), " ", note));
    const group = L.layerGroup();
    const refresh = async () => {
      const b = map.getBounds();
      const bbox = [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()].map(n => n.toFixed(5)).join(",");
      try {
        const answer = await getOptional<unknown>(`${def.path}?bbox=${bbox}`);
        if (answer === NotAvailable) {
          note.textContent = "not available on this silo";
          box.disabled = true;
          box.checked = false;
          group.remove();
          return;
        }
        note.textContent = "";
        group.clearLayers();
        def.draw(group, itemsOf(answer));
      } catch (e) {
        note.textContent = e instanceof Error ? e.message : String(e);
      }
    };
    box.addEventListener("change", () => {
      if (box.checked) {
        group.addTo(map);
        void refresh();
      } else group.remove();
    });
    void refresh();
    timers.push(window.setInterval(() => { if (box.checked) void refresh(); }, 10_000));
  }
  return () => timers.forEach(t => clearInterval(t));
}

function itemsOf(answer: unknown): Record<string, unknown>[] {
  if (Array.isArray(answer)) return answer;
  const o = answer as Record<string, unknown>;
  for (const key of ["items", "hazards", "cells", "traffic"]) if (Array.isArray(o?.[key])) return o[key] as Record<string, unknown>[];
  return [];
}

function pointOf(item: Record<string, unknown>): L.LatLngTuple | null {
  const p = (item.position ?? item.center ?? item) as Record<string, unknown>;
  const lat = Number(p.latitude ?? p.lat), lon = Number(p.longitude ?? p.lon ?? p.lng);
  return Number.isFinite(lat) && Number.isFinite(lon) ? [lat, lon] : null;
}

function drawHazards(group: L.LayerGroup, items: Record<string, unknown>[]) {
  for (const item of items) {
    const at = pointOf(item);
    if (!at) continue;
    L.marker(at, {
      icon: L.divIcon({ className: "hazard-marker", html: "<span>⚠</span>", iconSize: [24, 24] }),
      keyboard: true,
      title: `Hazard: ${item.type ?? "unknown"}${item.confirmations ? `, ${item.confirmations} confirmations` : ""}`,
    }).addTo(group);
  }
}

function drawTraffic(group: L.LayerGroup, items: Record<string, unknown>[]) {
  const colours = ["#1a7f37", "#9a6700", "#bc4c00", "#b00020"];
  for (const item of items) {
    const at = pointOf(item);
    if (!at) continue;
    const level = String(item.congestion ?? item.congestionLevel ?? item.level ?? "");
    const index = Math.max(0, ["free", "light", "heavy", "jam"].indexOf(level.toLowerCase()));
    L.circleMarker(at, { radius: 8, color: colours[index], fillOpacity: 0.5 })
      .bindTooltip(`Traffic: ${level || "?"}${item.meanSpeed ?? item.meanSpeedKmh ? `, ${Math.round(Number(item.meanSpeed ?? item.meanSpeedKmh))} km/h` : ""}`)
      .addTo(group);
  }
}
