import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { environmentSource, loadConfig } from '../../../src/config/index.js';

function tmpYaml(text: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'mt-cfg-')), 'c.yaml');
  writeFileSync(file, text);
  return file;
}

describe('loadConfig', () => {
  it('loads the documented defaults', () => {
    const r = loadConfig({ cwd: '/srv/mt' });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.config.listen).toEqual({ hostname: '127.0.0.1', port: 9000 });
    expect(r.config.database.url).toBeNull();
    expect(r.config.storage.root).toBe('/srv/mt/storage');
    expect(r.config.storage.streaming_playlists).toBe('/srv/mt/storage/streaming-playlists');
    expect(r.config.storage.database).toBe('/srv/mt/storage/db');
    expect(r.config.uploads.max_file_size).toBe(8 * 1024 ** 3);
    expect(r.config.jobs.lease_duration).toBe(30_000);
  });

  it('layers files in order, then the environment', () => {
    const a = tmpYaml('listen:\n  port: 9100\ntranscoding:\n  threads: 2\n');
    const b = tmpYaml('listen:\n  port: 9200\nstorage:\n  root: /data\n  tmp: /fast/tmp\n');
    const r = loadConfig({ files: [a, b], env: { MIRRORTUBE_TRANSCODING__RESOLUTIONS__720P: 'false', MIRRORTUBE_DATABASE__URL: 'postgres://u@h/db', PATH: '/bin' } });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.config.listen.port).toBe(9200);
    expect(r.config.transcoding.threads).toBe(2);
    expect(r.config.transcoding.resolutions['720p']).toBe(false);
    expect(r.config.database.url).toBe('postgres://u@h/db');
    expect(r.config.storage.tmp).toBe('/fast/tmp');
    expect(r.config.storage.web_videos).toBe('/data/web-videos');
  });

  it('names the unknown key and the file that set it', () => {
    const file = tmpYaml('transcoding:\n  enabeld: true\n');
    const r = loadConfig({ files: [file] });
    expect(r).toEqual({ ok: false, errors: [`unknown configuration key "transcoding.enabeld" (set in ${file})`] });
  });

  it('names a bad value, its key and its source', () => {
    const r = loadConfig({ env: { MIRRORTUBE_LISTEN__PORT: 'ninety' } });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors[0]).toMatch(/^invalid configuration key "listen.port": .*environment \(MIRRORTUBE_\* variables\)/);
    const size = loadConfig({ extra: [{ name: 'x.yaml', data: { uploads: { max_file_size: 'huge' } } }] });
    expect(size.ok ? [] : size.errors).toEqual(['invalid configuration key "uploads.max_file_size": not a size: "huge" (use bytes or e.g. "10GB") (set in x.yaml)']);
    const db = loadConfig({ env: { MIRRORTUBE_DATABASE__URL: 'mysql://x' } });
    expect(db.ok ? '' : db.errors[0]).toMatch(/database.url.*postgres/);
  });

  it('reports unreadable and invalid YAML files', () => {
    expect(loadConfig({ files: ['/nonexistent/mt.yaml'] })).toMatchObject({ ok: false, errors: [expect.stringMatching(/cannot read config file \/nonexistent\/mt.yaml/)] });
    const bad = tmpYaml('listen: [oops\n');
    expect(loadConfig({ files: [bad] })).toMatchObject({ ok: false, errors: [expect.stringMatching(/invalid YAML/)] });
    const scalar = tmpYaml('just a string\n');
    expect(loadConfig({ files: [scalar] })).toMatchObject({ ok: false, errors: [expect.stringMatching(/top level must be a mapping/)] });
  });
});

describe('environmentSource', () => {
  it('maps MIRRORTUBE_A__B_C to a.b_c and reads YAML scalars', () => {
    expect(environmentSource({ MIRRORTUBE_WEB_VIDEOS: 'x', MIRRORTUBE_TRANSCODING__WEB_VIDEOS__ENABLED: 'true', MIRRORTUBE_DATABASE__URL: 'null', OTHER: '1' }).data).toEqual({
      web_videos: 'x',
      transcoding: { web_videos: { enabled: true } },
      database: { url: null },
    });
  });
});
