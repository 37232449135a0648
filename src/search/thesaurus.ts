// The domain thesaurus: what people who look for an MCP tool say, and what servers call it.
// WordNet knows English, not that a "ticket" is an "issue" or that "k8s" is "kubernetes";
// these entries cover the kinds of servers an organisation registers (calendars,
// ticketing, code hosting, CI/CD, databases, cloud, chat, mail, CRM, payments,
// observability, incidents, HR, maps, weather, files, secrets, flags, analytics).
//
// Keys are matched against a query's words and its two-word phrases in their dictionary
// form (after "meetings" -> "meeting"), so entries are written in that form: lower case,
// one or two words for a key, up to three for a related term.

/** Weight of a term that means the same thing (an abbreviation, another spelling). */
export const SAME_WEIGHT = 0.8;
/** Weight of a term a user asking for the key usually also means. */
export const RELATED_WEIGHT = 0.6;

/** Groups of words that mean the same here: each expands to every other one. */
const SAME: readonly (readonly string[])[] = [
  ["k8s", "kubernetes", "kube"],
  ["db", "database"],
  ["repo", "repository"],
  ["pr", "pull request", "merge request", "mr"],
  ["issue", "ticket"],
  ["msg", "message"],
  ["auth", "authentication", "login"],
  ["authz", "authorization", "authorisation"],
  ["cal", "calendar"],
  ["doc", "document"],
  ["docs", "documentation"],
  ["config", "configuration", "settings"],
  ["env", "environment"],
  ["env var", "environment variable"],
  ["org", "organization", "organisation"],
  ["dir", "directory", "folder"],
  ["password", "passwd", "pwd"],
  ["creds", "credentials"],
  ["infra", "infrastructure"],
  ["app", "application"],
  ["svc", "service"],
  ["vm", "virtual machine"],
  ["dm", "direct message"],
  ["sms", "text message"],
  ["email", "mail", "e mail"],
  ["txn", "transaction"],
  ["acct", "account"],
  ["addr", "address"],
  ["info", "information"],
  ["stats", "statistics"],
  ["img", "image"],
  ["photo", "picture", "pic"],
  ["vid", "video"],
  ["temp", "temperature"],
  ["prod", "production"],
  ["dev", "development"],
  ["ci", "continuous integration"],
  ["cd", "continuous delivery", "continuous deployment"],
  ["ml", "machine learning"],
  ["llm", "language model"],
  ["qa", "quality assurance"],
  ["sso", "single sign on"],
  ["mfa", "2fa", "two factor"],
  ["otp", "one time password"],
  ["id", "identifier"],
  ["url", "link", "uri"],
  ["desc", "description"],
  ["qty", "quantity"],
  ["num", "number"],
  ["tz", "timezone", "time zone"],
  ["cert", "certificate"],
  ["ssl", "tls"],
  ["perm", "permission"],
  ["admin", "administrator"],
  ["postgres", "postgresql", "pg"],
  ["mongo", "mongodb"],
  ["elasticsearch", "elastic", "opensearch"],
  ["gh", "github"],
  ["oncall", "on call"],
  ["hr", "human resources"],
  ["pto", "time off", "paid leave"],
  ["ooo", "out of office"],
  ["eng", "engineering"],
  ["mgr", "manager"],
  ["dept", "department"],
  ["fx", "exchange rate"],
  ["ack", "acknowledge"],
  ["cpu", "processor"],
  ["mem", "memory", "ram"],
  ["ns", "namespace"],
  ["cli", "command line"],
  ["ui", "user interface"],
  ["bq", "bigquery"],
  ["gcp", "google cloud"],
  ["aws", "amazon web services"],
  ["ddb", "dynamodb"],
  ["lb", "load balancer"],
  ["deps", "dependencies"],
  ["pkg", "package"],
  ["lib", "library"],
  ["vuln", "vulnerability"],
  ["sec", "security"],
  ["o11y", "observability"],
  ["notif", "notification"],
  ["sub", "subscription"],
  ["cust", "customer"],
  ["opp", "opportunity"],
  ["todo", "to do", "action item"],
  ["wiki", "knowledge base"],
  ["sheet", "spreadsheet"],
  ["ab test", "split test"],
  ["kpi", "key metric"],
];

