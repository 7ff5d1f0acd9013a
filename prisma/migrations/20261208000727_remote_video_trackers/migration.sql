-- AlterTable
ALTER TABLE "Video" ADD COLUMN     "trackerUrls" TEXT[] DEFAULT ARRAY[]::TEXT[];
