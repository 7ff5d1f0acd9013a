-- AlterTable
ALTER TABLE "VideoRedundancy" ADD COLUMN     "sourceFileSet" TEXT;

-- CreateTable
CREATE TABLE "VideoFileRedundancy" (
    "id" SERIAL NOT NULL,
    "videoFileId" INTEGER NOT NULL,
    "actorId" INTEGER NOT NULL,
    "url" TEXT NOT NULL,
    "fileUrl" TEXT NOT NULL,
    "state" TEXT NOT NULL DEFAULT 'pending-probe',
    "sizeBytes" BIGINT NOT NULL DEFAULT 0,
    "expiresOn" TIMESTAMP(3),
    "reason" TEXT,
    "lastVerifiedAt" TIMESTAMP(3),
    "failures" INTEGER NOT NULL DEFAULT 0,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "VideoFileRedundancy_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "VideoFileRedundancy_url_key" ON "VideoFileRedundancy"("url");

-- CreateIndex
CREATE INDEX "VideoFileRedundancy_state_idx" ON "VideoFileRedundancy"("state");

-- CreateIndex
CREATE UNIQUE INDEX "VideoFileRedundancy_videoFileId_actorId_key" ON "VideoFileRedundancy"("videoFileId", "actorId");

-- AddForeignKey
ALTER TABLE "VideoFileRedundancy" ADD CONSTRAINT "VideoFileRedundancy_videoFileId_fkey" FOREIGN KEY ("videoFileId") REFERENCES "VideoFile"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "VideoFileRedundancy" ADD CONSTRAINT "VideoFileRedundancy_actorId_fkey" FOREIGN KEY ("actorId") REFERENCES "Actor"("id") ON DELETE CASCADE ON UPDATE CASCADE;