/** A key and the terms a user asking for it usually also means: each pair works both ways. */
const RELATED: readonly (readonly [string, readonly string[]])[] = [
  // calendars
  ["meeting", ["event", "appointment", "calendar", "invite"]],
  ["schedule", ["create event", "book", "calendar", "appointment", "plan"]],
  ["appointment", ["booking", "reservation", "event"]],
  ["book", ["reserve", "reservation"]],
  ["invite", ["invitation", "attendee", "participant"]],
  ["availability", ["free busy", "free time", "slot"]],
  ["reschedule", ["move", "update event"]],
  ["cancel", ["delete", "decline"]],
  ["agenda", ["calendar", "event"]],
  // ticketing, projects
  ["issue", ["bug", "defect", "problem"]],
  ["bug", ["defect", "error", "glitch"]],
  ["task", ["todo", "work item", "card"]],
  ["project", ["board", "workspace"]],
  ["sprint", ["iteration", "milestone"]],
  ["comment", ["reply", "note", "remark"]],
  ["reminder", ["alert", "notification", "todo"]],
  ["note", ["memo", "notes"]],
  ["assign", ["assignee", "owner"]],
  // code hosting, CI/CD
  ["deploy", ["release", "rollout", "ship", "deployment", "publish"]],
  ["release", ["version", "tag"]],
  ["rollback", ["revert", "undo", "restore"]],
  ["build", ["pipeline", "job", "compile", "ci"]],
  ["pipeline", ["workflow", "job", "ci"]],
  ["review", ["approve", "feedback", "pull request"]],
  ["merge", ["combine", "integrate"]],
  ["commit", ["change", "revision", "push"]],
  ["branch", ["fork"]],
  ["test", ["check", "spec"]],
  ["flag", ["feature flag", "toggle", "switch", "experiment"]],
  ["experiment", ["ab test", "variant"]],
  // observability, incidents
  ["page", ["alert", "incident", "on call", "notify"]],
  ["alert", ["alarm", "notification", "incident"]],
  ["incident", ["outage", "pager", "postmortem"]],
  ["outage", ["downtime", "incident"]],
  ["error", ["exception", "failure", "crash"]],
  ["log", ["logs", "logging"]],
  ["metric", ["measurement", "gauge", "counter", "timeseries"]],
  ["trace", ["span", "tracing"]],
  ["dashboard", ["chart", "graph", "panel", "report"]],
  ["monitor", ["watch", "uptime", "health"]],
  ["health", ["status", "uptime"]],
  ["status", ["state", "progress"]],
  ["usage", ["utilization", "consumption"]],
  ["restart", ["reboot", "redeploy"]],
  ["latency", ["response time", "delay", "slow"]],
  // chat, mail
  ["chat", ["message", "conversation", "channel", "slack"]],
  ["message", ["post", "send", "chat", "text"]],
  ["channel", ["room", "conversation"]],
  ["send", ["post", "deliver", "notify"]],
  ["notify", ["notification", "send"]],
  ["email", ["inbox", "message"]],
  ["phone", ["call", "sms"]],
  ["call", ["phone", "dial"]],
  // CRM, sales, commerce
  ["contact", ["person", "lead", "customer"]],
  ["customer", ["client", "account", "contact"]],
  ["lead", ["prospect", "contact"]],
  ["deal", ["opportunity", "sale"]],
  ["crm", ["salesforce", "hubspot", "customer", "contact"]],
  ["order", ["purchase", "checkout"]],
  ["product", ["item", "sku", "catalog"]],
  ["inventory", ["stock"]],
  ["shipment", ["package", "delivery", "tracking"]],
  // payments, billing
  ["payment", ["charge", "transaction", "pay", "invoice", "billing"]],
  ["refund", ["chargeback", "reversal"]],
  ["invoice", ["bill", "billing", "receipt"]],
  ["subscription", ["plan", "recurring", "billing"]],
  ["price", ["cost", "amount", "fee"]],
  ["cost", ["spend", "billing", "budget"]],
  // cloud, infrastructure
  ["cloud", ["aws", "azure", "gcp"]],
  ["server", ["host", "machine", "instance"]],
  ["instance", ["vm", "node", "ec2"]],
  ["container", ["docker", "pod", "image"]],
  ["pod", ["container", "workload"]],
  ["cluster", ["kubernetes", "node"]],
  ["bucket", ["storage", "s3", "blob"]],
  ["storage", ["disk", "volume", "blob", "drive"]],
  ["domain", ["dns", "hostname"]],
  ["certificate", ["ssl", "expiry"]],
  ["queue", ["topic", "kafka", "broker"]],
  ["stream", ["kafka", "topic"]],
  ["cache", ["redis", "memcached"]],
  ["function", ["lambda", "serverless"]],
  ["cron", ["schedule", "scheduled job"]],
  ["webhook", ["callback", "hook"]],
  // databases
  ["query", ["sql", "select", "search"]],
  ["table", ["schema", "rows", "records"]],
  ["row", ["record", "entry"]],
  ["schema", ["structure", "columns"]],
  ["backup", ["snapshot", "dump", "restore"]],
  ["index", ["search", "elasticsearch"]],
  // files, documents
  ["file", ["document", "attachment", "upload"]],
  ["upload", ["put", "attach", "store"]],
  ["download", ["fetch", "export"]],
  ["folder", ["drive"]],
  ["wiki", ["docs", "confluence"]],
  ["spreadsheet", ["excel", "table"]],
  ["report", ["summary", "analytics"]],
  ["analytics", ["metrics", "insights", "tracking"]],
  ["translate", ["translation", "language", "localize"]],
  ["summarize", ["summary", "tldr"]],
  // verbs tools are named after
  ["search", ["find", "lookup", "look up"]],
  ["find", ["lookup", "locate"]],
  ["delete", ["remove", "destroy", "erase", "drop"]],
  ["create", ["add", "new", "make", "open"]],
  ["update", ["edit", "modify", "change", "patch"]],
  ["get", ["fetch", "read", "retrieve", "show"]],
  ["list", ["enumerate", "browse", "all"]],
  // secrets, access, people
  ["secret", ["credentials", "password", "token", "key", "vault"]],
  ["token", ["key", "credentials"]],
  ["permission", ["access", "role", "privilege", "grant"]],
  ["role", ["group"]],
  ["user", ["account", "member", "person", "people"]],
  ["employee", ["staff", "worker", "personnel", "user"]],
  ["hire", ["recruit", "onboard", "candidate"]],
  ["candidate", ["applicant"]],
  ["payroll", ["salary", "pay", "compensation"]],
  ["leave", ["vacation", "time off", "absence"]],
  ["vulnerability", ["cve", "security", "scan"]],
  ["api key", ["token", "secret", "credentials"]],
  ["rotate", ["regenerate", "renew"]],
  ["owner", ["team", "maintainer"]],
  ["scan", ["audit"]],
  ["support", ["help desk", "helpdesk", "ticket", "zendesk"]],
  // maps, weather
  ["weather", ["forecast", "temperature", "rain", "climate"]],
  ["forecast", ["prediction"]],
  ["temperature", ["heat", "degrees"]],
  ["map", ["location", "place", "geocode", "directions"]],
  ["directions", ["route", "navigate", "navigation"]],
  ["address", ["location", "geocode", "place"]],
  ["distance", ["route", "travel time"]],
];

