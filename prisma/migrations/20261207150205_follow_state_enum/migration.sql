-- ActorFollow.state becomes an enum with the values it held (pending | accepted | rejected); rows keep their state.
CREATE TYPE "FollowState" AS ENUM ('pending', 'accepted', 'rejected');

ALTER TABLE "ActorFollow" ALTER COLUMN "state" DROP DEFAULT;
ALTER TABLE "ActorFollow" ALTER COLUMN "state" TYPE "FollowState" USING "state"::"FollowState";
ALTER TABLE "ActorFollow" ALTER COLUMN "state" SET DEFAULT 'pending';
