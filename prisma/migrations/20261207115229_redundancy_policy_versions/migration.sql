-- CreateTable
CREATE TABLE "RedundancyPolicyVersion" (
    "version" SERIAL NOT NULL,
    "policy" JSONB NOT NULL,
    "setBy" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "RedundancyPolicyVersion_pkey" PRIMARY KEY ("version")
);
