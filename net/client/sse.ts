/**
 * A minimal server-sent events reader over a fetch body (the WHATWG event-stream format: `event:`, `id:`,
 * `data:` lines, blank line ends an event, `:` comments), so the SDK works without an EventSource global.
 */

export interface SseMessage {
  readonly event: string;
  readonly id: string | null;
  readonly data: string;
}

/** Parse `body` into messages; comments are reported through `onComment` (heartbeats, "subscribed"). */
export async function* readSse(
  body: ReadableStream<Uint8Array>,
  onComment: (text: string) => void = () => undefined,
): AsyncGenerator<SseMessage> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  let event = "message";
  let id: string | null = null;
  let data: string[] = [];
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buffer += decoder.decode(value, { stream: true });
      let nl = buffer.search(/\r\n|\r|\n/);
      while (nl >= 0) {
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(buffer[nl] === "\r" && buffer[nl + 1] === "\n" ? nl + 2 : nl + 1);
        if (line === "") {
          if (data.length > 0) yield { event, id, data: data.join("\n") };
          event = "message";
          data = [];
        } else if (line.startsWith(":")) {
          onComment(line.slice(1).trim());
        } else {
          const colon = line.indexOf(":");
          const field = colon < 0 ? line : line.slice(0, colon);
          const value = colon < 0 ? "" : line.slice(colon + 1).replace(/^ /, "");
          if (field === "event") event = value;
          else if (field === "data") data.push(value);
          else if (field === "id") id = value;
        }
        nl = buffer.search(/\r\n|\r|\n/);
      }
    }
  } finally {
    await reader.cancel().catch(() => undefined);
  }
}
