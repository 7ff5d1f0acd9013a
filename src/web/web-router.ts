import Router from '@koa/router';
import type Koa from 'koa';
import type { InstanceUrls } from '../lib/instance-urls.js';
import type { Logger } from '../lib/logger.js';
import { VideoPrivacy } from '../videos/constants.js';
import { toShortUuid } from '../videos/short-uuid.js';
import type { VideoDetails, VideoQueries, VideoSummary } from '../videos/video-queries.js';
import { buildVideoOEmbed, parseOEmbedRequest } from './oembed.js';
import {
  aboutBody,
  actorBody,
  flagOption,
  handleOf,
  homeBody,
  loginBody,
  notFoundBody,
  parseTimeOption,
  playerElement,
  searchBody,
  uploadBody,
  watchBody,
  type ActorCard,
  type ListFilter,
  type ListSort,
  type PlayerOptions,
} from './pages/pages.js';
import { videoTags } from './pages/video-tags.js';
import type { ClientBundles } from './client-bundles.js';
import { html, type SafeHtml } from './shell/html.js';
import { renderPage, type PageInput } from './shell/page.js';

/** What the pages read of accounts and channels (the account service fits). */
export interface ActorLookup {
  findAccountByName(name: string): Promise<(ActorCard & { id: number }) | null>;
  findChannel(name: string): Promise<(ActorCard & { id: number }) | null>;
}

export interface WebDeps {
  queries: VideoQueries;
  actors: ActorLookup;
  urls: InstanceUrls;
  instance: { name: string; short_description: string; description: string };
  version: string;
  bundles: ClientBundles;
  logger: Logger;
}

const PAGE_SIZE = 24;

/** PeerTube: private and internal videos have no public page (their files are in the private folders). */
const hasPublicPage = (v: { privacy: number }) => v.privacy === VideoPrivacy.PUBLIC || v.privacy === VideoPrivacy.UNLISTED;

/**
 * The viewer pages at PeerTube's URLs, server-rendered (readable without JavaScript except the
 * player), the oEmbed service and the client bundles. Mounted after the ActivityPub GETs, which
 * answer the same URLs when an ActivityPub client asks.
 */
