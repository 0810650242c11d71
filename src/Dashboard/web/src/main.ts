// The page's shell: sign-in, the fleet stream shared by every view, and a hash router (#/map, #/alerts, #/car/VIN, #/ops).
import "./styles.css";
import { Alert, DashboardConfig, Session, currentSession, get, isOperator, setSession, whenUnauthorized } from "./api";
import { completeOidc, renderSignIn, restoreSession, saveSession } from "./auth";
import { renderAlerts } from "./alerts";
import { renderCar } from "./car";
import { announce, el } from "./dom";
import { fleet } from "./fleet";
import { renderMap } from "./map";
import { renderOps } from "./ops";

const main = document.getElementById("main")!;
const nav = document.getElementById("nav")!;
const who = document.getElementById("who")!;
const banner = document.getElementById("banner")!;
const badge = document.getElementById("alert-count")!;
let config: DashboardConfig;
let disposeView: (() => void) | null = null;

function signOut(reason?: string) {
  saveSession(null);
  setSession(null);
  fleet.shutdown();
  disposeView?.();
  disposeView = null;
  nav.hidden = true;
  who.replaceChildren();
  banner.hidden = true;
  renderSignIn(main, config, signIn, reason);
}

function signIn(session: Session) {
  saveSession(session);
  setSession(session);
  nav.hidden = false;
  document.getElementById("nav-ops")!.hidden = !isOperator();
  const out = el("button", { type: "button", class: "link" }, "Sign out");
  out.addEventListener("click", () => signOut());
  who.replaceChildren(el("span", { id: "signed-in-as" }, `${session.sub} (${session.role})`), " ", out);
  fleet.start(() => signOut("Your session ended; sign in again."));
  route();
}

function updateBadge() {
  const open = fleet.openAlerts().filter(a => a.status === "open").length;
  badge.textContent = String(open);
  badge.classList.toggle("hot", open > 0);
}

fleet.onAlert((alert: Alert, isNew: boolean) => {
  updateBadge();
  if (isNew && alert.status === "open") {
    // A new crash interrupts whatever view is open: a banner that links to it, and a spoken announcement.
    const link = el("a", { href: "#/alerts" }, "see alerts");
    banner.replaceChildren(el("strong", {}, "Crash: "), `${alert.vin}, ${alert.severity}${alert.occupants !== null ? `, ${alert.occupants} occupant(s)` : ""} - `, link);
    banner.hidden = false;
    announce(`New crash alert for ${alert.vin}, severity ${alert.severity}.`);
  }
});

function route() {
  if (!currentSession()) return;
  disposeView?.();
  const [view, ...rest] = location.hash.replace(/^#\/?/, "").split("/");
  for (const link of nav.querySelectorAll("a")) {
    if (link.dataset.view === (view || "map")) link.setAttribute("aria-current", "page");
    else link.removeAttribute("aria-current");
  }
  if (view === "alerts") {
    banner.hidden = true;
    disposeView = renderAlerts(main);
    document.title = "Alerts - DigitalTwin";
  } else if (view === "car" && rest[0]) {
    const vin = decodeURIComponent(rest[0]);
    disposeView = renderCar(main, vin, () => signOut("Your session ended; sign in again."));
    document.title = `${vin} - DigitalTwin`;
  } else if (view === "ops" && isOperator()) {
    disposeView = renderOps(main, config);
    document.title = "Operations - DigitalTwin";
  } else {
    // #/map/lat,lon/label centres the map on an alert's position.
    const at = rest[0]?.split(",").map(Number);
    const focus = at && at.length === 2 && at.every(Number.isFinite) ? { latitude: at[0], longitude: at[1], label: decodeURIComponent(rest[1] ?? "") } : undefined;
    disposeView = renderMap(main, config, focus);
    document.title = "Fleet map - DigitalTwin";
  }
}

async function start() {
  config = await get<DashboardConfig>("/dashboard/config.json");
  whenUnauthorized(() => signOut("Your session ended; sign in again."));
  window.addEventListener("hashchange", route);
  try {
    const fromAuthority = await completeOidc(config);
    if (fromAuthority) return signIn(fromAuthority);
  } catch (e) {
    return signOut(e instanceof Error ? e.message : String(e));
  }
  const restored = restoreSession();
  if (restored) signIn(restored);
  else signOut();
}

start().catch(e => {
  main.textContent = `The dashboard could not start: ${e instanceof Error ? e.message : String(e)}`;
});
