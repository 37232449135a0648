// A structural schema of the Kubernetes kinds deploy/kubernetes uses, offline (kubeconform
// would download the cluster's schemas). Objects are strict: a misspelt field
// (`readinesProbe`) or a field at the wrong level fails, as the API server's validation would.
import { z } from "zod";

const name = z.string().regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/).max(63);
const labels = z.record(z.string().regex(/^([a-z0-9.-]+\/)?[A-Za-z0-9_.-]{1,63}$/), z.string().max(63));
const metadata = z
  .object({ name: z.string().max(253), namespace: name.optional(), labels: labels.optional(), annotations: z.record(z.string(), z.string()).optional() })
  .strict();
const selector = z.object({ matchLabels: labels }).strict();
const port = z.union([z.number().int().min(1).max(65535), name.max(15)]);
const quantity = z.union([z.string().regex(/^\d+(\.\d+)?(m|Ki|Mi|Gi)?$/), z.number()]);

const probe = z
  .object({
    httpGet: z.object({ path: z.string().startsWith("/"), port }).strict(),
    initialDelaySeconds: z.number().int().min(0).optional(),
    periodSeconds: z.number().int().min(1).optional(),
    timeoutSeconds: z.number().int().min(1).optional(),
    failureThreshold: z.number().int().min(1).optional(),
    successThreshold: z.number().int().min(1).optional(),
  })
  .strict();

const envVar = z.union([
  z.object({ name: z.string(), value: z.string() }).strict(),
  z
    .object({
      name: z.string(),
      valueFrom: z
        .object({ secretKeyRef: z.object({ name, key: z.string(), optional: z.boolean().optional() }).strict() })
        .strict(),
    })
    .strict(),
]);

export const container = z
  .object({
    name,
    image: z.string().min(1),
    command: z.array(z.string()).optional(),
    args: z.array(z.string()).optional(),
    ports: z.array(z.object({ name: name.max(15), containerPort: z.number().int().min(1).max(65535), protocol: z.enum(["TCP", "UDP"]).optional() }).strict()).optional(),
    env: z.array(envVar).optional(),
    envFrom: z
      .array(
        z.union([
          z.object({ configMapRef: z.object({ name, optional: z.boolean().optional() }).strict() }).strict(),
          z.object({ secretRef: z.object({ name, optional: z.boolean().optional() }).strict() }).strict(),
        ]),
      )
      .optional(),
    startupProbe: probe.optional(),
    livenessProbe: probe.optional(),
    readinessProbe: probe.optional(),
    lifecycle: z.object({ preStop: z.object({ exec: z.object({ command: z.array(z.string()).min(1) }).strict() }).strict() }).strict().optional(),
    securityContext: z
      .object({
        allowPrivilegeEscalation: z.boolean(),
        readOnlyRootFilesystem: z.boolean(),
        capabilities: z.object({ drop: z.array(z.string()) }).strict(),
      })
      .strict()
      .optional(),
    resources: z
      .object({ requests: z.partialRecord(z.enum(["cpu", "memory"]), quantity).optional(), limits: z.partialRecord(z.enum(["cpu", "memory"]), quantity).optional() })
      .strict()
      .optional(),
    volumeMounts: z.array(z.object({ name, mountPath: z.string().startsWith("/"), readOnly: z.boolean().optional() }).strict()).optional(),
  })
  .strict();

const podSpec = z
  .object({
    serviceAccountName: name.optional(),
    automountServiceAccountToken: z.boolean().optional(),
    terminationGracePeriodSeconds: z.number().int().min(0).optional(),
    securityContext: z
      .object({
        runAsNonRoot: z.boolean(),
        runAsUser: z.number().int().min(1),
        runAsGroup: z.number().int().min(1).optional(),
        fsGroup: z.number().int().optional(),
        seccompProfile: z.object({ type: z.enum(["RuntimeDefault", "Localhost", "Unconfined"]) }).strict().optional(),
      })
      .strict(),
    topologySpreadConstraints: z
      .array(
        z
          .object({
            maxSkew: z.number().int().min(1),
            topologyKey: z.string(),
            whenUnsatisfiable: z.enum(["DoNotSchedule", "ScheduleAnyway"]),
            labelSelector: selector,
          })
          .strict(),
      )
      .optional(),
    initContainers: z.array(container).optional(),
    containers: z.array(container).min(1),
    volumes: z.array(z.object({ name, emptyDir: z.object({ sizeLimit: quantity.optional(), medium: z.string().optional() }).strict() }).strict()).optional(),
  })
  .strict();

