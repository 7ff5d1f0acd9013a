-- AlterTable
ALTER TABLE "VideoRedundancy" ADD COLUMN     "graceUntil" TIMESTAMP(3);
