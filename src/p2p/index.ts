export { createTorrentFile } from './create-torrent-file.js';
export type { CreateTorrentFileInput, CreatedTorrent } from './create-torrent-file.js';
export { readTorrentInfo } from './read-torrent-info.js';
export type { TorrentInfo, TorrentRefusal, ReadTorrentResult } from './read-torrent-info.js';
export { decodeBencode, isBencodeDict } from './bencode-decode.js';
export type { BencodeValue, BencodeDict, BencodeError, BencodeFailure, BencodeResult } from './bencode-decode.js';
export { encodeBencode } from './bencode-encode.js';
export type { BencodeInput } from './bencode-encode.js';
export { addTorrentWebseeds } from './torrent-webseeds.js';
export type { TorrentWithWebseeds, TorrentWebseedsRefusal } from './torrent-webseeds.js';
export { buildMagnetUri } from './magnet-uri.js';
export type { MagnetUriInput } from './magnet-uri.js';
export {
  buildTrackerUrls,
  buildAnnounceList,
  buildMagnetTrackers,
  TRACKER_ANNOUNCE_PATH,
  TRACKER_SCRAPE_PATH,
  TRACKER_SOCKET_PATH,
} from './tracker-urls.js';
export type { TrackerUrls } from './tracker-urls.js';
export { buildTorrentInfoName } from './torrent-info-name.js';
export { createTracker, UNKNOWN_INFOHASH_MESSAGE } from './tracker.js';
export type { Tracker, TrackerOptions, TrackerStats, TrackerLogger } from './tracker.js';
export { createSeeder } from './seeder.js';
export type { Seeder, SeederConfig, SeederOptions, SeederStats, SeederLogger, SeedFile, SeedKind, SeedRefusal, SeededTorrent } from './seeder.js';
export { seedingProtocolOf } from './wire-protocol.js';
export type { SeedingProtocol } from './wire-protocol.js';
export { ReadOnlyFileStore } from './read-only-file-store.js';
export type { SharedFileBlocks, FileVersion } from './shared-file-blocks.js';
export { createLocalSeedableFiles } from './seedable-files.js';
export type { SeedCandidate, SeedableFileSource, LocalFilePaths, LocalSeedableFile, LocalSeedableFileStore } from './seedable-files.js';
export { createVideoSeeding } from './video-seeding.js';
export type { VideoSeeding } from './video-seeding.js';
export { createSeedingService, seederConfigFrom } from './seeding-service.js';
export type { SeedingService, SeedingSettings } from './seeding-service.js';
export { shortenWebRtcAnswerDelay, webRtcAnswerDelayMs } from './webrtc-answer-delay.js';
export { trackerAdmission } from './tracker-admission.js';
export { createTrackerInfohashStore } from './tracker-infohash-store.js';
export { createPrismaSeedableFileStore } from './seedable-file-store.js';
export { replaceTorrentUrlList } from './torrent-url-list.js';
export { createP2p } from './create-p2p.js';
export type { P2pObserver } from './create-p2p.js';
