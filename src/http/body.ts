// Reads a request body up to the configured limit. Too large: 413, before it is
// buffered in full; a body shorter than its Content-Length: 400.
import type { Context } from "koa";
import getRawBody from "raw-body";
import { HttpError } from "./errors.ts";

export async function readBody(ctx: Context, limitBytes: number): Promise<Buffer> {
  const declared = ctx.request.length;
  if (declared !== undefined && declared > limitBytes) {
    throw new HttpError(413, "PAYLOAD_TOO_LARGE", `Request body is over the limit of ${limitBytes} bytes`);
  }
  try {
    return await getRawBody(ctx.req, { length: declared, limit: limitBytes });
  } catch (err) {
    const type = (err as { type?: string }).type;
    if (type === "entity.too.large") {
      throw new HttpError(413, "PAYLOAD_TOO_LARGE", `Request body is over the limit of ${limitBytes} bytes`);
    }
    if (type === "request.size.invalid" || type === "request.aborted") {
      throw new HttpError(400, "BAD_REQUEST", "Request body did not match its Content-Length");
    }
    throw err;
  }
}
