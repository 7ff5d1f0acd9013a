import { describe, expect, it } from 'vitest';
import { PermanentJobError } from '../../../src/jobs/index.js';
import { remoteVideo, uuidOf } from '../../support/fakes/catalogue-store.js';
import { cacheFileOf, engineHarness, MIRROR_BASE, START } from './engine-harness.js';
import { HOUR } from './planner-fixtures.js';

const ORIGIN_INBOX = 'https://origin.example/inbox';

describe('the redundancy engine, without a database', () => {
  it('a plan adds a copy; its mirror job copies it, commits it active and sends Create CacheFile to the origin in the same transaction', async () => {
    const t = engineHarness();
    t.catalogue.add(remoteVideo(7));
    const plan = await t.engine.tick();
    expect(plan.decisions.map((d) => [d.type, d.videoId])).toEqual([['add', 7]]);
    const [planned] = t.copies.rows();
    expect(planned).toMatchObject({ videoId: 7, state: 'planned', strategy: 'most-views', url: `${MIRROR_BASE}/redundancy/streaming-playlists/hls/${uuidOf(7)}`, fileUrl: `${MIRROR_BASE}/static/redundancy/hls/${uuidOf(7)}` });
    expect(planned!.expiresOn?.getTime()).toBe(START + 24 * HOUR);
    expect(t.queued).toEqual([{ redundancyId: planned!.id, refresh: false }]);
    expect(t.sender.sent()).toEqual([]);

    const transactionsBefore = t.transactor.transactions();
    await expect(t.runQueued()).resolves.toEqual([{ type: 'completed', result: { bytes: 2_000_000 } }]);
    const row = t.copies.row(planned!.id)!;
    expect(row).toMatchObject({ state: 'active', sizeBytes: 2_000_000, failures: 0 });
    expect(row.sourceFileSet).toMatch(/^[0-9a-f]{64}$/);
    expect(t.mirror.onDisk(uuidOf(7))).toBe(true);
    expect(t.transactor.transactions()).toBe(transactionsBefore + 1);

    const [create] = t.sender.sent();
    expect(t.sender.kinds()).toEqual(['Create CacheFile']);
    expect(create).toMatchObject({ signerActorId: 1, inboxes: [ORIGIN_INBOX], inTransaction: true });
    expect(create!.activity).toMatchObject({ type: 'Create', actor: `${MIRROR_BASE}/accounts/peertube` });
    // one Create id per copy row
    expect(create!.activity.id).toMatch(new RegExp(`^${MIRROR_BASE}/redundancy/streaming-playlists/hls/${uuidOf(7)}.*/${planned!.id}$`));
    const cacheFile = cacheFileOf(create!.activity);
    expect(cacheFile).toMatchObject({ id: planned!.url, object: remoteVideo(7).url, expires: new Date(START + 24 * HOUR).toISOString() });
    expect(JSON.stringify(cacheFile.url)).toContain(`${MIRROR_BASE}/static/redundancy/hls/${uuidOf(7)}`);
    expect(create!.activity.to).toEqual(['https://origin.example/accounts/alice']);
    expect(t.copiesChanged()).toBe(1);

    // the next round has nothing to do: the copy is kept
    expect((await t.engine.tick()).decisions).toEqual([]);
    expect(t.queued).toEqual([]);
  });

  it('renews a copy inside its renewal window with Update CacheFile carrying the new expiry', async () => {
    const t = engineHarness();
    t.catalogue.add(remoteVideo(7));
    await t.engine.tick();
    await t.runQueued();
    const id = t.copies.rows()[0]!.id;

    t.advance(10 * HOUR); // 14 hours left of 24: outside the window (the last 12 hours)
    expect((await t.engine.tick()).decisions).toEqual([]);
    t.advance(3 * HOUR); // 11 hours left: renewed to now + 24 hours
    const plan = await t.engine.tick();
    expect(plan.decisions.map((d) => d.type)).toEqual(['renew']);
    const newExpiry = START + 13 * HOUR + 24 * HOUR;
    expect(t.copies.row(id)!.expiresOn?.getTime()).toBe(newExpiry);
    expect(t.copies.row(id)!.state).toBe('active');
    expect(t.sender.kinds()).toEqual(['Create CacheFile', 'Update CacheFile']);
    const update = t.sender.sent()[1]!;
    expect(update).toMatchObject({ inboxes: [ORIGIN_INBOX], inTransaction: true });
    expect(cacheFileOf(update.activity).expires).toBe(new Date(newExpiry).toISOString());
    expect(t.queued).toEqual([]);
  });

  it('evicts a copy whose host is no longer allowed: Undo CacheFile with the row, then the files', async () => {
    const t = engineHarness();
    t.catalogue.add(remoteVideo(7));
    await t.engine.tick();
    await t.runQueued();
    const id = t.copies.rows()[0]!.id;
    const changedBefore = t.copiesChanged();

    t.catalogue.setAllowedHosts([]);
    await t.engine.hostPolicyChanged();
    expect(t.copies.rows()).toEqual([]);
    expect(t.sender.kinds()).toEqual(['Create CacheFile', 'Undo Create']);
    const undo = t.sender.sent()[1]!;
    expect(undo).toMatchObject({ inboxes: [ORIGIN_INBOX], inTransaction: true });
    expect((undo.activity.object as { id: string }).id).toBe((t.sender.sent()[0]!.activity as { id: string }).id);
    expect(cacheFileOf(undo.activity).id).toBe(`${MIRROR_BASE}/redundancy/streaming-playlists/hls/${uuidOf(7)}`);
    // Undo first (with the row), then the seeder told, then the files removed
    expect(t.mirror.calls().slice(-1)).toEqual([`remove ${uuidOf(7)}`]);
    expect(t.mirror.onDisk(uuidOf(7))).toBe(false);
    expect(t.copiesChanged()).toBe(changedBefore + 1);
    expect(t.cancelled).toEqual([]);
    expect(t.copies.row(id)).toBeUndefined();
  });

  it('keeps an evicted copy withdrawn for the grace period, then deletes its files', async () => {
    const t = engineHarness({ evictionGraceMs: 2 * HOUR });
    t.catalogue.add(remoteVideo(7));
    await t.engine.tick();
    await t.runQueued();
    const id = t.copies.rows()[0]!.id;

    t.catalogue.setAllowedHosts([]);
    await t.engine.tick();
    expect(t.copies.row(id)).toMatchObject({ state: 'grace', graceUntil: new Date(t.now() + 2 * HOUR) });
    expect(t.sender.kinds()).toEqual(['Create CacheFile', 'Undo Create']);
    expect(t.mirror.onDisk(uuidOf(7))).toBe(true);

    t.advance(3 * HOUR);
    await t.engine.tick();
    expect(t.copies.rows()).toEqual([]);
    expect(t.mirror.onDisk(uuidOf(7))).toBe(false);
    expect(t.sender.kinds()).toEqual(['Create CacheFile', 'Undo Create']);
  });

  it('a copy planned again during its grace is a new row whose files are verified in place, not downloaded', async () => {
    const t = engineHarness({ evictionGraceMs: 2 * HOUR });
    t.catalogue.add(remoteVideo(7));
    await t.engine.tick();
    await t.runQueued();
    t.catalogue.setAllowedHosts([]);
    await t.engine.tick();
    const graceId = t.copies.rows()[0]!.id;

    t.catalogue.setAllowedHosts(['origin.example']);
    await t.engine.tick();
    const [row] = t.copies.rows();
    expect(row!.id).not.toBe(graceId);
    expect(row!.state).toBe('planned');
    await expect(t.runQueued()).resolves.toEqual([{ type: 'skipped', reason: 'the copy was already complete in place: verified and announced' }]);
    expect(t.copies.row(row!.id)!.state).toBe('active');
    expect(t.mirror.calls().filter((c) => c.startsWith('copy'))).toEqual([`copy ${uuidOf(7)}`]);
    expect(t.sender.kinds()).toEqual(['Create CacheFile', 'Undo Create', 'Create CacheFile']);
    // the new Create has a new id (the origin deduplicates by id)
    const creates = t.sender.sent().filter((s) => s.activity.type === 'Create');
    expect(new Set(creates.map((c) => c.activity.id)).size).toBe(2);
  });

  it('a mirror failure marks the copy failed and announces nothing; its video is planned again after retry_failed_after', async () => {
    const t = engineHarness({ retryFailedAfterMs: 6 * HOUR });
    t.catalogue.add(remoteVideo(7));
    await t.engine.tick();
    const id = t.copies.rows()[0]!.id;
    t.mirror.failWith(uuidOf(7), { ok: false, reason: { type: 'hash-mismatch', message: 'segment 3 does not match its hash', file: 'seg.mp4' } });
    t.queued.length = 0;
    await expect(t.runJob(id)).rejects.toBeInstanceOf(PermanentJobError);
    expect(t.copies.row(id)).toMatchObject({ state: 'failed', reason: 'hash-mismatch: segment 3 does not match its hash', failures: 1 });
    expect(t.sender.sent()).toEqual([]);
    expect(t.failures).toEqual(['verify']);
    expect(t.copiesChanged()).toBe(0);

    // not planned while the failure is recent
    t.advance(HOUR);
    expect((await t.engine.tick()).decisions).toEqual([]);
    t.advance(6 * HOUR);
    const plan = await t.engine.tick();
    expect(plan.decisions.map((d) => [d.type, d.videoId])).toEqual([['add', 7]]);
    expect(t.copies.states()).toEqual(['planned']);
  });

  it('a transient failure leaves the copy planned for the retry; the last attempt fails it for good', async () => {
    const t = engineHarness();
    t.catalogue.add(remoteVideo(7));
    await t.engine.tick();
    const id = t.copies.rows()[0]!.id;
    const timeout = { ok: false as const, reason: { type: 'fetch-failed' as const, message: 'timeout', url: 'http://b.test/seg.mp4', cause: { type: 'timeout' as const, message: 'timeout', phase: 'response' as const } } };
    t.mirror.failWith(uuidOf(7), timeout, timeout);
    await expect(t.runJob(id, { attempts: 1 })).rejects.toThrow('fetch-failed: timeout');
    expect(t.copies.row(id)).toMatchObject({ state: 'planned', failures: 1 });
    await expect(t.runJob(id, { attempts: 5, maxAttempts: 5 })).rejects.toBeInstanceOf(PermanentJobError);
    expect(t.copies.row(id)).toMatchObject({ state: 'failed', failures: 2 });
    expect(t.failures).toEqual(['download', 'download']);
    expect(t.sender.sent()).toEqual([]);
  });

  it('when the announcement cannot be queued, the copy stays unannounced and not active (one transaction)', async () => {
    const t = engineHarness();
    t.catalogue.add(remoteVideo(7));
    await t.engine.tick();
    const id = t.copies.rows()[0]!.id;
    t.sender.failNext();
    await expect(t.runJob(id)).rejects.toThrow('the delivery could not be queued');
    expect(t.copies.row(id)!.state).toBe('downloading');
    expect(t.sender.sent()).toEqual([]);
    expect(t.failures).toEqual(['announce']);
    // the retry finds the copy in place, verifies it and announces it
    await expect(t.runJob(id, { attempts: 2 })).resolves.toEqual({ type: 'skipped', reason: 'the copy was already complete in place: verified and announced' });
    expect(t.copies.row(id)!.state).toBe('active');
    expect(t.sender.kinds()).toEqual(['Create CacheFile']);
  });

  it('the failure path fails a copy still planned or downloading, never an active one', async () => {
    const t = engineHarness();
    t.catalogue.add(remoteVideo(7));
    t.catalogue.add(remoteVideo(8));
    await t.engine.tick();
    const [a, b] = t.copies.rows();
    await t.runJob(b!.id);
    await t.engine.mirrorJob.onFailed!({ payload: { redundancyId: a!.id }, error: 'lease lost\nstack', job: { id: 1, kind: 'x', attempts: 5, maxAttempts: 5, priority: 0, dedupeKey: null, createdAt: new Date() } });
    await t.engine.mirrorJob.onFailed!({ payload: { redundancyId: b!.id }, error: 'late', job: { id: 2, kind: 'x', attempts: 5, maxAttempts: 5, priority: 0, dedupeKey: null, createdAt: new Date() } });
    expect(t.copies.row(a!.id)).toMatchObject({ state: 'failed', reason: 'lease lost', failures: 1 });
    expect(t.copies.row(b!.id)).toMatchObject({ state: 'active', failures: 0 });
  });
});

