-- CreateTable
CREATE TABLE "VideoObjectStorage" (
    "videoId" INTEGER NOT NULL,
    "movedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "VideoObjectStorage_pkey" PRIMARY KEY ("videoId")
);

-- AddForeignKey
ALTER TABLE "VideoObjectStorage" ADD CONSTRAINT "VideoObjectStorage_videoId_fkey" FOREIGN KEY ("videoId") REFERENCES "Video"("id") ON DELETE CASCADE ON UPDATE CASCADE;
