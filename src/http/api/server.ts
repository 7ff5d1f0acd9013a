import Router from '@koa/router';
import { z } from 'zod';
import type { InstanceConfig } from '../../config/index.js';
import type { Prisma } from '../../db/index.js';
import { API_JOB_STATES, type JobQueue, type JobKinds } from '../../jobs/index.js';
import type { Auth } from '../auth.js';
import { paginationSchema, validate } from '../middleware.js';
import { Problem } from '../problem.js';

export const SERVER_VERSION = '6.3.0';
export const SOFTWARE_VERSION = '0.1.0';

/** PeerTube's ServerConfig (the parts a client reads), from our configuration. */
export function buildServerConfig(config: InstanceConfig) {
  const enabledResolutions = Object.entries(config.transcoding.resolutions)
    .filter(([, on]) => on)
    .map(([k]) => Number(k.replace('p', '')));
  return {
    instance: {
      name: config.instance.name,
      shortDescription: config.instance.short_description,
      isNSFW: false,
      defaultNSFWPolicy: 'display',
      defaultClientRoute: '/videos/trending',
      customizations: { javascript: '', css: '' },
      avatars: [],
      banners: [],
    },
    serverVersion: SERVER_VERSION,
    serverCommit: `mirrortube-${SOFTWARE_VERSION}`,
    software: { name: 'mirrortube', version: SOFTWARE_VERSION },
    signup: { allowed: false, allowedForCurrentIP: false, minimumAge: 16, requiresApproval: false, requiresEmailVerification: false },
    transcoding: {
      remoteRunners: { enabled: false },
      hls: { enabled: config.transcoding.hls.enabled },
      web_videos: { enabled: config.transcoding.web_videos.enabled },
      enabledResolutions: config.transcoding.enabled ? enabledResolutions : [],
      profile: 'default',
      availableProfiles: ['default'],
    },
    live: { enabled: false, allowReplay: false, latencySetting: { enabled: false }, maxDuration: -1, maxInstanceLives: 0, maxUserLives: 0 },
    import: { videos: { http: { enabled: false }, torrent: { enabled: false } }, videoChannelSynchronization: { enabled: false }, users: { enabled: false } },
    video: {
      image: { extensions: ['.jpg', '.jpeg', '.png'], size: { max: 4 * 1024 * 1024 } },
      file: { extensions: ['.mp4', '.webm', '.ogv', '.mkv', '.mov', '.m4v', '.mp3', '.m4a', '.ogg', '.flac', '.wav'] },
    },
    videoFile: { size: { max: config.uploads.max_file_size } },
    user: { videoQuota: config.user.video_quota, videoQuotaDaily: config.user.video_quota_daily },
    trending: { videos: { intervalDays: 7, algorithms: { enabled: ['most-viewed'], default: 'most-viewed' } } },
    tracker: { enabled: config.tracker.enabled },
    followings: { instance: { autoFollowIndex: { indexUrl: '' } } },
    defaults: { publish: { downloadEnabled: true, commentsPolicy: 1, commentsEnabled: true, privacy: 1, licence: null }, p2p: { webapp: { enabled: true }, embed: { enabled: true } } },
    client: { videos: { miniature: { displayAuthorAvatar: false, preferAuthorDisplayName: false }, resumableUpload: { maxChunkSize: 0 } } },
    views: { videos: { watchingInterval: { anonymous: config.views.videos.watching_interval.anonymous, users: config.views.videos.watching_interval.users } } },
  };
}

/** GET /config, GET /server/stats, GET /jobs/:state. */
export function serverRouter<K extends JobKinds>(deps: { config: InstanceConfig; prisma: Prisma; jobs: JobQueue<K>; auth: Auth; redundancyStats?(): Promise<unknown[]> }): Router {
  const { prisma, auth } = deps;
  const router = new Router();
  const serverConfig = buildServerConfig(deps.config);

  router.get('/config', (ctx) => {
    ctx.body = serverConfig;
  });

  router.get('/server/stats', async (ctx) => {
    const instanceActor = { preferredUsername: 'peertube', host: null };
    const [followers, following] = await Promise.all([
      prisma.actorFollow.count({ where: { following: instanceActor, state: 'accepted' } }),
      prisma.actorFollow.count({ where: { follower: instanceActor, state: 'accepted' } }),
    ]);
    const [totalUsers, totalAdmins, totalModerators, totalLocalVideos, totalVideos, views, size, channels] = await Promise.all([
      prisma.user.count(),
      prisma.user.count({ where: { role: 0 } }),
      prisma.user.count({ where: { role: 1 } }),
      prisma.video.count({ where: { isLocal: true } }),
      prisma.video.count(),
      prisma.video.aggregate({ _sum: { views: true }, where: { isLocal: true } }),
      prisma.videoFile.aggregate({
        _sum: { size: true },
        where: { OR: [{ video: { isLocal: true } }, { streamingPlaylist: { video: { isLocal: true } } }] },
      }),
      prisma.videoChannel.count({ where: { actor: { host: null } } }),
    ]);
    ctx.body = {
      totalUsers,
      totalDailyActiveUsers: 0,
      totalWeeklyActiveUsers: 0,
      totalMonthlyActiveUsers: 0,
      totalAdmins,
      totalModerators,
      totalLocalVideos,
      totalLocalVideoViews: views._sum.views ?? 0,
      totalLocalVideoComments: await prisma.videoComment.count({ where: { deletedAt: null, account: { actor: { host: null } } } }),
      totalLocalVideoFilesSize: Number(size._sum.size ?? 0n),
      totalVideos,
      totalVideoComments: await prisma.videoComment.count({ where: { deletedAt: null } }),
      totalLocalVideoChannels: channels,
      totalLocalDailyActiveVideoChannels: 0,
      totalLocalWeeklyActiveVideoChannels: 0,
      totalLocalMonthlyActiveVideoChannels: 0,
      totalLocalPlaylists: 0,
      totalInstanceFollowers: followers,
      totalInstanceFollowing: following,
      videosRedundancy: (await deps.redundancyStats?.()) ?? [],
      totalActivityPubMessagesProcessed: 0,
      totalActivityPubMessagesSuccesses: 0,
      totalActivityPubMessagesErrors: 0,
      activityPubMessagesProcessedPerSecond: 0,
      totalActivityPubMessagesWaiting: 0,
    };
  });

  const jobsQuery = paginationSchema.extend({ jobType: z.string().max(100).optional() });
  router.get('/jobs/:state', auth.required, auth.right('MANAGE_JOBS'), async (ctx) => {
    const state = ctx.params.state;
    if (!(API_JOB_STATES as readonly string[]).includes(state ?? '')) {
      throw new Problem(400, `unknown job state "${state}": one of ${API_JOB_STATES.join(', ')}`);
    }
    const q = validate(jobsQuery, ctx.query, 'query');
    ctx.body = await deps.jobs.list({ state: state as (typeof API_JOB_STATES)[number], kind: q.jobType, start: q.start, count: q.count, sort: q.sort });
  });
  return router;
}