export type ThesaurusEntry = { word: string; weight: number };

/** The thesaurus as a lookup: key -> the terms it expands to, best weight kept. */
export function buildThesaurus(): ReadonlyMap<string, readonly ThesaurusEntry[]> {
  const weights = new Map<string, Map<string, number>>();
  const link = (from: string, to: string, weight: number) => {
    if (from === to) return;
    let targets = weights.get(from);
    if (!targets) weights.set(from, (targets = new Map()));
    targets.set(to, Math.max(weight, targets.get(to) ?? 0));
  };
  for (const group of SAME) for (const a of group) for (const b of group) link(a, b, SAME_WEIGHT);
  for (const [key, related] of RELATED) {
    for (const term of related) {
      link(key, term, RELATED_WEIGHT);
      link(term, key, RELATED_WEIGHT);
    }
  }
  const out = new Map<string, readonly ThesaurusEntry[]>();
  for (const [key, targets] of weights) {
    const entries = [...targets].map(([word, weight]) => ({ word, weight }));
    entries.sort((a, b) => b.weight - a.weight);
    out.set(key, Object.freeze(entries));
  }
  return out;
}

/** Every entry as written, for the tests that check the thesaurus's own shape. */
export const THESAURUS_SOURCE = { same: SAME, related: RELATED };
