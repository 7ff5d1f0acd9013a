-- AlterTable
ALTER TABLE "VideoObjectStorage" ADD COLUMN     "previewUrl" TEXT,
ADD COLUMN     "thumbnailUrl" TEXT;
