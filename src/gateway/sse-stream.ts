// A streaming SSE parser and filter (bytes in, bytes out) for the answers and GET streams the
// gateway passes from an upstream to a client.
//
// Parsing follows the WHATWG event-stream rules: LF, CR and CRLF line endings (also a CR at the
// end of one chunk and its LF at the start of the next), one leading BOM, comments, `data:` with
// or without its space, several `data:` lines joined by "\n", `id:` (ignored when it holds NUL),
// `event:`, `retry:` (digits only), and an unfinished event at the end of the stream discarded.
// Lines are cut on bytes (CR and LF never occur inside a UTF-8 sequence), so a character split
// between chunks is decoded whole.
//
// With `allow.all` the bytes pass unchanged, chunk by chunk; events are parsed only to report
// messages to `onMessage`, and an event larger than maxEventBytes is passed without being read.
//
// When restricted, nothing of the upstream's framing reaches the client: each complete event is
// written anew, as soon as its blank line arrives (`id:`, `event:`, `retry:` kept, data = the
// filtered message as one line of JSON), so the client can only read what the filter read.
// Fail closed:
//   - an event whose data is not JSON-RPC (or a batch of it) is dropped; its `id:`/`retry:` are
//     kept in an event without data, which a client does not dispatch;
//   - an event with empty data (the SDK's priming event for resumption) passes, as `data: `;
//   - comments pass as a bare `:` line, for keep-alive, without their text;
//   - an event over maxEventBytes ends the stream with SseEventTooLargeError.
import { Transform, type TransformCallback } from "node:stream";
import { filterMessage } from "./messages.ts";
import type { Allow } from "./target.ts";

export type SseFilterOptions = {
  allow: Allow;
  /** What one event may hold while it is read (its field lines and any unfinished line). */
  maxEventBytes: number;
  /** Every message of every event (each message of a batch on its own), before filtering. */
  onMessage?: (message: unknown) => void;
  /**
   * With `allow.all`: whether an event's data is worth parsing for onMessage (e.g. only while
   * calls wait for their answers, or when it may be a progress notification). An answer of
   * hundreds of KB then passes without a JSON.parse nobody reads. Restricted streams parse all.
   */
  wants?: (data: string) => boolean;
};

export class SseEventTooLargeError extends Error {
  constructor(readonly maxEventBytes: number) {
    super(`An SSE event from the upstream is larger than ${maxEventBytes} bytes`);
    this.name = "SseEventTooLargeError";
  }
}

const LF = 0x0a;
const CR = 0x0d;
const COLON = 0x3a;

export function createSseFilter(options: SseFilterOptions): SseFilter {
  return new SseFilter(options);
}

export class SseFilter extends Transform {
  private readonly allow: Allow;
  private readonly restricted: boolean;
  private readonly maxEventBytes: number;
  private readonly onMessage: ((message: unknown) => void) | undefined;
  private readonly wants: ((data: string) => boolean) | undefined;
  /** Nothing to parse: everything is allowed and nobody listens. */
  private readonly passOnly: boolean;

  private partial: Buffer[] = [];
  private partialBytes = 0;
  private afterCR = false;
  private atStart = true;
  /** An oversized event being passed unread (allow.all only), until its blank line. */
  private skipping = false;

  private data: string[] = [];
  private eventType: string | undefined;
  private id: string | undefined;
  private retry: string | undefined;
  private heldBytes = 0;

  private out: string[] = [];

  constructor(options: SseFilterOptions) {
    super();
    this.allow = options.allow;
    this.restricted = !options.allow.all;
    this.maxEventBytes = options.maxEventBytes;
    this.onMessage = options.onMessage;
    this.wants = options.wants;
    this.passOnly = options.allow.all && options.onMessage === undefined;
  }

  override _transform(chunk: Buffer | string, encoding: BufferEncoding, callback: TransformCallback): void {
    const bytes = typeof chunk === "string" ? Buffer.from(chunk, encoding) : chunk;
    if (!this.restricted) this.push(bytes);
    if (this.passOnly) return callback();
    try {
      this.parse(bytes);
    } catch (err) {
      this.out = [];
      return callback(err as Error);
    }
    if (this.out.length > 0) {
      const text = this.out.join("");
      this.out = [];
      this.push(Buffer.from(text, "utf8"));
    }
    callback();
  }

  override _flush(callback: TransformCallback): void {
    // An event without its blank line is never dispatched, so it is never written either.
    callback();
  }

