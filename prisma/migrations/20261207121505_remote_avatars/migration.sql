-- AlterTable
ALTER TABLE "Actor" ADD COLUMN     "avatarFilename" TEXT,
ADD COLUMN     "avatarWidth" INTEGER;
