-- AlterTable
ALTER TABLE "api_tokens" ADD COLUMN     "parent_jti" TEXT,
ADD COLUMN     "provider" TEXT;

-- CreateIndex
CREATE INDEX "api_tokens_parent_jti_idx" ON "api_tokens"("parent_jti");

