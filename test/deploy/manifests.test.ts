// The deployment files, checked without a container engine or a cluster (neither exists
// here): the kustomize overlays render and pass a structural schema, every variable the
// manifests, compose.yaml and the Dockerfile set is a setting src/config.ts reads, and the
// commands they run are the ones the production test runs outside a container.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parse, parseAllDocuments } from "yaml";
import { isSetting } from "../../src/config.ts";
import { dockerCmd, dockerEnv, readDockerfile } from "../support/dockerfile.ts";
import { ROOT } from "../support/main-process.ts";
import { checkObject, type K8sObject } from "./k8s-schema.ts";

const OVERLAYS = path.join(ROOT, "deploy/kubernetes/overlays");
const overlays = fs.readdirSync(OVERLAYS);
const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")) as { scripts: Record<string, string> };
const kubectl = (() => {
  try {
    execFileSync("kubectl", ["version", "--client"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
})();

function render(overlay: string): K8sObject[] {
  const out = execFileSync("kubectl", ["kustomize", path.join(OVERLAYS, overlay)], { encoding: "utf8" });
  return parseAllDocuments(out).map((doc) => checkObject(doc.toJS()));
}

const only = <K extends K8sObject["kind"]>(objects: K8sObject[], kind: K) => {
  const found = objects.filter((o) => o.kind === kind) as Extract<K8sObject, { kind: K }>[];
  expect(found, kind).toHaveLength(1);
  return found[0]!;
};
const selects = (selector: Record<string, string>, labels: Record<string, string>) =>
  Object.entries(selector).every(([k, v]) => labels[k] === v);

describe("the Dockerfile", () => {
  const instructions = readDockerfile();
  const runtime = instructions.filter((i) => i.stage === instructions.at(-1)?.stage);

  it("runs `npm run start:prod`'s command as CMD (the production test starts the same)", () => {
    expect(dockerCmd().join(" ")).toBe(pkg.scripts["start:prod"]);
  });

  it("builds in one stage and runs on Node 20 slim as a non-root user, with DATA_DIR a volume and a HEALTHCHECK on /health", () => {
    expect(instructions.filter((i) => i.keyword === "FROM").length).toBeGreaterThanOrEqual(2);
    expect(runtime[0]!.args).toMatch(/^node:20(\.\d+)*-[a-z]+-slim AS runtime$/);
    expect(runtime.find((i) => i.keyword === "USER")?.args).toBe("node");
    const dataDir = /\bDATA_DIR=(\S+)/.exec(runtime.filter((i) => i.keyword === "ENV").map((i) => i.args).join(" "))?.[1];
    expect(dataDir).toBe("/data");
    expect(runtime.find((i) => i.keyword === "VOLUME")?.args).toBe(dataDir);
    expect(runtime.find((i) => i.keyword === "HEALTHCHECK")?.args).toMatch(/\/health'/);
    expect(runtime.find((i) => i.keyword === "RUN" && i.args.startsWith("npm ci"))?.args).toMatch(/--omit=dev/);
  });
});

describe.skipIf(!kubectl)(`the Kubernetes overlays${kubectl ? "" : " (skipped: kubectl is not installed)"}`, () => {
  it.each(overlays)("%s renders, and every object passes the schema of its kind", (overlay) => {
    const objects = render(overlay);
    expect(objects.map((o) => o.kind).sort()).toEqual(
      ["ConfigMap", "Deployment", "Namespace", "NetworkPolicy", "PodDisruptionBudget", "Service", "ServiceAccount"].sort(),
    );
  });

  it.each(overlays)("%s: two replicas with startup, liveness (/health) and readiness (/ready) probes, running the image's CMD", (overlay) => {
    const objects = render(overlay);
    const deployment = only(objects, "Deployment");
    expect(deployment.spec.replicas).toBe(2);
    expect(selects(deployment.spec.selector.matchLabels, deployment.spec.template.metadata.labels)).toBe(true);
    const [registry, ...others] = deployment.spec.template.spec.containers;
    expect(others).toEqual([]);
    expect(registry!.command).toBeUndefined(); // the Dockerfile's CMD, which the production test runs
    expect(registry!.args).toBeUndefined();
    const ports = new Set(registry!.ports?.map((p) => p.name));
    for (const [probe, pathname] of [["startupProbe", "/health"], ["livenessProbe", "/health"], ["readinessProbe", "/ready"]] as const) {
      expect(registry![probe]?.httpGet.path, probe).toBe(pathname);
      expect(ports.has(String(registry![probe]?.httpGet.port)), probe).toBe(true);
    }
    expect(deployment.spec.template.spec.securityContext.runAsNonRoot).toBe(true);
  });

  it.each(overlays)("%s: the migration init step runs `npm run db:migrate:prod`'s command on the same image and settings", (overlay) => {
    const pod = only(render(overlay), "Deployment").spec.template.spec;
    const [migrate] = pod.initContainers ?? [];
    expect(migrate?.command?.join(" ")).toBe(pkg.scripts["db:migrate:prod"]);
    expect(migrate?.image).toBe(pod.containers[0]!.image);
    expect(migrate?.env).toEqual(pod.containers[0]!.env);
    expect(migrate?.envFrom).toEqual(pod.containers[0]!.envFrom);
  });

  it.each(overlays)("%s: the Service, PodDisruptionBudget and NetworkPolicy select the registry's pods, and only Prometheus reaches metrics", (overlay) => {
    const objects = render(overlay);
    const deployment = only(objects, "Deployment");
    const podLabels = deployment.spec.template.metadata.labels;
    const registry = deployment.spec.template.spec.containers[0]!;
    const portNames = new Map(registry.ports?.map((p) => [p.name, p.containerPort]));

    const service = only(objects, "Service");
    expect(selects(service.spec.selector, podLabels)).toBe(true);
    expect(service.spec.ports.map((p) => portNames.has(String(p.targetPort)))).toEqual(service.spec.ports.map(() => true));
    expect(service.spec.ports.map((p) => p.targetPort)).not.toContain("metrics");

    const pdb = only(objects, "PodDisruptionBudget");
    expect(selects(pdb.spec.selector.matchLabels, podLabels)).toBe(true);
    expect(pdb.spec.minAvailable).toBe(1);

    const policy = only(objects, "NetworkPolicy");
    expect(selects(policy.spec.podSelector.matchLabels, podLabels)).toBe(true);
    const metricsRules = policy.spec.ingress.filter((r) => r.ports.some((p) => p.port === "metrics"));
    expect(metricsRules).toHaveLength(1);
    const from = metricsRules[0]!.from ?? [];
    expect(from.length).toBeGreaterThan(0);
    for (const peer of from) {
      expect(peer.podSelector?.matchLabels["app.kubernetes.io/name"]).toBe("prometheus");
      expect(peer.namespaceSelector).toBeDefined();
    }
    // The port the policy guards is the one the registry serves metrics on.
    const config = only(objects, "ConfigMap");
    expect(String(portNames.get("metrics"))).toBe(config.data.METRICS_PORT);
    expect(String(portNames.get("http"))).toBe(config.data.PORT);
  });

  it.each(overlays)("%s: the ConfigMap and Secret references exist, and the Secret's keys are documented in the overlay", (overlay) => {
    const objects = render(overlay);
    const pod = only(objects, "Deployment").spec.template.spec;
    const config = only(objects, "ConfigMap");
    const refs = pod.containers[0]!.envFrom ?? [];
    expect(refs.some((r) => "configMapRef" in r && r.configMapRef.name === config.metadata.name)).toBe(true);
    const secretKeys = (pod.containers[0]!.env ?? []).flatMap((e) => ("valueFrom" in e ? [e.valueFrom.secretKeyRef.key] : []));
    expect(secretKeys).toEqual(expect.arrayContaining(["DATABASE_URL", "CREDENTIALS_KEY"]));
    const howTo = fs.readFileSync(path.join(OVERLAYS, overlay, "kustomization.yaml"), "utf8");
    for (const key of secretKeys) expect(howTo, key).toMatch(new RegExp(`--from-(literal|file)=${key}=`));
  });

  it.each(overlays)("%s: every variable it sets, in the ConfigMap, env and the documented Secret, is a setting of src/config.ts", (overlay) => {
    const objects = render(overlay);
    const pod = only(objects, "Deployment").spec.template.spec;
    const howTo = fs.readFileSync(path.join(OVERLAYS, overlay, "kustomization.yaml"), "utf8");
    const names = [
      ...Object.keys(only(objects, "ConfigMap").data),
      ...[...(pod.initContainers ?? []), ...pod.containers].flatMap((c) => (c.env ?? []).map((e) => e.name)),
      ...[...howTo.matchAll(/--from-(?:literal|file)=([A-Z0-9_]+)=/g)].map((m) => m[1]!),
    ];
    expect(names.length).toBeGreaterThan(5);
    expect(names.filter((n) => !isSetting(n))).toEqual([]);
  });
});

describe("compose.yaml", () => {
  type Service = { build?: string; image?: string; profiles?: string[]; environment?: Record<string, string>; volumes?: string[] };
  const compose = parse(fs.readFileSync(path.join(ROOT, "compose.yaml"), "utf8"), { merge: true }) as { services: Record<string, Service> };
  const registries = Object.entries(compose.services).filter(([, s]) => s.build === ".");

  it("runs the registry on the embedded database by default, and two replicas on PostgreSQL in the replicas profile", () => {
    const byDefault = registries.filter(([, s]) => !s.profiles);
    expect(byDefault.map(([n]) => n)).toEqual(["registry"]);
    expect(byDefault[0]![1].environment?.DATABASE_URL).toBeUndefined();
    expect(byDefault[0]![1].volumes).toEqual(["registry-data:/data"]);
    const replicas = registries.filter(([, s]) => s.profiles?.includes("replicas"));
    expect(replicas).toHaveLength(2);
    const urls = new Set(replicas.map(([, s]) => s.environment?.DATABASE_URL));
    expect(urls.size).toBe(1);
    expect([...urls][0]).toMatch(/^postgresql:\/\/.*@postgres:5432\//);
    expect(compose.services.postgres?.profiles).toEqual(["replicas"]);
  });

  it("puts the replicas behind a proxy that routes by /ready, and Prometheus scrapes their metrics port", () => {
    const caddy = fs.readFileSync(path.join(ROOT, "deploy/compose/Caddyfile"), "utf8");
    const replicas = registries.filter(([, s]) => s.profiles?.includes("replicas"));
    for (const [service] of replicas) expect(caddy).toContain(`${service}:7860`);
    expect(caddy).toMatch(/health_uri \/ready/);
    const prometheus = parse(fs.readFileSync(path.join(ROOT, "deploy/compose/prometheus.yml"), "utf8")) as {
      scrape_configs: { static_configs: { targets: string[] }[] }[];
    };
    const targets = prometheus.scrape_configs.flatMap((c) => c.static_configs.flatMap((s) => s.targets));
    expect(targets.sort()).toEqual(replicas.map(([service, s]) => `${service}:${s.environment?.METRICS_PORT}`).sort());
  });

  it("sets only settings of src/config.ts on the registry, as the Dockerfile does", () => {
    const names = [...registries.flatMap(([, s]) => Object.keys(s.environment ?? {})), ...dockerEnv()];
    expect(names.length).toBeGreaterThan(5);
    expect(names.filter((n) => !isSetting(n))).toEqual([]);
  });
});
