// The client of an OpenAI-compatible embeddings endpoint (OpenAI, Azure OpenAI, Ollama,
// LiteLLM, vLLM, TEI's OpenAI route): POST {model, input: [...]} and a validated answer.
// Every call goes through the SSRF guard, with a deadline; the API key is sent only to the
// configured origin (the guarded fetch drops it on a cross-origin redirect, and redirects
// are refused anyway) and never appears in an error message.
import { z } from "zod";
import type { EmbeddingsConfig } from "../config.ts";
import type { GuardedFetch } from "../health/ssrf.ts";

/**
 * The URL posted to, from EMBEDDINGS_URL. As the OpenAI SDKs take their base URL, the URL
 * normally ends in `/v1` and `/embeddings` is appended; a URL that already ends in
 * `/embeddings` is used as it is, and a bare origin (no path) gets `/v1/embeddings`, the
 * route every listed provider serves. The query string (Azure's `api-version`) is kept.
 */
export function embeddingsEndpoint(base: string): URL {
  const url = new URL(base);
  const path = url.pathname.replace(/\/+$/, "");
  if (/\/embeddings$/.test(path)) url.pathname = path;
  else if (path === "") url.pathname = "/v1/embeddings";
  else url.pathname = `${path}/embeddings`;
  return url;
}

/** Azure OpenAI takes its keys in `api-key`; every other provider as a bearer token. */
export function authHeaders(endpoint: URL, apiKey: string | undefined): Record<string, string> {
  if (apiKey === undefined) return {};
  const azure = /\.(openai\.azure\.com|cognitiveservices\.azure\.com|services\.ai\.azure\.com)$/i.test(endpoint.hostname);
  return azure ? { "api-key": apiKey } : { authorization: `Bearer ${apiKey}` };
}

/** Why a request failed, which decides what the caller does next. */
export type EmbeddingFailure =
  /** Network error, timeout, 408, 429, 5xx, or an answer that does not parse: try again later. */
  | "transient"
  /** 401 or 403, or vectors of another length than EMBEDDINGS_DIMENSIONS: a setting is wrong; retrying soon will not help. */
  | "refused"
  /** Another 4xx: the provider rejects these inputs (too long, bad model name). */
  | "rejected";

export class EmbeddingError extends Error {
  override name = "EmbeddingError";
  constructor(
    message: string,
    readonly failure: EmbeddingFailure,
    readonly status?: number,
  ) {
    super(message);
  }
}

// Finite numbers only (zod 4's number() refuses Infinity and NaN); bounded so that a hostile
// or broken provider cannot make one vector huge.
const MAX_DIMS = 16_384;
const answerSchema = z.object({
  data: z
    .array(
      z.object({
        embedding: z.array(z.number()).min(1).max(MAX_DIMS),
        index: z.number().int().nonnegative().optional(),
      }),
    )
    .min(1),
});

/** An answer larger than this is refused before it is parsed (64 x 16,384 floats as JSON fit well below). */
const MAX_ANSWER_BYTES = 64 * 1_048_576;
/** Longest text sent: about 2,000 tokens, within every listed model's input limit but the smallest. */
export const MAX_INPUT_CHARS = 8_000;

export type EmbeddingClient = {
  readonly endpoint: URL;
  /** One vector per input, in input order, all of one length. */
  embed(inputs: string[], signal: AbortSignal): Promise<Float32Array[]>;
  close(): Promise<void>;
};

