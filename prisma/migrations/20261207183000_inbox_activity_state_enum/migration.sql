-- InboxActivity.state becomes an enum with the values it held (pending | processed | skipped | failed); rows keep their state.
CREATE TYPE "InboxActivityState" AS ENUM ('pending', 'processed', 'skipped', 'failed');

ALTER TABLE "InboxActivity" ALTER COLUMN "state" DROP DEFAULT;
ALTER TABLE "InboxActivity" ALTER COLUMN "state" TYPE "InboxActivityState" USING "state"::"InboxActivityState";
ALTER TABLE "InboxActivity" ALTER COLUMN "state" SET DEFAULT 'pending';
