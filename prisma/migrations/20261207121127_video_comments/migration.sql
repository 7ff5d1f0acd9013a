-- CreateTable
CREATE TABLE "VideoComment" (
    "id" SERIAL NOT NULL,
    "url" TEXT,
    "videoId" INTEGER NOT NULL,
    "accountId" INTEGER,
    "originCommentId" INTEGER,
    "inReplyToCommentId" INTEGER,
    "text" TEXT NOT NULL,
    "heldForReview" BOOLEAN NOT NULL DEFAULT false,
    "replyApproval" TEXT,
    "deletedAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "VideoComment_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "VideoComment_url_key" ON "VideoComment"("url");

-- CreateIndex
CREATE INDEX "VideoComment_videoId_originCommentId_createdAt_idx" ON "VideoComment"("videoId", "originCommentId", "createdAt");

-- CreateIndex
CREATE INDEX "VideoComment_originCommentId_idx" ON "VideoComment"("originCommentId");

-- CreateIndex
CREATE INDEX "VideoComment_inReplyToCommentId_idx" ON "VideoComment"("inReplyToCommentId");

-- AddForeignKey
ALTER TABLE "VideoComment" ADD CONSTRAINT "VideoComment_videoId_fkey" FOREIGN KEY ("videoId") REFERENCES "Video"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "VideoComment" ADD CONSTRAINT "VideoComment_accountId_fkey" FOREIGN KEY ("accountId") REFERENCES "Account"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "VideoComment" ADD CONSTRAINT "VideoComment_originCommentId_fkey" FOREIGN KEY ("originCommentId") REFERENCES "VideoComment"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "VideoComment" ADD CONSTRAINT "VideoComment_inReplyToCommentId_fkey" FOREIGN KEY ("inReplyToCommentId") REFERENCES "VideoComment"("id") ON DELETE CASCADE ON UPDATE CASCADE;
