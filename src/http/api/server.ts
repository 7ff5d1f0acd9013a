import Router from '@koa/router';
import { z } from 'zod';
import type { InstanceConfig } from '../../config/index.js';
import { API_JOB_STATES, type JobQueue, type JobKinds } from '../../jobs/index.js';
import type { Auth } from '../auth.js';
import type { ServerStatsStore } from './server-stats-store.js';
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
    live: {
      enabled: config.live.enabled,
      allowReplay: config.live.allow_replay,
      latencySetting: { enabled: config.live.latency_setting.enabled },
      maxDuration: config.live.max_duration,
      maxInstanceLives: config.live.max_instance_lives,
      maxUserLives: config.live.max_user_lives,
      transcoding: {
        enabled: config.live.transcoding.enabled,
        remoteRunners: { enabled: false },
        enabledResolutions: config.live.transcoding.enabled
          ? Object.entries(config.live.transcoding.resolutions)
              .filter(([, on]) => on)
              .map(([k]) => Number(k.replace('p', '')))
          : [],
        profile: config.live.transcoding.profile,
        availableProfiles: ['default'],
      },
      rtmp: { port: config.live.rtmp.port },
    },
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
export function serverRouter<K extends JobKinds>(deps: { config: InstanceConfig; stats: ServerStatsStore; jobs: JobQueue<K>; auth: Auth; redundancyStats?(): Promise<unknown[]>; rtmpPort?(): number | null }): Router {
  const { auth } = deps;
  const router = new Router();
  const serverConfig = buildServerConfig(deps.config);

  router.get('/config', (ctx) => {
    // the RTMP port actually listened on (live.rtmp.port may be 0)
    const rtmpPort = deps.rtmpPort?.() ?? null;
    ctx.body = rtmpPort === null ? serverConfig : { ...serverConfig, live: { ...serverConfig.live, rtmp: { port: rtmpPort } } };
  });

  router.get('/server/stats', async (ctx) => {
    const c = await deps.stats.counts();
    ctx.body = {
      totalUsers: c.totalUsers,
      totalDailyActiveUsers: 0,
      totalWeeklyActiveUsers: 0,
      totalMonthlyActiveUsers: 0,
      totalAdmins: c.totalAdmins,
      totalModerators: c.totalModerators,
      totalLocalVideos: c.totalLocalVideos,
      totalLocalVideoViews: c.totalLocalVideoViews,
      totalLocalVideoComments: c.totalLocalVideoComments,
      totalLocalVideoFilesSize: c.totalLocalVideoFilesSize,
      totalVideos: c.totalVideos,
      totalVideoComments: c.totalVideoComments,
      totalLocalVideoChannels: c.totalLocalVideoChannels,
      totalLocalDailyActiveVideoChannels: 0,
      totalLocalWeeklyActiveVideoChannels: 0,
      totalLocalMonthlyActiveVideoChannels: 0,
      totalLocalPlaylists: 0,
      totalInstanceFollowers: c.totalInstanceFollowers,
      totalInstanceFollowing: c.totalInstanceFollowing,
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
