// startFakeEmbedder(): a deterministic OpenAI-compatible embeddings server on a random
// loopback port, for tests and benchmarks (no real model can be had on these machines).
// POST /v1/embeddings (and /embeddings) with {model, input, dimensions?} answers OpenAI's
// shape. A text's vector is a hashed bag of its words: each word (camelCase, snake_case and
// kebab-case split, lower-cased, a plural "s" dropped) adds a fixed pseudo-random sparse
// ±1 vector, and the sum is normalised, so texts sharing words are close and texts sharing
// none are near orthogonal. `concepts` maps words to a shared one (meeting -> event), the
// one way to make it know "meaning"; by default it knows none.
//
// It can be told to require an API key, fail, hang, be slow, answer garbage, or reject
// long inputs, and it records what it was sent.
import http from "node:http";
import type { AddressInfo, Socket } from "node:net";

export type FakeEmbedderMode = {
  /** Every request needs `Authorization: Bearer <key>` (or Azure's `api-key: <key>`), else 401. */
  apiKey?: string;
  /** Answer every request with this status (and OpenAI's error body). */
  failWith?: number;
  /** Answer the next n requests with 500, then normally. */
  failNext?: number;
  /** Wait this long before answering. */
  delayMs?: number;
  /** Answer 200 with a body that is not an embeddings answer. */
  garbage?: boolean;
  /** Answer 400 for a request with any input longer than this (a model's input limit). */
  maxInputChars?: number;
  /** Answer 400 for any input containing this text (a document the provider always refuses). */
  rejectContaining?: string;
};

export type FakeEmbedderRequest = { path: string; model: unknown; inputs: string[]; authorization: string | undefined; apiKeyHeader: string | undefined };

export type FakeEmbedder = {
  /** Base URL as the OpenAI SDKs take it: http://127.0.0.1:PORT/v1 */
  url: string;
  origin: string;
  dims: number;
  mode: FakeEmbedderMode;
  requests: FakeEmbedderRequest[];
  /** Texts embedded so far (every input of every answered request). */
  embedded(): string[];
  /** The vector the server gives `text`. */
  embed(text: string, dims?: number): Float32Array;
  close(): Promise<void>;
};

export async function startFakeEmbedder(options: { dims?: number; model?: string; concepts?: Record<string, string>; mode?: FakeEmbedderMode } = {}): Promise<FakeEmbedder> {
  const dims = options.dims ?? 64;
  const concepts = new Map(Object.entries(options.concepts ?? {}));
  const requests: FakeEmbedderRequest[] = [];
  const answered: string[] = [];
  const sockets = new Set<Socket>();
  const embed = (text: string, n = dims) => bagOfWords(text, n, concepts);

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      void (async () => {
        const send = (status: number, body: unknown) => {
          if (res.destroyed) return;
          res.writeHead(status, { "content-type": "application/json" });
          res.end(typeof body === "string" ? body : JSON.stringify(body));
        };
        const error = (status: number, message: string) => send(status, { error: { message, type: "invalid_request_error" } });
        const path = new URL(req.url ?? "/", "http://x").pathname;
        if (req.method !== "POST" || (path !== "/v1/embeddings" && path !== "/embeddings")) return error(404, `no route ${req.method} ${path}`);
        let body: { model?: unknown; input?: unknown; dimensions?: unknown };
        try {
          body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as typeof body;
        } catch {
          return error(400, "body is not JSON");
        }
        const inputs = typeof body.input === "string" ? [body.input] : Array.isArray(body.input) ? body.input.filter((i): i is string => typeof i === "string") : [];
        const mode = fake.mode;
        requests.push({ path, model: body.model, inputs, authorization: req.headers.authorization, apiKeyHeader: req.headers["api-key"] as string | undefined });
        if (mode.delayMs) await new Promise((r) => setTimeout(r, mode.delayMs));
        if (mode.apiKey !== undefined && req.headers.authorization !== `Bearer ${mode.apiKey}` && req.headers["api-key"] !== mode.apiKey) {
          return error(401, "Incorrect API key provided");
        }
        if (mode.failNext && mode.failNext > 0) {
          mode.failNext--;
          return error(500, "the fake embedder was told to fail");
        }
        if (mode.failWith) return error(mode.failWith, "the fake embedder was told to fail");
        if (options.model !== undefined && body.model !== options.model) return error(404, `model ${String(body.model)} not found`);
        if (inputs.length === 0) return error(400, "input must be a string or an array of strings");
        if (mode.maxInputChars !== undefined && inputs.some((i) => i.length > mode.maxInputChars!)) return error(400, "input is too long for this model");
        if (mode.rejectContaining !== undefined && inputs.some((i) => i.includes(mode.rejectContaining!))) return error(400, "input rejected");
        if (mode.garbage) return send(200, { data: [{ embedding: ["not", "numbers"] }] });
        const n = typeof body.dimensions === "number" ? body.dimensions : dims;
        answered.push(...inputs);
        send(200, {
          object: "list",
          model: body.model,
          data: inputs.map((text, index) => ({ object: "embedding", index, embedding: Array.from(embed(text, n)) })),
          usage: { prompt_tokens: inputs.join(" ").split(/\s+/).length, total_tokens: inputs.join(" ").split(/\s+/).length },
        });
      })();
    });
  });
  server.on("connection", (s) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const fake: FakeEmbedder = {
    url: `${origin}/v1`,
    origin,
    dims,
    mode: { ...options.mode },
    requests,
    embedded: () => [...answered],
    embed,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
  return fake;
}

/** The words of a text as the fake sees them. */
export function fakeWords(text: string): string[] {
  return text
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((w) => w.length > 1)
    .map((w) => (w.length > 3 && w.endsWith("s") && !w.endsWith("ss") ? w.slice(0, -1) : w));
}

function bagOfWords(text: string, dims: number, concepts: Map<string, string>): Float32Array {
  const out = new Float32Array(dims);
  for (const word of fakeWords(text)) {
    const random = mulberry32(fnv1a(concepts.get(word) ?? word));
    // Eight signed positions per word: sparse enough that distinct words rarely overlap.
    for (let i = 0; i < 8; i++) out[Math.floor(random() * dims)]! += random() < 0.5 ? -1 : 1;
  }
  let norm = 0;
  for (const x of out) norm += x * x;
  if (norm > 0) for (let i = 0; i < dims; i++) out[i]! /= Math.sqrt(norm);
  return out;
}

function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

function mulberry32(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
