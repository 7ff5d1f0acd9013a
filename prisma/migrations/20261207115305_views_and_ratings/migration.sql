-- CreateTable
CREATE TABLE "AccountVideoRate" (
    "id" SERIAL NOT NULL,
    "accountId" INTEGER NOT NULL,
    "videoId" INTEGER NOT NULL,
    "type" TEXT NOT NULL,
    "url" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "AccountVideoRate_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "VideoViewerSession" (
    "videoId" INTEGER NOT NULL,
    "viewer" TEXT NOT NULL,
    "sections" JSONB NOT NULL,
    "watchTime" INTEGER NOT NULL DEFAULT 0,
    "firstSeenAt" TIMESTAMP(3) NOT NULL,
    "lastSeenAt" TIMESTAMP(3) NOT NULL,
    "viewCountedAt" TIMESTAMP(3),

    CONSTRAINT "VideoViewerSession_pkey" PRIMARY KEY ("videoId","viewer")
);

-- CreateIndex
CREATE INDEX "AccountVideoRate_videoId_type_idx" ON "AccountVideoRate"("videoId", "type");

-- CreateIndex
CREATE INDEX "AccountVideoRate_url_idx" ON "AccountVideoRate"("url");

-- CreateIndex
CREATE UNIQUE INDEX "AccountVideoRate_accountId_videoId_key" ON "AccountVideoRate"("accountId", "videoId");

-- CreateIndex
CREATE INDEX "VideoViewerSession_lastSeenAt_idx" ON "VideoViewerSession"("lastSeenAt");

-- AddForeignKey
ALTER TABLE "AccountVideoRate" ADD CONSTRAINT "AccountVideoRate_accountId_fkey" FOREIGN KEY ("accountId") REFERENCES "Account"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "AccountVideoRate" ADD CONSTRAINT "AccountVideoRate_videoId_fkey" FOREIGN KEY ("videoId") REFERENCES "Video"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "VideoViewerSession" ADD CONSTRAINT "VideoViewerSession_videoId_fkey" FOREIGN KEY ("videoId") REFERENCES "Video"("id") ON DELETE CASCADE ON UPDATE CASCADE;
