// Every call the page makes goes through here, to the silo's public API, with the signed-in user's token.

export class ApiError extends Error {
  constructor(readonly status: number, readonly title: string, readonly detail?: string) {
    super(detail ? `${title}: ${detail}` : title);
  }
}

/** A route that this silo does not serve (yet): the page says "not available" and lights up once it lands. */
export const NotAvailable = Symbol("not available");
export type Optional<T> = T | typeof NotAvailable;

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

/** GET a route that may not exist on this silo: a 404 (or 501) is "not available", not an error. */
export async function getOptional<T>(path: string): Promise<Optional<T>> {
  try {
    return await get<T>(path);
  } catch (e) {
    if (e instanceof ApiError && (e.status === 404 || e.status === 501)) return NotAvailable;
    throw e;
  }
}

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
export interface DashboardConfig {
  tileUrl: string | null; tileAttribution: string | null; developmentSignIn: boolean;
  oidc: { authority: string; clientId: string; scope: string; audience: string } | null;
  orleansDashboard: string | null; environment: string;
}

export const vehiclePath = (vin: string) => `/api/v1/vehicles/${encodeURIComponent(vin)}`;
