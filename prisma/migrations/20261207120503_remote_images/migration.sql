-- CreateTable
CREATE TABLE "RemoteImage" (
    "filename" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "url" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "RemoteImage_pkey" PRIMARY KEY ("filename")
);
