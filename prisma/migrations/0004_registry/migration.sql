-- AlterTable
ALTER TABLE "servers" ADD COLUMN     "server_json" JSONB,
ADD COLUMN     "status_changed_at" TIMESTAMPTZ(3),
ADD COLUMN     "status_message" TEXT;