describe('manual copies', () => {
  it('an administrator adds a copy of a remote video: planned (no expiry), mirrored, announced without expires', async () => {
    const t = engineHarness();
    t.catalogue.add(remoteVideo(7));
    t.catalogue.setAllowedHosts([]); // a manual copy does not need the host's permission
    const result = await t.engine.addManual(7);
    expect(result).toEqual({ ok: true, redundancyId: expect.any(Number) });
    const id = (result as { redundancyId: number }).redundancyId;
    expect(t.copies.row(id)).toMatchObject({ state: 'planned', strategy: 'manual', expiresOn: null, reason: 'asked by an administrator' });
    expect(t.copies.row(id)!.sizeBytes).toBeGreaterThan(2_000_000);
    expect(t.queued).toEqual([{ redundancyId: id, refresh: false }]);
    await t.runQueued();
    expect(t.copies.row(id)!.state).toBe('active');
    expect(t.sender.kinds()).toEqual(['Create CacheFile']);
    expect(cacheFileOf(t.sender.sent()[0]!.activity).expires ?? null).toBeNull();

    // the planner keeps it (manual copies are not the policy's to evict) and never renews it
    t.advance(100 * HOUR);
    expect((await t.engine.tick()).decisions).toEqual([]);
    expect(t.copies.states()).toEqual(['active']);
  });

  it('refuses unknown, local and live videos, and a video already mirrored', async () => {
    const t = engineHarness();
    t.catalogue.add(remoteVideo(7));
    t.catalogue.add(remoteVideo(8, { isLocal: true }));
    t.catalogue.add(remoteVideo(9, { isLive: true }));
    expect(await t.engine.addManual(99)).toEqual({ ok: false, status: 404, message: 'Video not found' });
    expect(await t.engine.addManual(8)).toEqual({ ok: false, status: 400, message: 'Cannot create a redundancy of a local video' });
    expect(await t.engine.addManual(9)).toEqual({ ok: false, status: 400, message: 'Cannot create a redundancy of a live video' });
    await t.engine.tick();
    expect(await t.engine.addManual(7)).toEqual({ ok: false, status: 409, message: 'This video is already mirrored' });
    expect(t.copies.rows().map((r) => r.videoId)).toEqual([7]);
  });

  it('evicting a copy being written removes its row, cancels its job, then its files; nothing is announced', async () => {
    const t = engineHarness();
    t.catalogue.add(remoteVideo(7));
    const { redundancyId } = (await t.engine.addManual(7)) as { redundancyId: number };
    expect(await t.engine.evict(redundancyId, 'asked')).toBe(true);
    expect(t.copies.rows()).toEqual([]);
    expect(t.cancelled).toEqual([redundancyId]);
    expect(t.sender.sent()).toEqual([]);
    expect(await t.engine.evict(redundancyId, 'again')).toBe(false);
    // its job, if it still runs, finds nothing to do
    await expect(t.runJob(redundancyId)).resolves.toEqual({ type: 'skipped', reason: 'copy no longer planned' });
  });
});

