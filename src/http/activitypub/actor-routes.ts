import type Router from '@koa/router';
import type Koa from 'koa';
import type { LocalActor, LocalDocuments } from '../../federation/local/index.js';
import type { InstanceUrls } from '../../lib/instance-urls.js';
import { Problem } from '../problem.js';
import { negotiateActivityJson, sendActivityJson } from './activity-json.js';
import { readOutboxPage, readPage } from './collection-query.js';

/** `name`, or `name@<our host>`; a handle of another host names no local actor. */
function localName(param: string | undefined, urls: InstanceUrls): string | null {
  if (!param) return null;
  const [name, host, ...rest] = param.split('@');
  if (rest.length > 0 || !name) return null;
  if (host !== undefined && host.toLowerCase() !== urls.host.toLowerCase()) return null;
  return name;
}

/** GET of accounts (Person, or the Application `peertube`) and channels (Group), with their collections. */
export function addActorRoutes(router: Router, deps: { documents: LocalDocuments; urls: InstanceUrls }): void {
  const { documents, urls } = deps;

  for (const prefix of ['accounts', 'video-channels'] as const) {
    const load = async (ctx: Koa.Context): Promise<LocalActor> => {
      const name = localName(ctx.params.name, urls);
      const actor = name ? await documents.actors.findByName(name, prefix) : null;
      if (!actor) throw new Problem(404, prefix === 'accounts' ? 'Account not found' : 'Video channel not found');
      return actor;
    };

    router.get(`/${prefix}/:name`, async (ctx, next) => {
      if (!negotiateActivityJson(ctx)) return next();
      sendActivityJson(ctx, documents.actorDocument(await load(ctx)));
    });
    router.get(`/${prefix}/:name/outbox`, async (ctx) => {
      const request = readOutboxPage(ctx.query);
      sendActivityJson(ctx, await documents.outbox(await load(ctx), request));
    });
    router.get(`/${prefix}/:name/followers`, async (ctx) => {
      const request = readPage(ctx.query);
      sendActivityJson(ctx, await documents.followers(await load(ctx), request));
    });
    router.get(`/${prefix}/:name/following`, async (ctx) => {
      const request = readPage(ctx.query);
      sendActivityJson(ctx, await documents.following(await load(ctx), request));
    });
    router.get(`/${prefix}/:name/playlists`, async (ctx) => {
      const request = readPage(ctx.query);
      sendActivityJson(ctx, await documents.playlists(await load(ctx), request));
    });
  }
}
