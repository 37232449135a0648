-- A per-server gateway upstream timeout, in seconds; null keeps GATEWAY_UPSTREAM_TIMEOUT_MS.
ALTER TABLE "servers" ADD COLUMN "upstream_timeout_seconds" INTEGER;