export function createEmbeddingClient(settings: EmbeddingsConfig, fetch: GuardedFetch): EmbeddingClient {
  const endpoint = embeddingsEndpoint(settings.url);
  const headers = { "content-type": "application/json", accept: "application/json", ...authHeaders(endpoint, settings.apiKey) };
  // A provider's error text may quote the key back (OpenAI masks most of it; others may not).
  const scrub = (text: string) => (settings.apiKey ? text.split(settings.apiKey).join("[redacted]") : text).slice(0, 300);

  return {
    endpoint,
    async embed(inputs, signal) {
      const body: Record<string, unknown> = { model: settings.model, input: inputs.map((t) => t.slice(0, MAX_INPUT_CHARS)) };
      if (settings.dimensions !== undefined) body.dimensions = settings.dimensions;
      let response: Response;
      try {
        response = await fetch(endpoint, { method: "POST", headers, body: JSON.stringify(body), signal, redirect: "manual" });
      } catch (err) {
        const cause = (err as Error).cause as Error | undefined;
        const why = signal.aborted ? "timed out or was cancelled" : scrub(cause?.message ?? (err as Error).message);
        throw new EmbeddingError(`embedding request to ${endpoint.origin} failed: ${why}`, "transient");
      }
      let text: string;
      try {
        text = await readCapped(response, MAX_ANSWER_BYTES);
      } catch (err) {
        throw new EmbeddingError(`embedding answer from ${endpoint.origin} unreadable: ${scrub((err as Error).message)}`, "transient", response.status);
      }
      if (response.status >= 300 && response.status < 400) {
        // Not followed: the key would go with it. A moved endpoint is a setting to fix.
        throw new EmbeddingError(`embedding provider answered a redirect (${response.status}), which is not followed: set EMBEDDINGS_URL to where it points`, "refused", response.status);
      }
      if (response.status !== 200) {
        const failure: EmbeddingFailure =
          response.status === 401 || response.status === 403
            ? "refused"
            : response.status >= 400 && response.status < 500 && response.status !== 408 && response.status !== 429
              ? "rejected"
              : "transient";
        throw new EmbeddingError(`embedding provider answered ${response.status}: ${scrub(errorText(text))}`, failure, response.status);
      }
      return parseAnswer(text, inputs.length, settings.dimensions);
    },
    close: () => fetch.close(),
  };
}

/** Validates an answer: one finite vector per input (by `index` when given), all of one length. */
export function parseAnswer(text: string, count: number, dimensions: number | undefined): Float32Array[] {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new EmbeddingError("embedding answer is not JSON", "transient");
  }
  const parsed = answerSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new EmbeddingError(`embedding answer is malformed at ${issue?.path.join(".") || "the top"}: ${issue?.message ?? "invalid"}`, "transient");
  }
  const data = parsed.data.data;
  if (data.length !== count) throw new EmbeddingError(`embedding answer has ${data.length} vectors for ${count} inputs`, "transient");
  const out = new Array<Float32Array | undefined>(count);
  data.forEach((item, position) => {
    const at = item.index ?? position;
    if (at >= count || out[at] !== undefined) throw new EmbeddingError(`embedding answer has a wrong or repeated index ${at}`, "transient");
    out[at] = Float32Array.from(item.embedding);
  });
  const dims = dimensions ?? out[0]!.length;
  for (const v of out) {
    if (v!.length === dims) continue;
    // A provider that ignores `dimensions` (not every one supports it) answers this way every time.
    if (dimensions !== undefined) throw new EmbeddingError(`embedding answer has ${v!.length} dimensions, EMBEDDINGS_DIMENSIONS is ${dimensions}`, "refused");
    throw new EmbeddingError(`embedding answer mixes lengths (${v!.length} and ${dims})`, "transient");
  }
  return out as Float32Array[];
}

/** The provider's own message, when its error body is OpenAI's `{error: {message}}`. */
function errorText(body: string): string {
  try {
    const json = JSON.parse(body) as { error?: { message?: unknown } | string; message?: unknown };
    if (typeof json.error === "string") return json.error;
    if (json.error && typeof json.error.message === "string") return json.error.message;
    if (typeof json.message === "string") return json.message;
  } catch {
    // not JSON: its start says enough
  }
  return body.replace(/\s+/g, " ").trim();
}

async function readCapped(response: Response, maxBytes: number): Promise<string> {
  if (!response.body) return "";
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel();
      throw new Error(`answer larger than ${maxBytes} bytes`);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString("utf8");
}