export function webRouter(deps: WebDeps): Router {
  const { queries, urls } = deps;
  const router = new Router();
  // pages for browsers: a client that accepts no HTML (an ActivityPub or JSON client) gets the API's 404
  router.use(async (ctx, next) => {
    if (ctx.path.startsWith('/client/') || ctx.path === '/services/oembed' || ctx.accepts('html')) return next();
  });

  const send = (ctx: Koa.Context, page: Omit<PageInput, 'instanceName'>, options: { status?: number; frameable?: boolean } = {}) => {
    ctx.status = options.status ?? 200;
    ctx.type = 'text/html; charset=utf-8';
    // every page but the embed refuses to be framed (PeerTube's frameguard)
    if (!options.frameable) ctx.set('X-Frame-Options', 'DENY');
    ctx.set('Cache-Control', 'no-cache');
    // the same URLs answer ActivityPub clients with JSON
    ctx.vary('Accept');
    ctx.body = renderPage({ instanceName: deps.instance.name, ...page });
  };
  const notFound = (ctx: Koa.Context, what: string) => send(ctx, { title: `${what} not found`, body: notFoundBody(what) }, { status: 404 });

  const pageNumber = (v: unknown) => (typeof v === 'string' && /^\d{1,4}$/.test(v) && Number(v) >= 1 ? Number(v) : 1);

  async function home(ctx: Koa.Context, defaults: { filter?: ListFilter; sort?: ListSort } = {}) {
    const filter: ListFilter = ctx.query.filter === 'local' || ctx.query.filter === 'remote' ? ctx.query.filter : (defaults.filter ?? 'all');
    const sort: ListSort = ctx.query.sort === 'trending' ? 'trending' : (defaults.sort ?? 'recent');
    const page = pageNumber(ctx.query.page);
    const result = await queries.list({
      start: (page - 1) * PAGE_SIZE,
      count: PAGE_SIZE,
      sort: sort === 'trending' ? '-trending' : '-publishedAt',
      isLocal: filter === 'all' ? undefined : filter === 'local',
    });
    send(ctx, {
      title: filter === 'local' ? 'Local videos' : sort === 'trending' ? 'Trending' : 'Home',
      current: filter === 'local' ? '/videos/local' : '/',
      head: html`<meta name="description" content="${deps.instance.short_description}">`,
      body: homeBody({ videos: result.data, total: result.total, filter, sort, page, pageSize: PAGE_SIZE, path: ctx.path }),
    });
  }

  router.get('/', (ctx) => home(ctx));
  router.get('/videos/local', (ctx) => home(ctx, { filter: 'local' }));
  router.get('/videos/trending', (ctx) => home(ctx, { sort: 'trending' }));
  router.get('/videos/recently-added', (ctx) => home(ctx));
  router.get('/videos/browse', (ctx) => home(ctx, { filter: ctx.query.scope === 'local' ? 'local' : 'all', sort: ctx.query.sort === '-trending' ? 'trending' : 'recent' }));

  async function loadVideo(ref: string): Promise<VideoDetails | null> {
    const video = await queries.findByRef(ref);
    return video && hasPublicPage(video) ? video : null;
  }

  const tagInput = (v: VideoSummary) => ({
    base: urls.base,
    siteName: deps.instance.name,
    name: v.name,
    description: v.description,
    watchPath: `/w/${toShortUuid(v.uuid)}`,
    embedPath: `/videos/embed/${v.uuid}`,
    previewPath: v.previewFilename ? `/lazy-static/previews/${v.previewFilename}` : v.thumbnailFilename ? `/lazy-static/thumbnails/${v.thumbnailFilename}` : null,
    createdAt: v.createdAt,
    duration: v.duration,
    views: v.views,
    noIndex: !v.isLocal || v.privacy !== VideoPrivacy.PUBLIC,
  });

  const playerOptions = (ctx: Koa.Context, v: VideoSummary): PlayerOptions => ({
    uuid: v.uuid,
    title: v.name,
    autoplay: flagOption(ctx.query.autoplay, false),
    muted: flagOption(ctx.query.muted, false),
    start: parseTimeOption(ctx.query.start) ?? parseTimeOption(ctx.query.t),
    p2p: flagOption(ctx.query.p2p, true),
    posterPath: tagInput(v).previewPath,
    ...(ctx.query.mode === 'web-video' || ctx.query.mode === 'p2p-media-loader' ? { mode: ctx.query.mode as PlayerOptions['mode'] } : {}),
  });

  for (const path of ['/videos/watch/:id', '/w/:id']) {
    router.get(path, async (ctx) => {
      const video = await loadVideo(ctx.params.id ?? '');
      if (!video) return notFound(ctx, 'Video');
      const channel = video.channel;
      send(ctx, {
        title: video.name,
        head: videoTags(tagInput(video), { og: true, twitter: true }),
        body: watchBody({
          player: playerOptions(ctx, video),
          name: video.name,
          description: video.description,
          views: video.views,
          publishedAt: video.publishedAt,
          isLocal: video.isLocal,
          url: video.url,
          tags: video.tags,
          embedPath: `${urls.base}/videos/embed/${video.uuid}`,
          channel: { handle: handleOf(channel.name, channel.actor.host), displayName: channel.displayName },
          account: { handle: handleOf(channel.account.name, channel.account.actor.host), displayName: channel.account.displayName },
        }),
      });
    });
  }

  router.get('/videos/embed/:id', async (ctx) => {
    const video = await loadVideo(ctx.params.id ?? '');
    if (!video) return send(ctx, { title: 'Video not found', bare: true, body: notFoundBody('Video') }, { status: 404, frameable: true });
    send(
      ctx,
      { title: video.name, bare: true, head: videoTags(tagInput(video), { og: false, twitter: false }), body: playerElement(playerOptions(ctx, video)) },
      { frameable: true },
    );
  });

  async function actorPage(ctx: Koa.Context, kind: 'channel' | 'account', handle: string) {
    const actor = kind === 'channel' ? await deps.actors.findChannel(handle) : await deps.actors.findAccountByName(handle);
    if (!actor) return notFound(ctx, kind === 'channel' ? 'Channel' : 'Account');
    const result = await queries.list({ start: 0, count: PAGE_SIZE, sort: '-publishedAt', ...(kind === 'channel' ? { channelId: actor.id } : { accountId: actor.id }) });
    send(ctx, {
      title: actor.displayName,
      head: html`<meta property="og:type" content="website"><meta property="og:title" content="${actor.displayName}"><meta property="og:url" content="${actor.actor.url}">`,
      body: actorBody({ kind, actor, videos: result.data, total: result.total }),
    });
  }

  const handleParam = (ctx: Koa.Context) => decodeURIComponent(ctx.params.name ?? '').replace(/^@/, '');
  for (const sub of ['', '/videos']) {
    router.get(`/c/:name${sub}`, (ctx) => actorPage(ctx, 'channel', handleParam(ctx)));
    router.get(`/a/:name${sub}`, (ctx) => actorPage(ctx, 'account', handleParam(ctx)));
  }
  router.get('/a/:name/video-channels', (ctx) => actorPage(ctx, 'account', handleParam(ctx)));
  // PeerTube's actor URLs, opened in a browser (the ActivityPub GETs fall through for HTML)
  router.get('/accounts/:name', (ctx) => ctx.redirect(`/a/${encodeURIComponent(handleParam(ctx))}`));
  router.get('/video-channels/:name', (ctx) => ctx.redirect(`/c/${encodeURIComponent(handleParam(ctx))}`));
  // `/@name` and `/@name@host`: an account, else a channel
  router.get(/^\/@([^/]+)$/, async (ctx) => {
    const handle = decodeURIComponent(/^\/@([^/]+)$/.exec(ctx.path)![1]!);
    if (await deps.actors.findAccountByName(handle)) return actorPage(ctx, 'account', handle);
    return actorPage(ctx, 'channel', handle);
  });

  router.get('/search', async (ctx) => {
    const search = typeof ctx.query.search === 'string' ? ctx.query.search.slice(0, 200).trim() : '';
    const result = search ? await queries.list({ start: 0, count: PAGE_SIZE, search }) : { total: 0, data: [] };
    send(ctx, { title: search ? `Search: ${search}` : 'Search', current: '/search', body: searchBody({ search, videos: result.data, total: result.total }) });
  });

  const about = async (ctx: Koa.Context) => {
    const local = await queries.list({ start: 0, count: 0, isLocal: true });
    send(ctx, {
      title: 'About',
      current: '/about',
      head: html`<meta name="description" content="${deps.instance.short_description}">`,
      body: aboutBody({ name: deps.instance.name, shortDescription: deps.instance.short_description, description: deps.instance.description, host: urls.host, version: deps.version, videos: local.total }),
    });
  };
  router.get('/about', about);
  router.get('/about/instance', about);

  router.get('/login', (ctx) => send(ctx, { title: 'Log in', current: '/login', body: loginBody() }));
  router.get('/videos/upload', (ctx) => send(ctx, { title: 'Upload', current: '/videos/upload', body: uploadBody([]) }));

  router.get('/services/oembed', async (ctx) => {
    ctx.set('Access-Control-Allow-Origin', '*');
    const parsed = parseOEmbedRequest(ctx.query as Record<string, unknown>, urls.host);
    if (!parsed.ok) {
      ctx.status = parsed.status;
      ctx.type = 'application/problem+json';
      ctx.body = { type: 'about:blank', title: parsed.status === 400 ? 'Bad Request' : 'Not Implemented', status: parsed.status, detail: parsed.message };
      return;
    }
    const video = await queries.findByRef(parsed.videoRef);
    if (!video || !hasPublicPage(video)) {
      ctx.status = video ? 403 : 404;
      ctx.type = 'application/problem+json';
      ctx.body = { type: 'about:blank', title: video ? 'Forbidden' : 'Not Found', status: ctx.status, detail: video ? 'Video is not publicly available' : 'Video not found' };
      return;
    }
    const t = tagInput(video);
    ctx.body = buildVideoOEmbed({
      base: urls.base,
      title: video.name,
      embedPath: t.embedPath,
      playerQuery: parsed.playerQuery,
      previewPath: t.previewPath,
      channel: { name: video.channel.name, url: video.channel.actor.url },
      maxWidth: parsed.maxWidth,
      maxHeight: parsed.maxHeight,
    });
  });

  router.get('/client/:file', async (ctx) => {
    const name = ctx.params.file;
    if (name !== 'player.js' && name !== 'pages.js') return;
    const built = await deps.bundles.ensure();
    if (!built.ok) {
      deps.logger.error({ component: 'web', reason: built.message }, 'the client bundle could not be built');
      ctx.status = 503;
      ctx.type = 'application/problem+json';
      ctx.body = { type: 'about:blank', title: 'Service Unavailable', status: 503, detail: `the player could not be built: ${built.message}` };
      return;
    }
    ctx.type = 'application/javascript; charset=utf-8';
    // revalidated on each page (a new build answers at once), 304 while unchanged
    ctx.set('Cache-Control', 'no-cache');
    ctx.set('ETag', built.etags[name]);
    ctx.status = 200;
    if (ctx.fresh) {
      ctx.status = 304;
      return;
    }
    ctx.body = built.files[name];
  });

  return router;
}

export type { SafeHtml };
