-- AlterTable
ALTER TABLE "Video" ADD COLUMN     "trackerUrls" TEXT[] DEFAULT ARRAY[]::TEXT[];

-- remote videos stored before: their origin's own trackers (PeerTube's fallback) until the next refresh brings the listed ones
UPDATE "Video" SET "trackerUrls" = ARRAY[
  regexp_replace(substring("url" from '^https?://[^/]+'), '^http', 'ws') || '/tracker/socket',
  substring("url" from '^https?://[^/]+') || '/tracker/announce'
] WHERE NOT "isLocal" AND "url" ~ '^https?://[^/]+';
