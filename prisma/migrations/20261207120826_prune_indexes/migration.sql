-- CreateIndex
CREATE INDEX "InboxActivity_state_processedAt_idx" ON "InboxActivity"("state", "processedAt");

-- CreateIndex
CREATE INDEX "Job_state_finishedAt_idx" ON "Job"("state", "finishedAt");
