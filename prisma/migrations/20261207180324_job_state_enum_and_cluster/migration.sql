-- Job.state becomes an enum with the values it held; rows keep their state (an unknown one, which
-- the API always listed as failed, becomes failed). Its indexes are rebuilt by the type change.
CREATE TYPE "JobState" AS ENUM ('pending', 'active', 'completed', 'failed');

ALTER TABLE "Job" ALTER COLUMN "state" DROP DEFAULT;
ALTER TABLE "Job" ALTER COLUMN "state" TYPE "JobState"
  USING (CASE WHEN "state" IN ('pending', 'active', 'completed', 'failed') THEN "state" ELSE 'failed' END)::"JobState";
ALTER TABLE "Job" ALTER COLUMN "state" SET DEFAULT 'pending';

-- Several nodes on one database: the node registry and the ticks the cluster runs once per interval.

-- CreateTable
CREATE TABLE "ClusterNode" (
    "id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "url" TEXT NOT NULL,
    "version" TEXT NOT NULL,
    "startedAt" TIMESTAMP(3) NOT NULL,
    "lastSeenAt" TIMESTAMP(3) NOT NULL,
    "stoppedAt" TIMESTAMP(3),

    CONSTRAINT "ClusterNode_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ClusterTick" (
    "name" TEXT NOT NULL,
    "holder" TEXT NOT NULL,
    "dueAt" TIMESTAMP(3) NOT NULL,
    "runningUntil" TIMESTAMP(3),
    "lastRunAt" TIMESTAMP(3) NOT NULL,
    "runs" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "ClusterTick_pkey" PRIMARY KEY ("name")
);

-- CreateIndex
CREATE INDEX "ClusterNode_name_idx" ON "ClusterNode"("name");
