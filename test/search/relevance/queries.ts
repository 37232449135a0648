// The relevance suite's queries with graded judgments, written as users type them.
// Grades: 3 = what was asked for; 2 = also does the job; 1 = related, a fair fallback.
// Servers are judged by path, tools by "path#toolName". A query with no judgment of a
// kind is left out of that kind's metrics; a "none" query has no judgments at all: the
// catalogue has nothing that fits, and the right answer is no hits.

export const CATEGORIES = ["exact", "task", "paraphrase", "typo", "multi", "metadata", "none"] as const;
export type Category = (typeof CATEGORIES)[number];

export const CATEGORY_LABELS: Record<Category, string> = {
  exact: "exact name",
  task: "a task one tool does",
  paraphrase: "paraphrase (no shared words)",
  typo: "typos",
  multi: "several concepts",
  metadata: "metadata (team, owner, compliance)",
  none: "no answer",
};

export type RelevanceQuery = {
  text: string;
  category: Category;
  servers?: Readonly<Record<string, number>>;
  tools?: Readonly<Record<string, number>>;
};

const all = (paths: string[], grade = 3): Record<string, number> => Object.fromEntries(paths.map((p) => [p, grade]));

export const QUERIES: readonly RelevanceQuery[] = [
  // Exact names: of a tool or of a server, as someone who knows it types it.
  { category: "exact", text: "create_payment_intent", servers: { "/stripe": 3 }, tools: { "/stripe#create_payment_intent": 3 } },
  { category: "exact", text: "jira_transition_issue", servers: { "/jira": 3 }, tools: { "/jira#jira_transition_issue": 3 } },
  { category: "exact", text: "chat.postMessage", servers: { "/slack": 3 }, tools: { "/slack#chat.postMessage": 3 } },
  { category: "exact", text: "pods_log", servers: { "/kubernetes": 3 }, tools: { "/kubernetes#pods_log": 3 } },
  { category: "exact", text: "Stripe", servers: { "/stripe": 3 } },
  { category: "exact", text: "datadog", servers: { "/datadog": 3 } },
  { category: "exact", text: "notion-query-database", servers: { "/notion": 3 }, tools: { "/notion#notion-query-database": 3 } },
  { category: "exact", text: "helm_rollback", servers: { "/helm": 3, "/argocd": 1 }, tools: { "/helm#helm_rollback": 3, "/argocd#rollback_application": 1 } },
  { category: "exact", text: "s3.generatePresignedUrl", servers: { "/aws-s3": 3 }, tools: { "/aws-s3#s3.generatePresignedUrl": 3 } },
  {
    category: "exact",
    text: "createIssue",
    servers: { "/linear": 3, "/github": 1, "/gitlab": 1, "/jira": 1 },
    tools: { "/linear#createIssue": 3, "/github#create_issue": 2, "/gitlab#create_issue": 2, "/jira#jira_create_issue": 1 },
  },
  { category: "exact", text: "PagerDuty", servers: { "/pagerduty": 3, "/opsgenie": 1 } },
  { category: "exact", text: "Terraform Cloud", servers: { "/terraform-cloud": 3 } },
  { category: "exact", text: "find_free_slots", servers: { "/google-calendar": 3, "/outlook-calendar": 1 }, tools: { "/google-calendar#find_free_slots": 3, "/outlook-calendar#calendar.getSchedule": 1 } },
  { category: "exact", text: "get_console_log", servers: { "/jenkins": 3 }, tools: { "/jenkins#get_console_log": 3 } },
  { category: "exact", text: "HashiCorp Vault", servers: { "/vault": 3 } },
  { category: "exact", text: "list_pull_requests", servers: { "/github": 3, "/gitlab": 1 }, tools: { "/github#list_pull_requests": 3, "/gitlab#list_merge_requests": 1 } },
  { category: "exact", text: "maps_directions", servers: { "/google-maps": 3 }, tools: { "/google-maps#maps_directions": 3 } },
  { category: "exact", text: "glean", servers: { "/glean": 3 } },

  // A task that one tool does.
  {
    category: "task",
    text: "schedule a meeting",
    servers: { "/google-calendar": 3, "/outlook-calendar": 3, "/zoom": 2, "/microsoft-teams": 2, "/calendly": 1, "/room-booking": 1 },
    tools: {
      "/google-calendar#create_event": 3,
      "/outlook-calendar#calendar.createEvent": 3,
      "/zoom#create_meeting": 2,
      "/microsoft-teams#createOnlineMeeting": 2,
      "/calendly#create_scheduling_link": 1,
      "/room-booking#book-room": 1,
    },
  },
  {
    category: "task",
    text: "post a message in the #releases channel",
    servers: { "/slack": 3, "/microsoft-teams": 3, "/mattermost": 3, "/discord": 2 },
    tools: { "/slack#chat.postMessage": 3, "/microsoft-teams#sendChannelMessage": 3, "/mattermost#post-message": 3, "/discord#send_message": 2 },
  },
  {
    category: "task",
    text: "refund a customer's payment",
    servers: { "/stripe": 3, "/paypal": 3, "/adyen": 3 },
    tools: { "/stripe#create_refund": 3, "/paypal#refund_capture": 3, "/adyen#payments.refund": 3 },
  },
  {
    category: "task",
    text: "restart the checkout deployment",
    servers: { "/kubernetes": 3, "/argocd": 1 },
    tools: { "/kubernetes#deployments_rollout_restart": 3, "/kubernetes#pods_delete": 1 },
  },
  {
    category: "task",
    text: "read the logs of a crashing pod",
    servers: { "/kubernetes": 3 },
    tools: { "/kubernetes#pods_log": 3, "/kubernetes#events_list": 1 },
  },
  {
    category: "task",
    text: "open a pull request",
    servers: { "/github": 3, "/bitbucket": 3, "/gitlab": 2 },
    tools: { "/github#create_pull_request": 3, "/bitbucket#bitbucket.createPullRequest": 3, "/gitlab#create_merge_request": 2 },
  },
  {
    category: "task",
    text: "run a SQL query against the warehouse",
    servers: { "/snowflake": 3, "/bigquery": 3, "/clickhouse": 2, "/postgres-orders": 1 },
    tools: { "/snowflake#run_query": 3, "/bigquery#execute-query": 3, "/clickhouse#run_select_query": 2, "/postgres-orders#query": 1 },
  },
  {
    category: "task",
    text: "who is on call right now",
    servers: { "/pagerduty": 3, "/opsgenie": 3 },
    tools: { "/pagerduty#get_oncall": 3, "/opsgenie#opsgenie.whoIsOnCall": 3 },
  },
  { category: "task", text: "send an SMS to a customer", servers: { "/twilio": 3 }, tools: { "/twilio#send_sms": 3 } },
  { category: "task", text: "translate a paragraph into German", servers: { "/deepl": 3 }, tools: { "/deepl#translate_text": 3, "/deepl#translate_document": 1 } },
  {
    category: "task",
    text: "get the weather forecast for Berlin",
    servers: { "/openweather": 3, "/weather-alerts": 1 },
    tools: { "/openweather#get_forecast": 3, "/openweather#get_current_weather": 1, "/weather-alerts#active-alerts": 1 },
  },
  {
    category: "task",
    text: "turn off a feature flag",
    servers: { "/launchdarkly": 3, "/unleash": 3 },
    tools: { "/launchdarkly#toggle-flag": 3, "/unleash#disableFeature": 3 },
  },
  {
    category: "task",
    text: "read a secret from vault",
    servers: { "/vault": 3, "/aws-secrets-manager": 1, "/1password": 1 },
    tools: { "/vault#kv_read": 3, "/aws-secrets-manager#secretsmanager.getSecretValue": 1, "/1password#item-get": 1 },
  },
  {
    category: "task",
    text: "trigger a Jenkins build",
    servers: { "/jenkins": 3, "/buildkite": 1 },
    tools: { "/jenkins#trigger_build": 3, "/buildkite#buildkite-create-build": 1 },
  },
  { category: "task", text: "list the S3 buckets", servers: { "/aws-s3": 3 }, tools: { "/aws-s3#s3.listBuckets": 3 } },
  { category: "task", text: "request vacation days", servers: { "/workday": 3, "/bamboohr": 1 }, tools: { "/workday#request_time_off": 3, "/workday#get_time_off_balance": 1 } },
  {
    category: "task",
    text: "search the company wiki for the onboarding guide",
    servers: { "/confluence": 3, "/glean": 2, "/notion": 2 },
    tools: { "/confluence#confluence_search": 3, "/glean#glean_search": 2, "/notion#notion-search": 2 },
  },
  { category: "task", text: "get a TLS certificate for a new host", servers: { "/vault": 3 }, tools: { "/vault#issue_certificate": 3 } },
  { category: "task", text: "purge the CDN cache", servers: { "/cloudflare": 3 }, tools: { "/cloudflare#cache_purge": 3 } },
  {
    category: "task",
    text: "scan a docker image for vulnerabilities",
    servers: { "/snyk": 3, "/cve-lookup": 1 },
    tools: { "/snyk#snyk_container_scan": 3, "/cve-lookup#search_cves": 1 },
  },
  { category: "task", text: "geocode an address", servers: { "/google-maps": 3, "/mapbox": 1 }, tools: { "/google-maps#maps_geocode": 3 } },
  {
    category: "task",
    text: "transcribe a recording of a call",
    servers: { "/speech-to-text": 3, "/gong": 2, "/zoom": 2 },
    tools: { "/speech-to-text#transcribe_audio": 3, "/gong#get_call_transcript": 2, "/zoom#get_meeting_transcript": 2 },
  },
  { category: "task", text: "send a contract for signature", servers: { "/docusign": 3 }, tools: { "/docusign#create_envelope": 3 } },
  { category: "task", text: "check consumer lag on a kafka topic", servers: { "/kafka": 3 }, tools: { "/kafka#describe_consumer_group": 3 } },
  { category: "task", text: "merge two PDFs", servers: { "/pdf-tools": 3 }, tools: { "/pdf-tools#pdf.merge": 3 } },
  {
    category: "task",
    text: "create an invoice for a customer",
    servers: { "/stripe": 3, "/quickbooks": 3, "/xero": 1, "/chargebee": 1 },
    tools: { "/stripe#create_invoice": 3, "/quickbooks#createInvoice": 3 },
  },
  { category: "task", text: "add a sticky note to the retro board", servers: { "/miro": 3 }, tools: { "/miro#add_sticky_note": 3 } },

  // Paraphrases: the user's words are not the catalogue's.
  {
    category: "paraphrase",
    text: "set up a call with a client on thursday",
    servers: { "/google-calendar": 3, "/outlook-calendar": 3, "/zoom": 2, "/microsoft-teams": 2, "/calendly": 1 },
    tools: {
      "/google-calendar#create_event": 3,
      "/outlook-calendar#calendar.createEvent": 3,
      "/zoom#create_meeting": 2,
      "/microsoft-teams#createOnlineMeeting": 2,
      "/calendly#create_scheduling_link": 1,
    },
  },
  {
    category: "paraphrase",
    text: "give a shopper their money back",
    servers: { "/stripe": 3, "/paypal": 3, "/adyen": 3 },
    tools: { "/stripe#create_refund": 3, "/paypal#refund_capture": 3, "/adyen#payments.refund": 3 },
  },
  {
    category: "paraphrase",
    text: "who's carrying the pager tonight",
    servers: { "/pagerduty": 3, "/opsgenie": 3 },
    tools: { "/pagerduty#get_oncall": 3, "/opsgenie#opsgenie.whoIsOnCall": 3 },
  },
  { category: "paraphrase", text: "put this paragraph into Spanish", servers: { "/deepl": 3 }, tools: { "/deepl#translate_text": 3 } },
  {
    category: "paraphrase",
    text: "is it going to rain tomorrow in Madrid",
    servers: { "/openweather": 3, "/weather-alerts": 1 },
    tools: { "/openweather#get_forecast": 3, "/openweather#get_current_weather": 1, "/weather-alerts#active-alerts": 1 },
  },
  {
    category: "paraphrase",
    text: "bounce the api containers",
    servers: { "/kubernetes": 3 },
    tools: { "/kubernetes#deployments_rollout_restart": 3, "/kubernetes#pods_delete": 2 },
  },
  {
    category: "paraphrase",
    text: "ping the team in chat",
    servers: { "/slack": 3, "/microsoft-teams": 3, "/mattermost": 3, "/discord": 2 },
    tools: {
      "/slack#chat.postMessage": 3,
      "/microsoft-teams#sendChannelMessage": 3,
      "/microsoft-teams#sendChatMessage": 2,
      "/mattermost#post-message": 3,
      "/discord#send_message": 2,
    },
  },
  {
    category: "paraphrase",
    text: "how much is AWS costing us",
    servers: { "/cost-explorer": 3, "/azure": 1 },
    tools: { "/cost-explorer#get_cost_and_usage": 3, "/cost-explorer#get_cost_forecast": 2, "/azure#az_get_cost": 1 },
  },
  {
    category: "paraphrase",
    text: "lock out a compromised employee account",
    servers: { "/okta": 3, "/entra-id": 2, "/auth0": 1 },
    tools: { "/okta#suspend_user": 3, "/entra-id#users.revokeSignInSessions": 2, "/auth0#auth0_block_user": 1 },
  },
  {
    category: "paraphrase",
    text: "how many holidays do I have left",
    servers: { "/workday": 3, "/bamboohr": 1 },
    tools: { "/workday#get_time_off_balance": 3, "/bamboohr#timeOff.whosOut": 1 },
  },
  {
    category: "paraphrase",
    text: "ship the latest build to prod",
    servers: { "/argocd": 3, "/helm": 2, "/aws-lambda": 1, "/gcp": 1 },
    tools: {
      "/argocd#sync_application": 3,
      "/helm#helm_upgrade": 2,
      "/aws-lambda#lambda.updateFunctionCode": 1,
      "/gcp#gcloud-deploy-cloud-run": 1,
    },
  },
  {
    category: "paraphrase",
    text: "undo yesterday's release",
    servers: { "/argocd": 3, "/helm": 3 },
    tools: { "/argocd#rollback_application": 3, "/helm#helm_rollback": 3 },
  },
  {
    category: "paraphrase",
    text: "which bugs hit our users most often",
    servers: { "/sentry": 3 },
    tools: { "/sentry#list_issues": 3, "/sentry#get_issue_details": 1, "/sentry#get_release_health": 1 },
  },
  { category: "paraphrase", text: "find somebody who knows Rust", servers: { "/glean": 3 }, tools: { "/glean#people_search": 3 } },
  {
    category: "paraphrase",
    text: "which machines in the cluster are overloaded",
    servers: { "/kubernetes": 3, "/prometheus": 1, "/datadog": 1 },
    tools: { "/kubernetes#nodes_top": 3, "/prometheus#execute_query": 1, "/datadog#query_metrics": 1 },
  },
  {
    category: "paraphrase",
    text: "stuff we should delete to cut the cloud bill",
    servers: { "/cost-explorer": 3 },
    tools: { "/cost-explorer#find_idle_resources": 3 },
  },
  {
    category: "paraphrase",
    text: "applicants for the backend engineer opening",
    servers: { "/greenhouse": 3, "/workday": 1 },
    tools: { "/greenhouse#list_candidates": 3, "/workday#list_open_positions": 1 },
  },
  {
    category: "paraphrase",
    text: "get reimbursed for my taxi",
    servers: { "/expensify": 3, "/document-ocr": 1 },
    tools: { "/expensify#create_expense": 3, "/document-ocr#parse_receipt": 1 },
  },

  // Typos.
  { category: "typo", text: "kuberntes pod logs", servers: { "/kubernetes": 3 }, tools: { "/kubernetes#pods_log": 3 } },
  { category: "typo", text: "slak post mesage", servers: { "/slack": 3, "/mattermost": 1 }, tools: { "/slack#chat.postMessage": 3, "/mattermost#post-message": 1 } },
  { category: "typo", text: "stirpe refund", servers: { "/stripe": 3 }, tools: { "/stripe#create_refund": 3 } },
  { category: "typo", text: "confluance search", servers: { "/confluence": 3 }, tools: { "/confluence#confluence_search": 3 } },
  { category: "typo", text: "pagerdutty incidents", servers: { "/pagerduty": 3 }, tools: { "/pagerduty#list_incidents": 3 } },
  { category: "typo", text: "jria create issue", servers: { "/jira": 3 }, tools: { "/jira#jira_create_issue": 3 } },
  { category: "typo", text: "elasticsearh cluster health", servers: { "/elasticsearch": 3 }, tools: { "/elasticsearch#cluster_health": 3 } },
  { category: "typo", text: "snowflak query", servers: { "/snowflake": 3 }, tools: { "/snowflake#run_query": 3 } },
  { category: "typo", text: "grafanna dashbords", servers: { "/grafana": 3 }, tools: { "/grafana#search_dashboards": 3 } },
  {
    category: "typo",
    text: "salesforse opportunity",
    servers: { "/salesforce": 3 },
    tools: { "/salesforce#update_opportunity_stage": 3, "/salesforce#get_pipeline_report": 1 },
  },
  {
    category: "typo",
    text: "terrafrom plan",
    servers: { "/terraform-cloud": 3 },
    tools: { "/terraform-cloud#create_run": 3, "/terraform-cloud#get_plan_output": 3 },
  },
  {
    category: "typo",
    text: "postgress list tables",
    servers: { "/postgres-orders": 3, "/supabase": 1, "/clickhouse": 1, "/mysql-legacy": 1 },
    tools: { "/postgres-orders#list_tables": 3, "/clickhouse#list_tables": 1, "/mysql-legacy#mysql_show_tables": 1 },
  },
  {
    category: "typo",
    text: "gogle calender events",
    servers: { "/google-calendar": 3, "/outlook-calendar": 1 },
    tools: { "/google-calendar#list_events": 3, "/outlook-calendar#calendar.listEvents": 1 },
  },
  { category: "typo", text: "launchdarkley flags", servers: { "/launchdarkly": 3 }, tools: { "/launchdarkly#list-flags": 3 } },
  {
    category: "typo",
    text: "airflo dag run faild",
    servers: { "/airflow": 3 },
    tools: { "/airflow#get_dag_run_status": 3, "/airflow#get_task_logs": 2, "/airflow#clear_task_instances": 1 },
  },

  // Several concepts in one query.
  {
    category: "multi",
    text: "post a sentry error into the slack channel",
    servers: { "/sentry": 3, "/slack": 3 },
    tools: { "/slack#chat.postMessage": 3, "/sentry#get_issue_details": 2 },
  },
  {
    category: "multi",
    text: "create a jira ticket from a zendesk ticket",
    servers: { "/jira": 3, "/zendesk": 3 },
    tools: { "/jira#jira_create_issue": 3, "/zendesk#get_ticket": 2 },
  },
  {
    category: "multi",
    text: "pods crashing after deploy, check logs and events",
    servers: { "/kubernetes": 3, "/argocd": 1 },
    tools: { "/kubernetes#pods_log": 3, "/kubernetes#events_list": 3, "/kubernetes#pods_list": 2 },
  },
  {
    category: "multi",
    text: "cancel the stripe subscription and refund the last charge",
    servers: { "/stripe": 3, "/chargebee": 1 },
    tools: { "/stripe#cancel_subscription": 3, "/stripe#create_refund": 3, "/stripe#list_charges": 1, "/chargebee#change_plan": 1 },
  },
  {
    category: "multi",
    text: "temporary postgres credentials from vault",
    servers: { "/vault": 3, "/postgres-orders": 1 },
    tools: { "/vault#generate_db_credentials": 3 },
  },
  {
    category: "multi",
    text: "failed gitlab pipeline retry",
    servers: { "/gitlab": 3, "/github-actions": 1 },
    tools: { "/gitlab#retry_job": 3, "/gitlab#list_pipelines": 2, "/github-actions#rerun_failed_jobs": 1 },
  },
  {
    category: "multi",
    text: "email the weekly sales pipeline report",
    servers: { "/salesforce": 3, "/gmail": 2, "/outlook-mail": 2 },
    tools: { "/salesforce#get_pipeline_report": 3, "/gmail#send_email": 2, "/outlook-mail#mail.sendMail": 2 },
  },
  {
    category: "multi",
    text: "scan invoices and enter them as bills in quickbooks",
    servers: { "/document-ocr": 3, "/quickbooks": 3 },
    tools: { "/document-ocr#parse_invoice": 3, "/quickbooks#createBill": 3 },
  },
  {
    category: "multi",
    text: "pii columns in the data catalog and who owns them",
    servers: { "/datahub": 3 },
    tools: { "/datahub#list_pii_columns": 3, "/datahub#get_dataset_owners": 3 },
  },
  {
    category: "multi",
    text: "page the on-call engineer and update the status page",
    servers: { "/pagerduty": 3, "/statuspage": 3, "/opsgenie": 2 },
    tools: {
      "/pagerduty#trigger_incident": 3,
      "/statuspage#create_incident": 3,
      "/statuspage#update_component_status": 2,
      "/opsgenie#opsgenie.createAlert": 2,
    },
  },
  {
    category: "multi",
    text: "upload a file to s3 and share a download link",
    servers: { "/aws-s3": 3, "/dropbox": 1 },
    tools: { "/aws-s3#s3.putObject": 3, "/aws-s3#s3.generatePresignedUrl": 3, "/dropbox#sharing.createSharedLink": 1 },
  },
  {
    category: "multi",
    text: "approve and merge a github pull request",
    servers: { "/github": 3 },
    tools: { "/github#create_pull_request_review": 3, "/github#merge_pull_request": 3 },
  },
  {
    category: "multi",
    text: "schedule an interview with a candidate and send the calendar invite",
    servers: { "/greenhouse": 3, "/google-calendar": 1, "/outlook-calendar": 1 },
    tools: { "/greenhouse#schedule_interview": 3, "/google-calendar#create_event": 1 },
  },
  {
    category: "multi",
    text: "slow mysql queries and their execution plan",
    servers: { "/mysql-legacy": 3, "/postgres-orders": 1 },
    tools: { "/mysql-legacy#mysql_slow_queries": 3, "/postgres-orders#explain_query": 1 },
  },
  {
    category: "multi",
    text: "survey responses as customer feedback on the roadmap",
    servers: { "/typeform": 3, "/productboard": 3 },
    tools: { "/typeform#get_responses": 3, "/productboard#create_note": 3, "/productboard#link_note_to_feature": 2 },
  },

  // Metadata: team, owner, compliance, tier.
  { category: "metadata", text: "servers owned by the payments team", servers: all(["/postgres-orders", "/stripe", "/paypal", "/adyen"]) },
  {
    category: "metadata",
    text: "sre team",
    servers: all(["/datadog", "/grafana", "/prometheus", "/sentry", "/pagerduty", "/opsgenie", "/new-relic", "/statuspage", "/runbooks"]),
  },
  { category: "metadata", text: "pci-dss", servers: all(["/postgres-orders", "/stripe", "/paypal", "/adyen", "/shopify"]) },
  {
    category: "metadata",
    text: "owned by hannah.lee",
    servers: all(["/snowflake", "/clickhouse", "/gcp", "/buildkite", "/segment", "/airflow", "/dbt-cloud", "/datahub"]),
  },
  { category: "metadata", text: "people-ops", servers: all(["/workday", "/bamboohr", "/greenhouse", "/deel"]) },
  {
    category: "metadata",
    text: "which servers does ivan petrov maintain",
    servers: all([
      "/mattermost", "/gitea", "/argocd", "/mysql-legacy", "/redis", "/aws-ec2", "/aws-s3",
      "/aws-lambda", "/cloudflare", "/terraform-cloud", "/kubernetes", "/helm", "/unleash", "/kafka",
    ]),
  },
  {
    category: "metadata",
    text: "sox critical systems",
    servers: {
      ...all(["/servicenow", "/argocd", "/kubernetes", "/okta"]),
      ...all(
        [
          "/aws-ec2", "/terraform-cloud", "/splunk", "/entra-id", "/chargebee", "/quickbooks", "/xero", "/docusign",
          "/contract-repository", "/postgres-orders", "/vault", "/pagerduty", "/salesforce", "/stripe", "/adyen", "/workday",
        ],
        1,
      ),
    },
  },
  { category: "metadata", text: "legal team", servers: all(["/docusign", "/contract-repository"]) },
  {
    category: "metadata",
    text: "logistics",
    servers: all(["/google-maps", "/mapbox", "/openweather", "/weather-alerts", "/warehouse-inventory"]),
  },
  {
    category: "metadata",
    text: "finance team servers",
    servers: all(["/chargebee", "/quickbooks", "/xero", "/expensify", "/document-ocr", "/cost-explorer"]),
  },
  {
    category: "metadata",
    text: "maya.cohen@acme.example",
    servers: all(["/linear", "/launchdarkly", "/notion", "/mixpanel", "/amplitude", "/productboard"]),
  },
  { category: "metadata", text: "devrel", servers: all(["/discord", "/algolia"]) },

  // Nothing in the catalogue fits.
  { category: "none", text: "book a flight to Lisbon" },
  { category: "none", text: "order a pizza for the team lunch" },
  { category: "none", text: "play some jazz music" },
  { category: "none", text: "what's the score of the football game" },
  { category: "none", text: "buy 10 shares of Apple stock" },
  { category: "none", text: "recipe for banana bread" },
  { category: "none", text: "hipaa compliant servers" },
  { category: "none", text: "horoscope for Leo" },
  { category: "none", text: "rent a car in Denver" },
  { category: "none", text: "generate a 3D model of a chair" },
  { category: "none", text: "log my blood pressure readings" },
  { category: "none", text: "mint an NFT" },
  { category: "none", text: "track my running workouts" },
  { category: "none", text: "find a babysitter nearby" },
  { category: "none", text: "tune my guitar" },
];
