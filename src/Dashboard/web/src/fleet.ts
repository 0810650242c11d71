// The fleet as this user may see it, kept live by one stream (GET /api/v1/fleet/stream) for every view.
import { Alert, FleetVehicle, currentSession } from "./api";
import { openStream } from "./sse";

export type CarState = "crash" | "offline" | "moving" | "parked";

/** Above this speed a car counts as moving (the command guard's threshold for "moving" is 3 km/h too). */
const movingKmh = 3;

export function stateOf(v: FleetVehicle): CarState {
  if (v.crash.status === "open" || v.crash.status === "acknowledged") return "crash";
  if (!v.online) return "offline";
  return (v.speedKmh ?? 0) > movingKmh ? "moving" : "parked";
}

export const stateLabels: Record<CarState, string> = { crash: "Crash", offline: "Offline", moving: "Moving", parked: "Parked" };

type Listener = () => void;

class Fleet {
  readonly vehicles = new Map<string, FleetVehicle>();
  readonly alerts = new Map<string, Alert>();
  expected: number | null = null;
  limit: number | null = null;
  connection: "connecting" | "open" | "retrying" = "connecting";
  private vehicleListeners = new Set<Listener>();
  private alertListeners = new Set<(alert: Alert, isNew: boolean) => void>();
  private stop: (() => void) | null = null;

  start(onUnauthorized: () => void) {
    this.stop?.();
    this.vehicles.clear();
    this.alerts.clear();
    this.stop = openStream({
      url: "/api/v1/fleet/stream",
      token: () => currentSession()?.token,
      onUnauthorized,
      onState: state => {
        this.connection = state;
        this.emitVehicles();
      },
      onMessage: message => {
        const data = JSON.parse(message.data);
        if (message.event === "ready") {
          this.expected = data.vehicles;
          this.limit = data.limit;
          this.emitVehicles();
        } else if (message.event === "vehicles") {
          for (const v of data as FleetVehicle[]) {
            const known = this.vehicles.get(v.vin);
            if (!known || known.version <= v.version) this.vehicles.set(v.vin, v);
          }
          this.emitVehicles();
        } else if (message.event === "alert") {
          this.putAlert(data as Alert);
        }
      },
    });
  }

  shutdown() {
    this.stop?.();
    this.stop = null;
  }

  /** An alert from the stream or from an operator's action; a late, older copy never replaces a newer one. */
  putAlert(alert: Alert) {
    const known = this.alerts.get(alert.id);
    if (known && (known.updatedAt > alert.updatedAt || (known.updatedAt === alert.updatedAt && known.revision > alert.revision))) return;
    this.alerts.set(alert.id, alert);
    for (const l of this.alertListeners) l(alert, !known);
  }

  openAlerts(): Alert[] {
    return [...this.alerts.values()].filter(a => a.status !== "resolved");
  }

  onVehicles(listener: Listener): () => void {
    this.vehicleListeners.add(listener);
    return () => this.vehicleListeners.delete(listener);
  }

  onAlert(listener: (alert: Alert, isNew: boolean) => void): () => void {
    this.alertListeners.add(listener);
    return () => this.alertListeners.delete(listener);
  }

  private emitVehicles() {
    for (const l of this.vehicleListeners) l();
  }
}

export const fleet = new Fleet();
