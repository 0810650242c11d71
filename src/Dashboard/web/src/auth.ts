// Signing in: OpenID Connect (authorization code + PKCE) against Auth:Authority; in Development, a form that asks the
// silo for a development token; otherwise a token minted with `token` can be pasted. The token lives in this tab only.
import { DashboardConfig, Session, request } from "./api";
import { el, field } from "./dom";

const storageKey = "digitaltwin.session";
const pkceKey = "digitaltwin.pkce";

export function restoreSession(): Session | null {
  const raw = sessionStorage.getItem(storageKey);
  if (!raw) return null;
  try {
    const session = JSON.parse(raw) as Session;
    return session.expiresAt > Date.now() + 10_000 ? session : null;
  } catch {
    return null;
  }
}

export function saveSession(session: Session | null) {
  if (session) sessionStorage.setItem(storageKey, JSON.stringify(session));
  else sessionStorage.removeItem(storageKey);
}

/** Reads sub, role and exp for display; the silo validates the token on every call. */
export function sessionFromToken(token: string): Session {
  const payload = token.split(".")[1];
  if (!payload) throw new Error("not a JWT");
  const claims = JSON.parse(new TextDecoder().decode(base64UrlDecode(payload)));
  const role = Array.isArray(claims.role) ? (claims.role.includes("operator") ? "operator" : claims.role[0]) : claims.role;
  return { token, sub: String(claims.sub ?? "?"), role: String(role ?? "user"), expiresAt: Number(claims.exp ?? 0) * 1000 };
}

function base64UrlDecode(text: string): Uint8Array {
  const b64 = text.replace(/-/g, "+").replace(/_/g, "/").padEnd(Math.ceil(text.length / 4) * 4, "=");
  return Uint8Array.from(atob(b64), c => c.charCodeAt(0));
}

function base64Url(bytes: Uint8Array): string {
  return btoa(String.fromCharCode(...bytes)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function randomString(): string {
  return base64Url(crypto.getRandomValues(new Uint8Array(32)));
}

const redirectUri = () => `${location.origin}${location.pathname}`;

async function discover(authority: string) {
  const response = await fetch(`${authority.replace(/\/$/, "")}/.well-known/openid-configuration`);
  if (!response.ok) throw new Error(`the authority's discovery document answered ${response.status}`);
  return (await response.json()) as { authorization_endpoint: string; token_endpoint: string };
}

async function startOidc(oidc: NonNullable<DashboardConfig["oidc"]>) {
  const metadata = await discover(oidc.authority);
  const verifier = randomString();
  const state = randomString();
  const challenge = base64Url(new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier))));
  sessionStorage.setItem(pkceKey, JSON.stringify({ verifier, state, returnTo: location.hash }));
  const url = new URL(metadata.authorization_endpoint);
  url.search = new URLSearchParams({
    response_type: "code",
    client_id: oidc.clientId,
    redirect_uri: redirectUri(),
    scope: oidc.scope,
    state,
    code_challenge: challenge,
    code_challenge_method: "S256",
  }).toString();
  location.assign(url.toString());
}

/** Back from the authority with ?code=&state=: trades the code (and the PKCE verifier) for an access token. */
export async function completeOidc(config: DashboardConfig): Promise<Session | null> {
  const params = new URLSearchParams(location.search);
  const code = params.get("code");
  if (!code || !config.oidc) return null;
  const pending = JSON.parse(sessionStorage.getItem(pkceKey) ?? "null") as { verifier: string; state: string; returnTo: string } | null;
  sessionStorage.removeItem(pkceKey);
  history.replaceState(null, "", redirectUri() + (pending?.returnTo ?? ""));
  if (!pending || params.get("state") !== pending.state) throw new Error("the sign-in answer does not match the request (state); sign in again");
  const metadata = await discover(config.oidc.authority);
  const response = await fetch(metadata.token_endpoint, {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({
      grant_type: "authorization_code",
      code,
      redirect_uri: redirectUri(),
      client_id: config.oidc.clientId,
      code_verifier: pending.verifier,
    }),
  });
  if (!response.ok) throw new Error(`the authority refused the code (${response.status})`);
  const tokens = (await response.json()) as { access_token: string; expires_in?: number };
  const session = sessionFromToken(tokens.access_token);
  if (!session.expiresAt && tokens.expires_in) session.expiresAt = Date.now() + tokens.expires_in * 1000;
  return session;
}

/** The sign-in page: whichever ways this silo offers. */
export function renderSignIn(main: HTMLElement, config: DashboardConfig, signedIn: (s: Session) => void, error?: string) {
  main.replaceChildren();
  const card = el("section", { class: "card signin", "aria-labelledby": "signin-title" },
    el("h2", { id: "signin-title" }, "Sign in"));
  const status = el("p", { class: "error", role: "alert" }, error ?? "");
  card.append(status);

  if (config.oidc) {
    const oidc = config.oidc;
    const button = el("button", { type: "button", class: "primary" }, "Sign in with your organisation");
    button.addEventListener("click", () => startOidc(oidc).catch(e => (status.textContent = String(e.message ?? e))));
    card.append(el("p", {}, `Single sign-on through ${new URL(oidc.authority).host}.`), button);
  }

  if (config.developmentSignIn) {
    const sub = field("dev-sub", "User id (sub)", "input", { value: "ops", autocomplete: "username", required: "" });
    const role = field("dev-role", "Role", "select", {});
    for (const r of ["operator", "user"]) role.input.append(el("option", { value: r }, r));
    const submit = el("button", { type: "submit", class: "primary" }, "Sign in (development)");
    const form = el("form", { class: "stack", "aria-label": "Development sign-in" },
      el("p", { class: "hint" }, `Development (${config.environment}): the silo mints a token for whoever you say you are.`),
      sub.wrapper, role.wrapper, submit);
    form.addEventListener("submit", async event => {
      event.preventDefault();
      submit.disabled = true;
      try {
        const answer = await request<{ token: string }>("POST", "/dashboard/dev-token", { sub: sub.input.value.trim(), role: role.input.value });
        signedIn(sessionFromToken(answer.token));
      } catch (e) {
        status.textContent = e instanceof Error ? e.message : String(e);
      } finally {
        submit.disabled = false;
      }
    });
    card.append(form);
  }

  const token = field("paste-token", "Token", "textarea", { rows: "3", spellcheck: "false", autocomplete: "off" });
  const use = el("button", { type: "submit" }, "Use this token");
  const paste = el("form", { class: "stack", "aria-label": "Sign in with a token" },
    el("p", { class: "hint" }, "Or paste a token (dotnet run --project src/Silo -- token --sub you --role operator)."),
    token.wrapper, use);
  paste.addEventListener("submit", event => {
    event.preventDefault();
    try {
      signedIn(sessionFromToken(token.input.value.trim()));
    } catch {
      status.textContent = "That is not a token (a JWT has three parts separated by dots).";
    }
  });
  card.append(config.oidc || config.developmentSignIn ? el("details", {}, el("summary", {}, "Use a token instead"), paste) : paste);
  main.append(card);
  (card.querySelector("input, button, textarea") as HTMLElement | null)?.focus();
}
