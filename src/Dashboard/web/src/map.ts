// The live fleet map: Leaflet (DOM markers, so every car is focusable and labelled) with supercluster's clustering.
import L from "leaflet";
import "leaflet/dist/leaflet.css";
import Supercluster, { ClusterProperties, PointFeature } from "supercluster";
import { DashboardConfig, FleetVehicle, Hazard, Items, TrafficCell, get } from "./api";
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
  const stopLayers = roadLayers(map, layers);
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

/** The road layers (docs/road.md), read for the visible box and redrawn every 10 s while shown. */
function roadLayers(map: L.Map, fieldset: HTMLFieldSetElement): () => void {
  const timers: number[] = [];
  const layer = <T>(id: string, label: string, path: string, draw: (group: L.LayerGroup, items: T[]) => void) => {
    const box = el("input", { type: "checkbox", id: `layer-${id}` });
    const note = el("span", { class: "muted", id: `layer-${id}-status`, "aria-live": "polite" }, "");
    fieldset.append(el("div", { class: "layer" }, box, el("label", { for: box.id }, label), " ", note));
    const group = L.layerGroup();
    const refresh = async () => {
      const b = map.getBounds();
      const bbox = [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()].map(n => n.toFixed(5)).join(",");
      try {
        const answer = await get<Items<T>>(`${path}?bbox=${bbox}`);
        group.clearLayers();
        draw(group, answer.items);
        note.textContent = `${answer.items.length} shown`;
      } catch (e) {
        note.textContent = e instanceof Error ? e.message : String(e);
      }
    };
    box.addEventListener("change", () => {
      if (box.checked) {
        group.addTo(map);
        void refresh();
      } else {
        group.remove();
        note.textContent = "";
      }
    });
    timers.push(window.setInterval(() => { if (box.checked) void refresh(); }, 10_000));
  };
  layer<Hazard>("hazards", "Hazards", "/api/v1/hazards", drawHazards);
  layer<TrafficCell>("traffic", "Traffic", "/api/v1/traffic", drawTraffic);
  return () => timers.forEach(t => clearInterval(t));
}

function drawHazards(group: L.LayerGroup, hazards: Hazard[]) {
  for (const h of hazards) {
    L.marker([h.latitude, h.longitude], {
      icon: L.divIcon({ className: "hazard-marker", html: "<span>⚠</span>", iconSize: [24, 24] }),
      keyboard: true,
      title: `Hazard: ${h.type}, ${h.confirmations} cars, last seen ${new Date(h.lastSeen).toLocaleTimeString()}`,
    }).addTo(group);
  }
}

const congestionColours: Record<TrafficCell["congestion"], string> = {
  free: "#1a7f37", slow: "#9a6700", congested: "#bc4c00", jammed: "#b00020", unknown: "#57606a",
};

function drawTraffic(group: L.LayerGroup, cells: TrafficCell[]) {
  for (const c of cells) {
    L.circleMarker([c.latitude, c.longitude], { radius: 8, color: congestionColours[c.congestion], fillOpacity: 0.5 })
      .bindTooltip(`Traffic ${c.direction}: ${c.congestion}, ${Math.round(c.meanSpeedKmh)} km/h of ${Math.round(c.freeFlowKmh)} free-flow (${c.samples} samples)`)
      .addTo(group);
  }
}
