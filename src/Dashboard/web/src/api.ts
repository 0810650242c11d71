// Every call the page makes goes through here, to the silo's public API, with the signed-in user's token.

export class ApiError extends Error {
  constructor(readonly status: number, readonly title: string, readonly detail?: string) {
    super(detail ? `${title}: ${detail}` : title);
  }
}

export interface Session {
  token: string;
  sub: string;
  role: string;
  expiresAt: number;
}

let session: Session | null = null;
let onUnauthorized: () => void = () => {};

export function setSession(value: Session | null) {
  session = value;
}

export function whenUnauthorized(handler: () => void) {
  onUnauthorized = handler;
}

export function currentSession(): Session | null {
  return session;
}

export function isOperator(): boolean {
  return session?.role === "operator";
}

function headers(extra?: Record<string, string>): Record<string, string> {
  const h: Record<string, string> = { Accept: "application/json", ...extra };
  if (session) h.Authorization = `Bearer ${session.token}`;
  return h;
}

async function fail(response: Response): Promise<never> {
  let title = response.statusText || `HTTP ${response.status}`;
  let detail: string | undefined;
  try {
    const problem = await response.json();
    title = problem.title ?? title;
    detail = problem.detail ?? (problem.errors ? Object.values(problem.errors).flat().join(" ") : undefined);
  } catch {
    // Not a problem document; the status says enough.
  }
  if (response.status === 401) onUnauthorized();
  throw new ApiError(response.status, title, detail);
}

export async function request<T>(method: string, path: string, body?: unknown): Promise<T> {
  const response = await fetch(path, {
    method,
    headers: headers(body === undefined ? undefined : { "Content-Type": "application/json" }),
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!response.ok) await fail(response);
  if (response.status === 204) return undefined as T;
  const type = response.headers.get("content-type") ?? "";
  return (type.includes("json") ? await response.json() : await response.text()) as T;
}

export const get = <T>(path: string) => request<T>("GET", path);

// The shapes of docs/api.md the page reads.
export interface SignalValue { value: number | boolean | string; ts: number }
export interface Crash { status: string; alertId?: string; severity?: string; trigger?: string; raisedAt?: string }
export interface Twin {
  vin: string; online: boolean; lastSeenAt: string | null; version: number;
  signals: Record<string, SignalValue>; crash: Crash; preconditioning: Preconditioning | null;
}
export interface Position { latitude: number; longitude: number; heading: number | null; fixAgeSeconds: number }
export interface Alert {
  id: string; vin: string; type: string; status: string; severity: string; raisedAt: string; occurredAt: string;
  updatedAt: string; trigger: string; triggers: string[]; position: Position | null; occupants: number | null;
  speedBeforeKmh: number | null; deltaVKmh: number | null; peakAccelerationMps2: number | null; revision: number;
  acknowledgedBy: string | null; acknowledgedAt: string | null; resolvedBy: string | null; resolvedAt: string | null;
}
export interface FleetVehicle {
  vin: string; online: boolean; lastSeenAt: string | null; version: number; latitude: number | null;
  longitude: number | null; heading: number | null; speedKmh: number | null; positionTs: number | null; crash: Crash;
}
export interface Command {
  id: string; name: string; params?: unknown; status: string; reason?: string | null;
  createdAt?: string; expiresAt?: string; updatedAt?: string;
}
export interface Preconditioning {
  departureAt: string; targetTemperatureC: number; plannedStartAt?: string | null; state: string; reason?: string | null;
}
export interface HistoryPoint { ts: number; value: number | boolean | string }
export interface SignalHistory { vin: string; signal: string; from: string; to: string; points: HistoryPoint[] }
export interface Items<T> { items: T[] }
export interface Page<T> { items: T[]; next: string | null }
export interface Hazard {
  id: string; type: string; latitude: number; longitude: number; heading: number | null; confirmations: number;
  firstSeen: string; lastSeen: string; expiresAt: string;
}
export interface TrafficCell {
  cell: string; direction: string; latitude: number; longitude: number; meanSpeedKmh: number; samples: number;
  freeFlowKmh: number; freeFlowLearned: boolean; congestion: "free" | "slow" | "congested" | "jammed" | "unknown"; at: string;
}
export interface BehaviourCounts {
  harshBraking: number; harshAcceleration: number; harshCornering: number; adasInterventions: number; potholes: number;
  speedingSeconds: number; highSpeedSeconds: number; idleSeconds: number;
}
export interface Trip {
  id: string; startedAt: string; endedAt: string; distanceKm: number; durationSeconds: number; maxSpeedKmh: number;
  meanSpeedKmh: number; energyKwh: number | null; fuelLitres: number | null; co2GramsPerKm: number | null;
  drivingScore: number; ecoScore: number; counts: BehaviourCounts; endReason: string;
}
export interface PeriodScore {
  trips: number; distanceKm: number; drivingScore: number | null; ecoScore: number | null; kwhPer100Km: number | null;
  litresPer100Km: number | null; co2GramsPerKm: number | null; counts: BehaviourCounts;
}
export interface TripScore {
  tripId: string; startedAt: string; distanceKm: number; drivingScore: number; ecoScore: number; co2GramsPerKm: number | null;
}
export interface Scores {
  vin: string; asOf: string; lastTrip: TripScore | null; rolling30Days: PeriodScore;
  fleetMedian: { period: string; vehicles: number; drivingScore: number | null; ecoScore: number | null; co2GramsPerKm: number | null };
}
export interface DashboardConfig {
  tileUrl: string | null; tileAttribution: string | null; developmentSignIn: boolean;
  oidc: { authority: string; clientId: string; scope: string; audience: string } | null;
  orleansDashboard: string | null; environment: string;
}

export const vehiclePath = (vin: string) => `/api/v1/vehicles/${encodeURIComponent(vin)}`;
