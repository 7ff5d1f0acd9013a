-- One state machine per column: `state` keeps our copies' (the mirror side), `remoteState` holds
-- other instances' copies' (the origin side). Rows keep their state: a copy whose actor is remote
-- (host not null) moves its state to `remoteState`, ours keep theirs in `state`.

-- CreateEnum
CREATE TYPE "MirrorCopyState" AS ENUM ('planned', 'downloading', 'active', 'failed', 'grace');

-- CreateEnum
CREATE TYPE "RemoteCopyState" AS ENUM ('pending-probe', 'active', 'unhealthy');

-- AlterTable
ALTER TABLE "VideoRedundancy" ADD COLUMN     "remoteState" "RemoteCopyState";

UPDATE "VideoRedundancy" r
SET "remoteState" = (CASE WHEN r."state" IN ('pending-probe', 'active', 'unhealthy') THEN r."state" ELSE 'unhealthy' END)::"RemoteCopyState"
FROM "Actor" a
WHERE a."id" = r."actorId" AND a."host" IS NOT NULL;

ALTER TABLE "VideoRedundancy" ALTER COLUMN "state" DROP DEFAULT,
ALTER COLUMN "state" DROP NOT NULL;

UPDATE "VideoRedundancy" r
SET "state" = NULL
FROM "Actor" a
WHERE a."id" = r."actorId" AND a."host" IS NOT NULL;

-- ours: a state outside the machine (none is written) is read as failed, retried later
ALTER TABLE "VideoRedundancy" ALTER COLUMN "state" TYPE "MirrorCopyState"
USING (CASE WHEN "state" IS NULL THEN NULL WHEN "state" IN ('planned', 'downloading', 'active', 'failed', 'grace') THEN "state" ELSE 'failed' END)::"MirrorCopyState";

-- CreateIndex
CREATE INDEX "VideoRedundancy_remoteState_idx" ON "VideoRedundancy"("remoteState");
