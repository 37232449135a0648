// Browser-like sign-in helpers for tests and benchmarks.
import { ADMIN } from "./env.ts";

/** Signs in through the local admin form; returns the Cookie header to send afterwards. */
export async function signInAsAdmin(url: string, credentials = ADMIN): Promise<string> {
  const res = await fetch(`${url}/login`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams(credentials).toString(),
    redirect: "manual",
  });
  if (res.status !== 303) throw new Error(`sign-in failed with ${res.status}: ${await res.text()}`);
  return cookieHeader(res);
}

/** The name=value pairs a response sets, as one Cookie header. */
export function cookieHeader(res: Response): string {
  return res.headers
    .getSetCookie()
    .map((c) => c.split(";")[0])
    .join("; ");
}
