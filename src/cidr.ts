// The CIDR list syntax of the OUTBOUND_*_CIDRS settings, which config.ts validates and
// the SSRF guard (health/ssrf.ts) compiles: one parser, so both agree on what an entry means.
import net from "node:net";

/**
 * Validates a comma-separated list of CIDRs (a bare address means that one host)
 * and returns them as `address/prefix`. Throws naming the first bad entry, so a
 * typo in the settings stops the server instead of silently allowing everything.
 */
export function parseCidrList(text: string): string[] {
  const out: string[] = [];
  for (const raw of text.split(",")) {
    const entry = raw.trim();
    if (entry === "") continue;
    const slash = entry.indexOf("/");
    const address = slash === -1 ? entry : entry.slice(0, slash);
    const family = address.includes("%") ? 0 : net.isIP(address); // zone ids never match a resolved address
    if (family === 0) throw new Error(`invalid CIDR "${entry}": "${address}" is not an IP address`);
    const max = family === 4 ? 32 : 128;
    const prefixText = slash === -1 ? String(max) : entry.slice(slash + 1);
    const prefix = Number(prefixText);
    if (!/^\d{1,3}$/.test(prefixText) || prefix > max) {
      throw new Error(`invalid CIDR "${entry}": the prefix length must be a whole number from 0 to ${max}`);
    }
    out.push(`${address}/${prefix}`);
  }
  return out;
}
