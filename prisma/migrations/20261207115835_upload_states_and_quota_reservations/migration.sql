-- AlterTable
ALTER TABLE "UploadSession" ADD COLUMN     "owner" TEXT,
ADD COLUMN     "result" JSONB,
ADD COLUMN     "state" TEXT NOT NULL DEFAULT 'receiving';

-- CreateTable
CREATE TABLE "QuotaReservation" (
    "id" TEXT NOT NULL,
    "userId" INTEGER NOT NULL,
    "size" BIGINT NOT NULL,
    "videoUuid" UUID,
    "owner" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "QuotaReservation_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "QuotaReservation_userId_idx" ON "QuotaReservation"("userId");

-- CreateIndex
CREATE INDEX "QuotaReservation_owner_idx" ON "QuotaReservation"("owner");
