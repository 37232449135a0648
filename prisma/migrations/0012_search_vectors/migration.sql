-- Embedding vectors of search documents (issue 16, optional embeddings). One row per
-- document (search_documents' key), written in the background after the document is.
-- No foreign key to search_documents: this migration may run before or after the one
-- that creates it, and a vector whose document is gone is ignored by readers and swept by
-- the writer. real[] rather than pgvector's type: neither PGlite 0.5 nor Debian's
-- PostgreSQL 15 ships pgvector, and cosine is computed in the process.
CREATE TABLE "search_vectors" (
    "kind" TEXT NOT NULL,
    "ref_id" UUID NOT NULL,
    -- A vector is only comparable with vectors of the same model (and dimensions): a
    -- change of EMBEDDINGS_MODEL makes every row stale, and the writer re-embeds them.
    "model" TEXT NOT NULL,
    "dims" INTEGER NOT NULL,
    "vector" REAL[] NOT NULL,
    -- search_documents.content_hash of the text this vector was computed from.
    "content_hash" TEXT NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT now(),

    CONSTRAINT "search_vectors_pkey" PRIMARY KEY ("kind", "ref_id"),
    CONSTRAINT "search_vectors_kind_check" CHECK ("kind" IN ('server', 'tool')),
    CONSTRAINT "search_vectors_dims_check" CHECK ("dims" > 0 AND cardinality("vector") = "dims")
);

-- Replicas that do not write vectors catch up with the ones written since their last read.
CREATE INDEX "search_vectors_updated_at_idx" ON "search_vectors" ("updated_at");
