-- CreateTable
CREATE TABLE "ObjectUpload" (
    "id" SERIAL NOT NULL,
    "bucket" TEXT NOT NULL,
    "key" TEXT NOT NULL,
    "node" TEXT NOT NULL,
    "startedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "ObjectUpload_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "ObjectUpload_node_idx" ON "ObjectUpload"("node");
