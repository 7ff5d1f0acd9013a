-- CreateTable
CREATE TABLE "VideoRedundancy" (
    "id" SERIAL NOT NULL,
    "videoId" INTEGER NOT NULL,
    "actorId" INTEGER NOT NULL,
    "url" TEXT NOT NULL,
    "fileUrl" TEXT NOT NULL,
    "strategy" TEXT,
    "state" TEXT NOT NULL DEFAULT 'planned',
    "sizeBytes" BIGINT NOT NULL DEFAULT 0,
    "expiresOn" TIMESTAMP(3),
    "reason" TEXT,
    "lastVerifiedAt" TIMESTAMP(3),
    "failures" INTEGER NOT NULL DEFAULT 0,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "VideoRedundancy_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "VideoRedundancy_url_key" ON "VideoRedundancy"("url");

-- CreateIndex
CREATE INDEX "VideoRedundancy_state_idx" ON "VideoRedundancy"("state");

-- CreateIndex
CREATE UNIQUE INDEX "VideoRedundancy_videoId_actorId_key" ON "VideoRedundancy"("videoId", "actorId");

-- AddForeignKey
ALTER TABLE "VideoRedundancy" ADD CONSTRAINT "VideoRedundancy_videoId_fkey" FOREIGN KEY ("videoId") REFERENCES "Video"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "VideoRedundancy" ADD CONSTRAINT "VideoRedundancy_actorId_fkey" FOREIGN KEY ("actorId") REFERENCES "Actor"("id") ON DELETE CASCADE ON UPDATE CASCADE;
