-- CreateTable
CREATE TABLE "VideoLive" (
    "id" SERIAL NOT NULL,
    "videoId" INTEGER NOT NULL,
    "streamKey" TEXT NOT NULL,
    "saveReplay" BOOLEAN NOT NULL DEFAULT false,
    "replayPrivacy" INTEGER,
    "permanentLive" BOOLEAN NOT NULL DEFAULT false,
    "latencyMode" INTEGER NOT NULL DEFAULT 1,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "VideoLive_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "VideoLiveSession" (
    "id" SERIAL NOT NULL,
    "liveVideoId" INTEGER NOT NULL,
    "startDate" TIMESTAMP(3) NOT NULL,
    "endDate" TIMESTAMP(3),
    "error" INTEGER,
    "saveReplay" BOOLEAN NOT NULL DEFAULT false,
    "replayVideoId" INTEGER,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "VideoLiveSession_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "VideoLive_videoId_key" ON "VideoLive"("videoId");

-- CreateIndex
CREATE UNIQUE INDEX "VideoLive_streamKey_key" ON "VideoLive"("streamKey");

-- CreateIndex
CREATE UNIQUE INDEX "VideoLiveSession_replayVideoId_key" ON "VideoLiveSession"("replayVideoId");

-- CreateIndex
CREATE INDEX "VideoLiveSession_liveVideoId_idx" ON "VideoLiveSession"("liveVideoId");

-- CreateIndex
CREATE INDEX "VideoLiveSession_endDate_idx" ON "VideoLiveSession"("endDate");

-- AddForeignKey
ALTER TABLE "VideoLive" ADD CONSTRAINT "VideoLive_videoId_fkey" FOREIGN KEY ("videoId") REFERENCES "Video"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "VideoLiveSession" ADD CONSTRAINT "VideoLiveSession_liveVideoId_fkey" FOREIGN KEY ("liveVideoId") REFERENCES "Video"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "VideoLiveSession" ADD CONSTRAINT "VideoLiveSession_replayVideoId_fkey" FOREIGN KEY ("replayVideoId") REFERENCES "Video"("id") ON DELETE SET NULL ON UPDATE CASCADE;
