-- Registry tokens limited to some servers (paths); empty: not limited.
ALTER TABLE "api_tokens" ADD COLUMN "servers" TEXT[] DEFAULT ARRAY[]::TEXT[];
