// A synthetic catalogue for the search benchmark: servers in many domains, each with
// tools whose names, descriptions and parameters read like real MCP tools, and an endless
// stream of distinct queries (a new text each request, so no cache can answer them).
const DOMAINS: { domain: string; nouns: string[]; verbs: string[]; tags: string[] }[] = [
  { domain: "calendar", nouns: ["event", "meeting", "invite", "attendee", "reminder", "schedule"], verbs: ["create", "list", "cancel", "update", "find"], tags: ["productivity", "calendar"] },
  { domain: "github", nouns: ["issue", "pull request", "repository", "branch", "commit", "release"], verbs: ["create", "merge", "list", "close", "comment"], tags: ["code", "git"] },
  { domain: "weather", nouns: ["forecast", "temperature", "alert", "radar", "humidity", "wind"], verbs: ["get", "fetch", "list", "subscribe"], tags: ["weather", "data"] },
  { domain: "postgres", nouns: ["table", "query", "schema", "index", "row", "database"], verbs: ["run", "describe", "list", "explain", "insert"], tags: ["database", "sql"] },
  { domain: "slack", nouns: ["message", "channel", "thread", "reaction", "user", "file"], verbs: ["send", "post", "list", "search", "archive"], tags: ["chat", "messaging"] },
  { domain: "jira", nouns: ["ticket", "sprint", "board", "epic", "comment", "worklog"], verbs: ["create", "transition", "assign", "search", "update"], tags: ["tracking", "agile"] },
  { domain: "kubernetes", nouns: ["pod", "deployment", "service", "namespace", "log", "node"], verbs: ["get", "scale", "restart", "describe", "delete"], tags: ["k8s", "infrastructure"] },
  { domain: "payments", nouns: ["invoice", "charge", "refund", "customer", "subscription", "payout"], verbs: ["create", "refund", "list", "retrieve", "cancel"], tags: ["finance", "billing"] },
  { domain: "files", nouns: ["file", "folder", "document", "permission", "share link", "version"], verbs: ["upload", "download", "move", "share", "delete"], tags: ["storage", "documents"] },
  { domain: "email", nouns: ["email", "draft", "label", "attachment", "inbox", "contact"], verbs: ["send", "read", "search", "archive", "label"], tags: ["email", "communication"] },
  { domain: "maps", nouns: ["route", "place", "address", "distance", "direction", "geocode"], verbs: ["find", "compute", "lookup", "search"], tags: ["geo", "maps"] },
  { domain: "monitoring", nouns: ["metric", "alert", "dashboard", "incident", "trace", "log"], verbs: ["query", "acknowledge", "create", "list", "silence"], tags: ["observability", "ops"] },
  { domain: "crm", nouns: ["lead", "contact", "deal", "account", "opportunity", "note"], verbs: ["create", "update", "search", "convert", "list"], tags: ["sales", "crm"] },
  { domain: "translation", nouns: ["text", "language", "glossary", "document", "phrase"], verbs: ["translate", "detect", "list", "upload"], tags: ["language", "ai"] },
  { domain: "search", nouns: ["web page", "result", "news", "image", "snippet"], verbs: ["search", "fetch", "summarize", "crawl"], tags: ["web", "search"] },
];
const ADJECTIVES = ["fast", "secure", "team", "internal", "cloud", "open", "enterprise", "simple", "smart", "shared"];
const TEAMS = ["platform", "data", "growth", "infra", "security", "support", "finance", "research"];

/** A small deterministic PRNG, so every run seeds the same catalogue. */
export function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pick = <T>(r: () => number, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
const snake = (s: string) => s.replace(/ /g, "_");

export type CatalogueTool = { name: string; description: string; inputSchema: Record<string, unknown> };
export type CatalogueServer = {
  name: string;
  path: string;
  description: string;
  tags: string[];
  metadata: Record<string, string>;
  tools: CatalogueTool[];
};

/** `servers` servers with `toolsPerServer` tools each. */
export function catalogue(servers: number, toolsPerServer: number, seed = 16): CatalogueServer[] {
  const r = random(seed);
  return Array.from({ length: servers }, (_, i) => {
    const d = DOMAINS[i % DOMAINS.length]!;
    const adjective = pick(r, ADJECTIVES);
    const team = pick(r, TEAMS);
    const name = `${adjective}-${d.domain}-${i}`;
    const tools: CatalogueTool[] = [];
    const used = new Set<string>();
    for (let k = 0; tools.length < toolsPerServer && k < toolsPerServer * 4; k++) {
      const verb = pick(r, d.verbs);
      const noun = pick(r, d.nouns);
      const toolName = `${verb}_${snake(noun)}${used.has(`${verb}_${snake(noun)}`) ? `_${k}` : ""}`;
      used.add(toolName);
      const other = pick(r, d.nouns);
      tools.push({
        name: toolName,
        description: `${verb[0]!.toUpperCase()}${verb.slice(1)} a ${noun} in ${d.domain}. Optionally filtered by ${other} and limited to a number of results.`,
        inputSchema: {
          type: "object",
          properties: {
            [`${snake(noun)}Id`]: { type: "string", description: `The ${noun} identifier` },
            [snake(other)]: { type: "string", description: `Which ${other} to use` },
            limit: { type: "integer", description: "How many results at most" },
          },
        },
      });
    }
    return {
      name,
      path: `/${name}`,
      description: `A ${adjective} ${d.domain} server: ${d.verbs.slice(0, 3).join(", ")} ${d.nouns.slice(0, 3).join(", ")} for the ${team} team.`,
      tags: [...d.tags, adjective],
      metadata: { team, owner: `${team}-owners@example.com` },
      tools,
    };
  });
}

const EXTRA = ["please", "quickly", "for me", "today", "now", "all", "my", "the latest", "recent", "new"];

/** The n-th query: a task in some domain's words with a varying tail, so every text is new. */
export function queryOf(n: number): string {
  const r = random(1_000_003 + n);
  const d = pick(r, DOMAINS);
  const shapes = [
    () => `${pick(r, d.verbs)} ${pick(r, d.nouns)} ${pick(r, EXTRA)} ${n}`,
    () => `${pick(r, d.verbs)}_${snake(pick(r, d.nouns))}`,
    () => `${d.domain} ${pick(r, d.nouns)} ${n % 97}`,
    () => `how do I ${pick(r, d.verbs)} a ${pick(r, d.nouns)} ${pick(r, EXTRA)}`,
    () => `${d.domain.slice(0, -1)}${pick(r, ["x", "z", ""])} ${pick(r, d.nouns)}`,
  ];
  return pick(r, shapes)();
}
