// The hot-path recorders write exactly what prom-client's own Counter and Histogram write for
// the same observations, so a scraper cannot tell them apart.
import { Counter, Histogram, Registry } from "prom-client";
import { describe, expect, it } from "vitest";
import { FastCounter, FastHistogram } from "../../src/metrics/recorders.ts";

const BUCKETS = [0.0005, 0.001, 0.01, 0.1, 1, 10];

type Obs = { labels: { method: string; route: string }; value: number };
const CASES: { name: string; observations: Obs[] }[] = [
  { name: "nothing recorded", observations: [] },
  { name: "one value in the first bucket", observations: [{ labels: { method: "GET", route: "/a" }, value: 0.0001 }] },
  { name: "a value on a bound (le is inclusive)", observations: [{ labels: { method: "GET", route: "/a" }, value: 0.01 }] },
  { name: "above the last bound: only +Inf", observations: [{ labels: { method: "POST", route: "/b" }, value: 99 }] },
  {
    name: "several label sets, values escaped",
    observations: [
      { labels: { method: "GET", route: '/q"uote\\slash\nline' }, value: 0.2 },
      { labels: { method: "GET", route: "/a" }, value: 0 },
      { labels: { method: "GET", route: "/a" }, value: 5 },
      { labels: { method: "DELETE", route: "/a" }, value: 0.0007 },
    ],
  },
];

async function expositions(observations: Obs[], bound: boolean) {
  const theirs = new Registry();
  const ours = new Registry();
  const h1 = new Histogram({ name: "h", help: "a histogram", labelNames: ["method", "route"], buckets: BUCKETS, registers: [theirs] });
  const c1 = new Counter({ name: "c", help: "a counter", labelNames: ["method", "route"], registers: [theirs] });
  const h2 = new FastHistogram({ name: "h", help: "a histogram", labelNames: ["method", "route"] as const, buckets: BUCKETS, registers: [ours] });
  const c2 = new FastCounter({ name: "c", help: "a counter", labelNames: ["method", "route"] as const, registers: [ours] });
  for (const { labels, value } of observations) {
    h1.observe(labels, value);
    c1.inc(labels, value);
    if (bound) {
      h2.labels(labels).observe(value);
      c2.labels(labels).inc(value);
    } else {
      h2.observe(labels, value);
      c2.inc(labels, value);
    }
  }
  return { theirs: await theirs.metrics(), ours: await ours.metrics() };
}

describe("FastHistogram and FastCounter against prom-client", () => {
  for (const { name, observations } of CASES) {
    for (const bound of [false, true]) {
      it(`${name}${bound ? " (bound children)" : ""}: the same text`, async () => {
        const { theirs, ours } = await expositions(observations, bound);
        expect(ours).toBe(theirs);
      });
    }
  }

  it("unlabelled metrics, reset, and refusals of what prom-client refuses too", async () => {
    const registry = new Registry();
    const h = new FastHistogram({ name: "plain", help: "no labels", buckets: [1, 2], registers: [registry] });
    const c = new FastCounter({ name: "plain_total", help: "no labels", registers: [registry] });
    h.observe(1.5);
    c.inc();
    c.inc({}, 2);
    expect(await registry.metrics()).toContain('plain_bucket{le="2"} 1\nplain_bucket{le="+Inf"} 1\nplain_sum 1.5\nplain_count 1');
    expect(await registry.metrics()).toContain("plain_total 3");
    expect(() => h.observe(Number.NaN)).toThrow(RangeError);
    expect(() => c.inc({}, -1)).toThrow(RangeError);
    h.reset();
    c.reset();
    expect(await registry.metrics()).toContain("plain_count 0");
    expect(await registry.metrics()).toContain("plain_total 0");
    // A second metric of one name in one registry is refused, as prom-client refuses it.
    expect(() => new FastCounter({ name: "plain_total", help: "again", registers: [registry] })).toThrow(/already been registered/);
  });
});
