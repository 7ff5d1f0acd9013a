/** `serializePolicy`: a `Policy` back in the config/endpoint shape (what the endpoint's GET returns). */
import { durationForConfig, secondsForConfig, sizeForConfig } from './format.js';
import type { Policy } from './types.js';

/** A `Policy` in the config/endpoint shape, with exact human-friendly sizes and durations. */
export function serializePolicy(policy: Policy): Record<string, unknown> {
  return {
    check_interval: durationForConfig(policy.checkIntervalMs),
    target_replicas: policy.targetReplicas,
    total_size: policy.totalSizeBytes === null ? null : sizeForConfig(policy.totalSizeBytes),
    strategies: policy.strategies.map((s) => ({
      strategy: s.strategy,
      size: sizeForConfig(s.sizeBytes),
      min_lifetime: durationForConfig(s.minLifetimeMs),
      ...(s.strategy === 'recently-added' ? { min_views: s.minViews } : {}),
      ...(s.priority !== 0 ? { priority: s.priority } : {}),
    })),
    hosts: policy.hosts.map((r) => {
      const inc: Record<string, unknown> = {};
      const i = r.include;
      if (i.channels) inc.channels = [...i.channels];
      if (i.accounts) inc.accounts = [...i.accounts];
      if (i.tags) inc.tags = [...i.tags];
      if (i.languages) inc.languages = [...i.languages];
      if (i.licences) inc.licences = [...i.licences];
      if (i.categories) inc.categories = [...i.categories];
      if (i.maxSizeBytes !== null) inc.max_size = sizeForConfig(i.maxSizeBytes);
      if (i.minDurationSeconds !== null) inc.min_duration = String(secondsForConfig(i.minDurationSeconds) ?? '');
      if (i.maxDurationSeconds !== null) inc.max_duration = String(secondsForConfig(i.maxDurationSeconds) ?? '');
      const exc: Record<string, unknown> = {};
      const e = r.exclude;
      for (const key of ['channels', 'accounts', 'tags', 'languages', 'licences', 'categories'] as const) {
        if (e[key].length > 0) exc[key] = [...e[key]];
      }
      return {
        host: r.host,
        priority: r.priority,
        size: sizeForConfig(r.sizeBytes),
        min_lifetime: durationForConfig(r.minLifetimeMs),
        ...(r.mirrorAll
          ? { mirror_all: true }
          : {
              strategies: r.strategies.map((s) => ({
                strategy: s.strategy,
                ...(s.strategy === 'recently-added' ? { min_views: s.minViews } : {}),
              })),
            }),
        ...(r.live === true ? { live: true } : {}),
        ...(r.liveBandwidthBytes !== undefined ? { live_bandwidth: sizeForConfig(r.liveBandwidthBytes) } : {}),
        ...(Object.keys(inc).length > 0 ? { include: inc } : {}),
        ...(Object.keys(exc).length > 0 ? { exclude: exc } : {}),
      };
    }),
  };
}
