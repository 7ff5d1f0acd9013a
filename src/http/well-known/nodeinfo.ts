import type { InstanceConfig } from '../../config/index.js';
import type { NodeUsage } from '../../federation/local/index.js';

export const NODEINFO_VERSIONS = ['2.0', '2.1'] as const;
export type NodeinfoVersion = (typeof NODEINFO_VERSIONS)[number];

/** Our redundancy settings as published in NodeInfo metadata (a summary, from the caller). */
export interface RedundancySummary {
  strategies: unknown[];
  acceptFrom: string;
}

export const nodeinfoSchemaUrl = (version: NodeinfoVersion) => `http://nodeinfo.diaspora.software/ns/schema/${version}`;

/** `/.well-known/nodeinfo`: links to both schema versions and, as PeerTube, to the instance actor. */
export function buildNodeinfoLinks(base: string, instanceActorUrl: string) {
  return {
    links: [
      ...NODEINFO_VERSIONS.map((v) => ({ rel: nodeinfoSchemaUrl(v), href: `${base}/nodeinfo/${v}.json` })),
      { rel: 'https://www.w3.org/ns/activitystreams#Application', href: instanceActorUrl },
    ],
  };
}

/** A NodeInfo 2.0 or 2.1 document in PeerTube's layout (nodeinfo-2.0-9000.json), with our software and settings. */
export function buildNodeinfo(input: { version: NodeinfoVersion; softwareVersion: string; config: InstanceConfig; usage: NodeUsage; redundancy: RedundancySummary }) {
  const { config } = input;
  const resolutions = Object.entries(config.transcoding.resolutions)
    .filter(([, enabled]) => enabled)
    .map(([key]) => Number.parseInt(key, 10));
  return {
    version: input.version,
    software: { name: 'mirrortube', version: input.softwareVersion },
    protocols: ['activitypub'],
    services: { inbound: [] as string[], outbound: [] as string[] },
    openRegistrations: false,
    usage: input.usage,
    metadata: {
      taxonomy: { postsName: 'Videos' },
      nodeName: config.instance.name,
      nodeDescription: config.instance.short_description,
      nodeConfig: {
        transcoding: {
          hls: { enabled: config.transcoding.hls.enabled },
          web_videos: { enabled: config.transcoding.web_videos.enabled },
          enabledResolutions: config.transcoding.enabled ? resolutions : [],
        },
        user: { videoQuota: config.user.video_quota, videoQuotaDaily: config.user.video_quota_daily },
        tracker: { enabled: config.tracker.enabled },
      },
      redundancy: { strategies: input.redundancy.strategies, acceptFrom: input.redundancy.acceptFrom },
    },
  };
}
