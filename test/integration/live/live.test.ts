import { createHash } from 'node:crypto';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeFully, ffprobeJson } from '../../support/media.js';
import { waitFor } from '../../support/ports.js';
import { followAndWait } from '../../support/follow.js';
import { publishTestStream, TEST_LIVE_CONFIG } from '../../support/live.js';
import { startTestInstance, type TestInstance } from '../../support/instance.js';

/**
 * Lives end to end: ffmpeg publishes a generated stream (160x90 test pattern + tone) over RTMP to
 * the origin; its HLS (PeerTube's live layout) decodes, every segment matches the live hash list;
 * bad keys, a second publisher and garbage are refused without harm; the replay becomes a VOD; a
 * permanent live takes a second session; a following instance lists the live as live.
 */

const LIVE = { live: { ...TEST_LIVE_CONFIG, allow_replay: true, max_user_lives: 5 } };

interface LiveInfo {
  rtmpUrl?: string;
  streamKey?: string;
  saveReplay: boolean;
  permanentLive: boolean;
  latencyMode: number;
}
interface VideoView {
  id: number;
  uuid: string;
  isLive: boolean;
  state: { id: number };
  streamingPlaylists: { playlistUrl: string; segmentsSha256Url: string }[];
}

describe('lives: RTMP in, HLS out, sessions, replays', () => {
  let a: TestInstance;
  let b: TestInstance;
  const hostOf = (t: TestInstance) => new URL(t.url).host;

  beforeAll(async () => {
    [a, b] = await Promise.all([startTestInstance({ db: 'postgres', overrides: LIVE }), startTestInstance({ db: 'embedded' })]);
    await followAndWait(b, a);
  });
  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
  });

  const channelId = async () => (await a.json<{ videoChannels: { id: number }[] }>('/api/v1/users/me')).videoChannels[0]!.id;
  const createLive = async (body: Record<string, unknown>) =>
    a.api('/api/v1/videos/live', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ channelId: await channelId(), ...body }) });
  const liveOf = (id: number | string, token?: string | null) => a.json<LiveInfo>(`/api/v1/videos/live/${id}`, token === undefined ? {} : { token });
  const stateOf = async (t: TestInstance, id: string | number) => (await t.json<VideoView>(`/api/v1/videos/${id}`)).state.id;
  const waitState = (t: TestInstance, id: string | number, state: number) =>
    waitFor(`video ${id} in state ${state} on ${hostOf(t)}`, async () => ((await stateOf(t, id)) === state ? true : undefined), 90_000, 200);

  /** Every segment listed by the live's media playlists is served, immutable, and matches segments-sha256.json. */
  async function checkSegments(video: VideoView): Promise<number> {
    const playlist = video.streamingPlaylists[0]!;
    const base = playlist.playlistUrl.slice(0, playlist.playlistUrl.lastIndexOf('/') + 1);
    const master = await fetch(playlist.playlistUrl);
    expect(master.headers.get('cache-control')).toContain('no-cache');
    const variants = (await master.text()).split('\n').filter((l) => l.endsWith('.m3u8'));
    expect(variants.length).toBe(1);
    let checked = 0;
    for (const variant of variants) {
      const media = await (await fetch(base + variant)).text();
      const segments = media.split('\n').filter((l) => l.endsWith('.mp4'));
      expect(segments.length).toBeGreaterThan(0);
      // the init section the playlist names is fetchable at that (relative) URL, as a player fetches it
      const init = /#EXT-X-MAP:URI="([^"]+)"/.exec(media)?.[1];
      expect(init).toMatch(/^\d+-init-\d+\.mp4$/);
      const initAnswer = await fetch(new URL(init!, base + variant));
      expect(initAnswer.status).toBe(200);
      await initAnswer.arrayBuffer();
      // the hash list is written when a segment lands, before the playlist lists it (bounded wait for the race)
      const hashes = await waitFor('every listed segment in the hash list', async () => {
        const list = (await (await fetch(playlist.segmentsSha256Url)).json()) as Record<string, string>;
        return segments.every((s) => typeof list[s] === 'string') ? list : undefined;
      }, 10_000);
      for (const segment of segments) {
        const res = await fetch(base + segment);
        expect(res.status).toBe(200);
        expect(res.headers.get('cache-control')).toContain('immutable');
        expect(createHash('sha256').update(Buffer.from(await res.arrayBuffer())).digest('hex')).toBe(hashes[segment]);
        checked++;
      }
    }
    return checked;
  }

  it('advertises live in /api/v1/config with the RTMP port listened on', async () => {
    const config = await a.json<{ live: { enabled: boolean; allowReplay: boolean; rtmp: { port: number }; maxUserLives: number } }>('/api/v1/config');
    expect(config.live.enabled).toBe(true);
    expect(config.live.allowReplay).toBe(true);
    expect(config.live.maxUserLives).toBe(5);
    expect(config.live.rtmp.port).toBe(a.instance.live.rtmpPort());
    expect(config.live.rtmp.port).toBeGreaterThan(0);
    const other = await b.json<{ live: { enabled: boolean } }>('/api/v1/config');
    expect(other.live.enabled).toBe(false);
    // a live on an instance without lives is refused with PeerTube's code
    const refused = await b.api('/api/v1/videos/live', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ channelId: 1, name: 'no lives here' }) });
    expect(refused.status).toBe(403);
    expect(((await refused.json()) as { code: string }).code).toBe('live_not_enabled');
  });

  it('publishes a normal live with a replay: HLS decodes, hashes match, bad key, second publisher and garbage are refused, the replay is a VOD', async () => {
    const created = await createLive({ name: 'a live with replay', saveReplay: true, latencyMode: 3, privacy: 1 });
    expect(created.status).toBe(200);
    const { video } = (await created.json()) as { video: { id: number; uuid: string; shortUUID: string } };
    expect(video.shortUUID).toBeTruthy();
    expect(await stateOf(a, video.uuid)).toBe(4);

    const owner = await liveOf(video.id);
    expect(owner.rtmpUrl).toBe(`rtmp://127.0.0.1:${a.instance.live.rtmpPort()}/live`);
    expect(owner.streamKey).toMatch(/^[0-9a-f-]{36}$/);
    expect(owner).toMatchObject({ saveReplay: true, permanentLive: false, latencyMode: 3 });
    const anonymous = await liveOf(video.id, null);
    expect(anonymous.streamKey).toBeUndefined();
    expect(anonymous.rtmpUrl).toBeUndefined();

    // a bad key is refused (the publisher fails), nothing is created
    expect(await publishTestStream(`${owner.rtmpUrl}/not-a-key`, 2).done).not.toBe(0);
    // garbage on the RTMP port: that connection is closed, the server stays up
    await new Promise<void>((resolve) => {
      const socket = connect(a.instance.live.rtmpPort()!, '127.0.0.1', () => socket.end(Buffer.concat([Buffer.from([3]), Buffer.alloc(1536 * 2, 0xab), Buffer.from('garbage')])));
      socket.resume();
      socket.on('error', () => resolve());
      socket.on('close', () => resolve());
    });

    const publisher = publishTestStream(`${owner.rtmpUrl}/${owner.streamKey}`, 7);
    await waitState(a, video.uuid, 1);
    // a second publisher on a running key is refused while the first goes on
    expect(await publishTestStream(`${owner.rtmpUrl}/${owner.streamKey}`, 2).done).not.toBe(0);
    // the follower lists it as live (Update sent on the state change)
    await waitFor('the live listed as live on B', async () => {
      const list = await b.json<{ data: VideoView[] }>('/api/v1/videos?isLocal=false');
      const found = list.data.find((v) => v.uuid === video.uuid);
      return found?.isLive && found.state.id === 1 ? true : undefined;
    }, 60_000);

    const live = await waitFor('the live playlist', async () => {
      const v = await a.json<VideoView>(`/api/v1/videos/${video.uuid}`);
      const res = await fetch(v.streamingPlaylists[0]?.playlistUrl ?? 'http://127.0.0.1:1/');
      return res.ok ? v : undefined;
    }, 60_000);
    expect(live.isLive).toBe(true);
    // the follower plays it from the origin: its copy of the video points at the origin's live playlist
    const onB = await b.json<VideoView>(`/api/v1/videos/${video.uuid}`);
    expect(onB.isLive).toBe(true);
    expect(onB.streamingPlaylists[0]?.playlistUrl).toBe(live.streamingPlaylists[0]!.playlistUrl);
    const probed = await ffprobeJson(live.streamingPlaylists[0]!.playlistUrl);
    expect(probed.streams.some((s) => s.codec_type === 'video' && s.height === 90)).toBe(true);
    expect(probed.streams.some((s) => s.codec_type === 'audio')).toBe(true);
    expect(await checkSegments(live)).toBeGreaterThan(0);

    expect(await publisher.done).toBe(0);
    await waitState(a, video.uuid, 5);
    // the ended live's HLS still decodes whole, every segment still matches
    await decodeFully(live.streamingPlaylists[0]!.playlistUrl);
    expect(await checkSegments(live)).toBeGreaterThan(1);
    await waitFor('the end on B', async () => ((await stateOf(b, video.uuid)) === 5 ? true : undefined), 60_000);
    // an ended normal live takes no new session
    expect(await publishTestStream(`${owner.rtmpUrl}/${owner.streamKey}`, 2).done).not.toBe(0);

    const sessions = await waitFor('the replay', async () => {
      const s = await a.json<{ total: number; data: { endDate: string | null; replayVideo: { uuid: string } | null; saveReplay: boolean }[] }>(`/api/v1/videos/live/${video.id}/sessions`);
      return s.data[0]?.replayVideo ? s : undefined;
    }, 60_000);
    expect(sessions.total).toBe(1);
    expect(sessions.data[0]!.endDate).not.toBeNull();
    const replayUuid = sessions.data[0]!.replayVideo!.uuid;
    const replay = (await a.waitForPublished(replayUuid)) as unknown as VideoView;
    expect(replay.isLive).toBe(false);
    const replayProbe = await ffprobeJson(replay.streamingPlaylists[0]!.playlistUrl);
    expect(Number(replayProbe.format.duration)).toBeGreaterThan(3);
    await decodeFully(replay.streamingPlaylists[0]!.playlistUrl);
    const session = await a.json<{ id: number; replayVideo: { uuid: string } }>(`/api/v1/videos/${replayUuid}/live-session`);
    expect(session.replayVideo.uuid).toBe(replayUuid);

    // what the metrics saw: the refusals by reason, one session ended cleanly, segments produced, the ended live
    const scrape = await (await a.api('/metrics', { token: null })).text();
    const metric = (line: string) => Number(new RegExp(`^${line.replace(/[{}]/g, '\\$&')} (\\S+)$`, 'm').exec(scrape)?.[1] ?? NaN);
    expect(metric('mirrortube_live_publish_refused_total{reason="unknown-key"}')).toBe(1);
    expect(metric('mirrortube_live_publish_refused_total{reason="already-live"}')).toBe(2);
    expect(metric('mirrortube_live_sessions_total{outcome="ok"}')).toBe(1);
    expect(metric('mirrortube_live_segments_total')).toBeGreaterThan(1);
    expect(metric('mirrortube_lives{state="ended"}')).toBe(1);
    expect(metric('mirrortube_live_publishers')).toBe(0);
  });

  it('a permanent live takes a second session on the same URL and makes a replay of each', async () => {
    const created = await createLive({ name: 'a permanent live', saveReplay: true, permanentLive: true, latencyMode: 3 });
    expect(created.status).toBe(200);
    const { video } = (await created.json()) as { video: { id: number; uuid: string } };
    const { rtmpUrl, streamKey } = await liveOf(video.id);
    for (let round = 1; round <= 2; round++) {
      expect(await publishTestStream(`${rtmpUrl}/${streamKey}`, 4).done).toBe(0);
      // back to waiting for its streamer (state 4), the session closed
      await waitFor(`session ${round} closed`, async () => {
        const s = await a.json<{ total: number; data: { endDate: string | null }[] }>(`/api/v1/videos/live/${video.id}/sessions`);
        return s.total === round && s.data.every((x) => x.endDate !== null) ? true : undefined;
      }, 60_000);
      await waitState(a, video.uuid, 4);
    }
    const sessions = await waitFor('two replays', async () => {
      const s = await a.json<{ data: { replayVideo: { uuid: string } | null }[] }>(`/api/v1/videos/live/${video.id}/sessions`);
      return s.data.length === 2 && s.data.every((x) => x.replayVideo) ? s : undefined;
    }, 60_000);
    const replays = sessions.data.map((s) => s.replayVideo!.uuid);
    expect(new Set(replays).size).toBe(2);
    for (const uuid of replays) await a.waitForPublished(uuid);
  });
});
