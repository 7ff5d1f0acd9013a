-- DropIndex
DROP INDEX "InboxActivity_activityId_key";

-- AlterTable
-- rows stored before this migration were deduplicated by id alone: an empty digest keeps them unique
ALTER TABLE "InboxActivity" ADD COLUMN     "bodyDigest" TEXT NOT NULL DEFAULT '';
ALTER TABLE "InboxActivity" ALTER COLUMN "bodyDigest" DROP DEFAULT;

-- CreateIndex
CREATE UNIQUE INDEX "InboxActivity_activityId_bodyDigest_key" ON "InboxActivity"("activityId", "bodyDigest");