  private parse(bytes: Buffer): void {
    const length = bytes.length;
    let pos = 0;
    if (this.afterCR && length > 0) {
      this.afterCR = false;
      if (bytes[0] === LF) pos = 1;
    }
    // The next CR and LF at or after pos, found once each, so a long run without one is not rescanned.
    let nextLF = -2;
    let nextCR = -2;
    while (pos < length) {
      if (nextLF !== -1 && nextLF < pos) nextLF = bytes.indexOf(LF, pos);
      if (nextCR !== -1 && nextCR < pos) nextCR = bytes.indexOf(CR, pos);
      const end = nextLF === -1 ? nextCR : nextCR === -1 ? nextLF : Math.min(nextLF, nextCR);
      if (end === -1) {
        this.hold(bytes.subarray(pos));
        return;
      }
      const piece = bytes.subarray(pos, end);
      let line: Buffer;
      if (this.partial.length === 0) line = piece;
      else {
        this.partial.push(piece);
        line = Buffer.concat(this.partial);
      }
      const lineBytes = this.partialBytes + piece.length;
      this.partial = [];
      this.partialBytes = 0;
      if (bytes[end] === CR) {
        if (end + 1 === length) this.afterCR = true;
        pos = bytes[end + 1] === LF ? end + 2 : end + 1;
      } else pos = end + 1;
      this.line(line, lineBytes);
    }
  }

  private hold(rest: Buffer): void {
    if (rest.length === 0) return;
    this.partialBytes += rest.length;
    if (!this.skipping) {
      this.partial.push(rest);
      this.checkSize();
    }
  }

  private checkSize(): void {
    if (this.heldBytes + this.partialBytes <= this.maxEventBytes) return;
    if (this.restricted) throw new SseEventTooLargeError(this.maxEventBytes);
    this.skipping = true;
    this.partial = [];
    this.resetEvent();
  }

  private line(raw: Buffer, lineBytes: number): void {
    let line = raw;
    if (this.atStart) {
      this.atStart = false;
      if (line.length >= 3 && line[0] === 0xef && line[1] === 0xbb && line[2] === 0xbf) line = line.subarray(3);
    }
    if (this.skipping) {
      if (lineBytes === 0) this.skipping = false;
      return;
    }
    if (line.length === 0) return this.dispatch();
    if (line[0] === COLON) {
      if (this.restricted) this.out.push(":\n");
      return;
    }
    const text = line.toString("utf8");
    const colon = text.indexOf(":");
    const field = colon === -1 ? text : text.slice(0, colon);
    let value = colon === -1 ? "" : text.slice(colon + 1);
    if (value.startsWith(" ")) value = value.slice(1);
    switch (field) {
      case "data":
        this.data.push(value);
        break;
      case "event":
        this.eventType = value;
        break;
      case "id":
        if (!value.includes("\0")) this.id = value;
        break;
      case "retry":
        if (/^[0-9]+$/.test(value)) this.retry = value;
        break;
      default:
        return; // unknown fields are ignored, and not held
    }
    this.heldBytes += line.length + 1;
    this.checkSize();
  }

  private dispatch(): void {
    const { data, eventType, id, retry } = this;
    this.resetEvent();
    let head = "";
    if (this.restricted) {
      if (id !== undefined) head += `id: ${id}\n`;
      if (retry !== undefined) head += `retry: ${retry}\n`;
    }
    if (data.length === 0) {
      // Not dispatched to a listener, but the id and retry still count for the client.
      if (head !== "") this.out.push(`${head}\n`);
      return;
    }
    const text = data.join("\n");
    if (text === "") {
      if (this.restricted) this.out.push(`${head}${eventLine(eventType)}data: \n\n`);
      return;
    }
    if (!this.restricted && this.wants && !this.wants(text)) return;
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      if (head !== "") this.out.push(`${head}\n`);
      return;
    }
    this.report(parsed);
    if (!this.restricted) return;
    const filtered = filterMessage(parsed, this.allow);
    let json: string | undefined;
    if (filtered.ok) {
      try {
        json = JSON.stringify(filtered.message);
      } catch {
        json = undefined; // nested too deeply to write back: dropped like any unreadable event
      }
    }
    if (json === undefined) {
      if (head !== "") this.out.push(`${head}\n`);
      return;
    }
    this.out.push(`${head}${eventLine(eventType)}data: ${json}\n\n`);
  }

  private report(parsed: unknown): void {
    const onMessage = this.onMessage;
    if (!onMessage) return;
    const messages = Array.isArray(parsed) ? parsed : [parsed];
    for (const message of messages) {
      try {
        onMessage(message);
      } catch {
        // An observer's failure must not break the client's stream.
      }
    }
  }

  private resetEvent(): void {
    this.data = [];
    this.eventType = undefined;
    this.id = undefined;
    this.retry = undefined;
    this.heldBytes = 0;
  }
}

function eventLine(eventType: string | undefined): string {
  return eventType === undefined ? "" : `event: ${eventType}\n`;
}
