-- CreateTable
CREATE TABLE "audit_events" (
    "id" BIGINT NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL,
    "actor" TEXT NOT NULL,
    "actor_name" TEXT NOT NULL,
    "auth_method" TEXT,
    "action" TEXT NOT NULL,
    "server_path" TEXT,
    "tool" TEXT,
    "outcome" TEXT NOT NULL,
    "latency_ms" INTEGER,
    "session" TEXT,
    "token_hint" VARCHAR(6),
    "details" JSONB NOT NULL DEFAULT '{}',
    "prev_hash" TEXT NOT NULL,
    "hash" TEXT NOT NULL,

    CONSTRAINT "audit_events_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "audit_head" (
    "id" INTEGER NOT NULL,
    "seq" BIGINT NOT NULL,
    "hash" TEXT NOT NULL,
    "prev_hash" TEXT NOT NULL,
    "anchor_id" BIGINT NOT NULL,
    "anchor_hash" TEXT NOT NULL,
    "trimmed_at" TIMESTAMPTZ(3),

    CONSTRAINT "audit_head_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "audit_events_actor_id_idx" ON "audit_events"("actor", "id");

-- CreateIndex
CREATE INDEX "audit_events_server_path_id_idx" ON "audit_events"("server_path", "id");

-- CreateIndex
CREATE INDEX "audit_events_action_id_idx" ON "audit_events"("action", "id");

-- CreateIndex
CREATE INDEX "audit_events_at_idx" ON "audit_events"("at");


-- The chain starts at the genesis hash (64 zeros), with no trimmed rows.
INSERT INTO "audit_head" ("id", "seq", "hash", "prev_hash", "anchor_id", "anchor_hash")
VALUES (1, 0, repeat('0', 64), repeat('0', 64), 0, repeat('0', 64));