describe('verification and start-up cleanup', () => {
  it('a stored copy that fails verification is withdrawn (Undo) and deleted', async () => {
    const t = engineHarness();
    t.catalogue.add(remoteVideo(7));
    t.catalogue.add(remoteVideo(8));
    await t.engine.tick();
    await t.runQueued();
    t.mirror.corrupt(uuidOf(8));
    await expect(t.engine.verifyCopies()).resolves.toEqual({ verified: 1, failed: 1 });
    expect(t.copies.rows().map((r) => r.videoId)).toEqual([7]);
    expect(t.copies.rows()[0]!.lastVerifiedAt).toEqual(new Date(t.now()));
    expect(t.sender.kinds()).toEqual(['Create CacheFile', 'Create CacheFile', 'Undo Create']);
    expect(t.mirror.onDisk(uuidOf(8))).toBe(false);
    expect(t.failures).toEqual(['verify']);
  });

  it('after a crash, unfinished copies resume through their jobs', async () => {
    const t = engineHarness();
    t.catalogue.add(remoteVideo(7));
    t.catalogue.add(remoteVideo(8));
    await t.engine.tick();
    const [a, b] = t.copies.rows();
    await t.runJob(a!.id);
    t.queued.length = 0;
    await t.copies.store.update(b!.id, { state: 'downloading' });
    await t.engine.cleanup();
    expect(t.queued).toEqual([{ redundancyId: b!.id, refresh: false }]);
    expect(t.mirror.onDisk(uuidOf(7))).toBe(true);
  });
});
