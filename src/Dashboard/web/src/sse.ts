// Server-Sent Events over fetch: EventSource cannot send an Authorization header, and the token must not go in a URL.

export interface SseMessage { event: string; data: string; id?: string }

export interface SseOptions {
  url: string;
  token: () => string | undefined;
  onMessage: (message: SseMessage) => void;
  onState?: (state: "connecting" | "open" | "retrying", detail?: string) => void;
  onUnauthorized?: () => void;
}

/** Reads a stream until stopped, reconnecting with back-off (and Last-Event-ID) when it breaks. */
export function openStream(options: SseOptions): () => void {
  const abort = new AbortController();
  let lastEventId: string | undefined;
  let delay = 500;

  const run = async () => {
    while (!abort.signal.aborted) {
      options.onState?.("connecting");
      try {
        const headers: Record<string, string> = { Accept: "text/event-stream" };
        const token = options.token();
        if (token) headers.Authorization = `Bearer ${token}`;
        if (lastEventId) headers["Last-Event-ID"] = lastEventId;
        const response = await fetch(options.url, { headers, signal: abort.signal, cache: "no-store" });
        if (response.status === 401) {
          options.onUnauthorized?.();
          return;
        }
        if (!response.ok || !response.body) throw new Error(`HTTP ${response.status}`);
        options.onState?.("open");
        delay = 500;
        await read(response.body, abort.signal, message => {
          if (message.id) lastEventId = message.id;
          options.onMessage(message);
        });
      } catch (e) {
        if (abort.signal.aborted) return;
        options.onState?.("retrying", e instanceof Error ? e.message : String(e));
      }
      await new Promise(resolve => setTimeout(resolve, delay));
      delay = Math.min(delay * 2, 10_000);
    }
  };
  void run();
  return () => abort.abort();
}

async function read(body: ReadableStream<Uint8Array>, signal: AbortSignal, deliver: (m: SseMessage) => void) {
  const reader = body.pipeThrough(new TextDecoderStream() as unknown as ReadableWritablePair<string, Uint8Array>).getReader();
  let buffer = "";
  let event = "message";
  let data: string[] = [];
  let id: string | undefined;
  while (!signal.aborted) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += value;
    let newline: number;
    while ((newline = buffer.search(/\r\n|\r|\n/)) >= 0) {
      const line = buffer.slice(0, newline);
      buffer = buffer.slice(newline + (buffer.startsWith("\r\n", newline) ? 2 : 1));
      if (line === "") {
        if (data.length > 0) deliver({ event, data: data.join("\n"), id });
        event = "message";
        data = [];
        id = undefined;
        continue;
      }
      if (line.startsWith(":")) continue;
      const colon = line.indexOf(":");
      const field = colon < 0 ? line : line.slice(0, colon);
      const text = colon < 0 ? "" : line.slice(colon + 1).replace(/^ /, "");
      if (field === "event") event = text;
      else if (field === "data") data.push(text);
      else if (field === "id") id = text;
    }
  }
}