const kinds = {
  Namespace: z.object({ apiVersion: z.literal("v1"), kind: z.literal("Namespace"), metadata }).strict(),
  ServiceAccount: z
    .object({ apiVersion: z.literal("v1"), kind: z.literal("ServiceAccount"), metadata, automountServiceAccountToken: z.boolean().optional() })
    .strict(),
  ConfigMap: z.object({ apiVersion: z.literal("v1"), kind: z.literal("ConfigMap"), metadata, data: z.record(z.string(), z.string()) }).strict(),
  Service: z
    .object({
      apiVersion: z.literal("v1"),
      kind: z.literal("Service"),
      metadata,
      spec: z
        .object({
          type: z.enum(["ClusterIP", "NodePort", "LoadBalancer"]).optional(),
          selector: labels,
          ports: z.array(z.object({ name: name.max(15), port: z.number().int().min(1).max(65535), targetPort: port, protocol: z.literal("TCP").optional() }).strict()).min(1),
        })
        .strict(),
    })
    .strict(),
  Deployment: z
    .object({
      apiVersion: z.literal("apps/v1"),
      kind: z.literal("Deployment"),
      metadata,
      spec: z
        .object({
          replicas: z.number().int().min(0),
          revisionHistoryLimit: z.number().int().min(0).optional(),
          strategy: z
            .object({
              type: z.literal("RollingUpdate"),
              rollingUpdate: z.object({ maxUnavailable: z.union([z.number(), z.string()]), maxSurge: z.union([z.number(), z.string()]) }).strict(),
            })
            .strict()
            .optional(),
          selector,
          template: z.object({ metadata: z.object({ labels, annotations: z.record(z.string(), z.string()).optional() }).strict(), spec: podSpec }).strict(),
        })
        .strict(),
    })
    .strict(),
  PodDisruptionBudget: z
    .object({
      apiVersion: z.literal("policy/v1"),
      kind: z.literal("PodDisruptionBudget"),
      metadata,
      spec: z.object({ minAvailable: z.union([z.number().int().min(1), z.string()]), selector }).strict(),
    })
    .strict(),
  NetworkPolicy: z
    .object({
      apiVersion: z.literal("networking.k8s.io/v1"),
      kind: z.literal("NetworkPolicy"),
      metadata,
      spec: z
        .object({
          podSelector: selector,
          policyTypes: z.array(z.enum(["Ingress", "Egress"])),
          ingress: z.array(
            z
              .object({
                from: z.array(z.object({ namespaceSelector: selector.optional(), podSelector: selector.optional() }).strict()).optional(),
                ports: z.array(z.object({ protocol: z.literal("TCP"), port }).strict()),
              })
              .strict(),
          ),
        })
        .strict(),
    })
    .strict(),
};

export type Kind = keyof typeof kinds;
export type K8sObject<K extends Kind = Kind> = z.infer<(typeof kinds)[K]>;

/** Validates one rendered object; throws naming the kind, the object and the first problem. */
export function checkObject(object: unknown): K8sObject {
  const kind = (object as { kind?: string }).kind ?? "(no kind)";
  const schema = (kinds as Record<string, z.ZodType<K8sObject>>)[kind];
  if (!schema || !Object.hasOwn(kinds, kind)) throw new Error(`kind ${kind} has no schema here: add one before using it`);
  const result = schema.safeParse(object);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    throw new Error(`${kind} ${(object as { metadata?: { name?: string } }).metadata?.name}: ${issue.path.join(".")}: ${issue.message}`);
  }
  return result.data;
}
