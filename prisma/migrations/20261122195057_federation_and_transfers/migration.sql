-- AlterTable
ALTER TABLE "Actor" ADD COLUMN     "keyId" TEXT,
ADD COLUMN     "lastFetchedAt" TIMESTAMP(3),
ADD COLUMN     "name" TEXT,
ADD COLUMN     "summary" TEXT;

-- AlterTable
ALTER TABLE "Video" ADD COLUMN     "lastFetchedAt" TIMESTAMP(3);

-- CreateTable
CREATE TABLE "ActorFollow" (
    "id" SERIAL NOT NULL,
    "followerId" INTEGER NOT NULL,
    "followingId" INTEGER NOT NULL,
    "state" TEXT NOT NULL DEFAULT 'pending',
    "url" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "ActorFollow_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "RemoteServer" (
    "id" SERIAL NOT NULL,
    "host" TEXT NOT NULL,
    "redundancyAllowed" BOOLEAN NOT NULL DEFAULT false,
    "blocked" BOOLEAN NOT NULL DEFAULT false,
    "consecutiveFailures" INTEGER NOT NULL DEFAULT 0,
    "pausedUntil" TIMESTAMP(3),
    "lastError" TEXT,
    "lastSuccessAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "RemoteServer_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "InboxActivity" (
    "id" SERIAL NOT NULL,
    "activityId" TEXT NOT NULL,
    "type" TEXT NOT NULL,
    "actorUrl" TEXT NOT NULL,
    "signerUrl" TEXT NOT NULL,
    "payload" JSONB NOT NULL,
    "state" TEXT NOT NULL DEFAULT 'pending',
    "error" TEXT,
    "receivedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "processedAt" TIMESTAMP(3),

    CONSTRAINT "InboxActivity_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "TransferTotal" (
    "id" SERIAL NOT NULL,
    "videoUuid" UUID NOT NULL,
    "originHost" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "protocol" TEXT NOT NULL,
    "direction" TEXT NOT NULL,
    "bytes" BIGINT NOT NULL DEFAULT 0,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "TransferTotal_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "ActorFollow_url_key" ON "ActorFollow"("url");

-- CreateIndex
CREATE INDEX "ActorFollow_followingId_state_idx" ON "ActorFollow"("followingId", "state");

-- CreateIndex
CREATE UNIQUE INDEX "ActorFollow_followerId_followingId_key" ON "ActorFollow"("followerId", "followingId");

-- CreateIndex
CREATE UNIQUE INDEX "RemoteServer_host_key" ON "RemoteServer"("host");

-- CreateIndex
CREATE UNIQUE INDEX "InboxActivity_activityId_key" ON "InboxActivity"("activityId");

-- CreateIndex
CREATE INDEX "InboxActivity_state_idx" ON "InboxActivity"("state");

-- CreateIndex
CREATE INDEX "TransferTotal_originHost_idx" ON "TransferTotal"("originHost");

-- CreateIndex
CREATE UNIQUE INDEX "TransferTotal_videoUuid_protocol_direction_key" ON "TransferTotal"("videoUuid", "protocol", "direction");

-- CreateIndex
CREATE UNIQUE INDEX "Actor_keyId_key" ON "Actor"("keyId");

-- AddForeignKey
ALTER TABLE "ActorFollow" ADD CONSTRAINT "ActorFollow_followerId_fkey" FOREIGN KEY ("followerId") REFERENCES "Actor"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ActorFollow" ADD CONSTRAINT "ActorFollow_followingId_fkey" FOREIGN KEY ("followingId") REFERENCES "Actor"("id") ON DELETE CASCADE ON UPDATE CASCADE;
