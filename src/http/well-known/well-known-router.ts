import Router from '@koa/router';
import { INSTANCE_ACTOR_NAME } from '../../accounts/index.js';
import type { InstanceConfig } from '../../config/index.js';
import type { LocalActorQueries, NodeUsage } from '../../federation/local/index.js';
import type { Clock } from '../../lib/clock.js';
import type { InstanceUrls } from '../../lib/instance-urls.js';
import { Problem } from '../problem.js';
import { buildHostMeta } from './host-meta.js';
import { buildNodeinfo, buildNodeinfoLinks, NODEINFO_VERSIONS, nodeinfoSchemaUrl, type NodeinfoVersion, type RedundancySummary } from './nodeinfo.js';
import { buildWebfinger, parseWebfingerResource } from './webfinger.js';

export interface WellKnownDeps {
  /** our actors, by name or URL (webfinger) */
  actors: Pick<LocalActorQueries, 'findByPreferredUsername' | 'findByUrl'>;
  /** NodeInfo's usage figures at a time */
  usage(now: Date): Promise<NodeUsage>;
  urls: InstanceUrls;
  clock: Clock;
  config: InstanceConfig;
  /** our software version (NodeInfo) */
  version: string;
  /** read per request: the policy can change at run time */
  redundancy(): RedundancySummary;
}

/** webfinger, NodeInfo (2.0 and 2.1) and host-meta, as PeerTube serves them; readable from any origin. */
export function wellKnownRouter(deps: WellKnownDeps): Router {
  const { actors, urls } = deps;
  const router = new Router();
  const cors = (ctx: { set(name: string, value: string): void }) => ctx.set('Access-Control-Allow-Origin', '*');

  router.get('/.well-known/webfinger', async (ctx) => {
    cors(ctx);
    const parsed = parseWebfingerResource(ctx.query.resource, urls);
    if (!parsed.ok) {
      const r = parsed.reason;
      throw new Problem(400, r.type === 'other-host' ? `${r.host} is not this instance (${urls.host})` : r.type === 'missing-resource' ? 'the resource parameter is required' : 'resource must be acct:name@host or an actor URL');
    }
    const resource = parsed.value;
    const actor = resource.kind === 'name' ? await actors.findByPreferredUsername(resource.name) : await actors.findByUrl(resource.url);
    if (!actor) throw new Problem(404, 'Actor not found');
    const subject = resource.kind === 'name' ? String(ctx.query.resource) : `acct:${actor.row.preferredUsername}@${urls.host}`;
    ctx.body = buildWebfinger(subject, actor, urls);
  });

  router.get('/.well-known/nodeinfo', (ctx) => {
    cors(ctx);
    ctx.set('Cache-Control', 'max-age=600');
    ctx.body = buildNodeinfoLinks(urls.base, urls.account(INSTANCE_ACTOR_NAME));
  });

  router.get('/nodeinfo/:file', async (ctx) => {
    cors(ctx);
    const version = /^(\d\.\d)\.json$/.exec(ctx.params.file ?? '')?.[1];
    if (!version || !(NODEINFO_VERSIONS as readonly string[]).includes(version)) throw new Problem(404, 'Nodeinfo schema version not handled');
    const usage = await deps.usage(deps.clock.now());
    ctx.type = `application/json; profile="${nodeinfoSchemaUrl(version as NodeinfoVersion)}#"`;
    ctx.body = JSON.stringify(buildNodeinfo({ version: version as NodeinfoVersion, softwareVersion: deps.version, config: deps.config, usage, redundancy: deps.redundancy() }));
  });

  router.get('/.well-known/host-meta', (ctx) => {
    cors(ctx);
    ctx.type = 'application/xml; charset=utf-8';
    ctx.body = buildHostMeta(urls.base);
  });
  return router;
}
