import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findFile, isMissing } from '../../../src/http/static/find-file.js';

// The file a lexically checked path names: found with its stat when every segment is a plain
// folder or file; through its real path when a segment is a symbolic link, refused when that leaves the folder.

describe('findFile', () => {
  let tmp = '';
  let root = '';
  beforeAll(async () => {
    tmp = await mkdtemp(path.join(os.tmpdir(), 'mirrortube-find-file-'));
    root = path.join(tmp, 'hls');
    await mkdir(path.join(root, 'v1'), { recursive: true });
    await mkdir(path.join(tmp, 'outside'), { recursive: true });
    await writeFile(path.join(root, 'v1', 'a.mp4'), 'abc');
    await writeFile(path.join(tmp, 'outside', 'secret.txt'), 'secret');
    await symlink('a.mp4', path.join(root, 'v1', 'alias.mp4'));
    await symlink(path.join(tmp, 'outside', 'secret.txt'), path.join(root, 'v1', 'escape.mp4'));
    await symlink(path.join(tmp, 'outside'), path.join(root, 'escape-dir'));
  });
  afterAll(async () => {
    await rm(tmp, { recursive: true, force: true });
  });

  it('finds plain files and links inside the folder; not folders, missing files or links out of it', async () => {
    const found = await findFile(root, path.join(root, 'v1', 'a.mp4'));
    expect(found).toMatchObject({ path: path.join(root, 'v1', 'a.mp4'), stat: { size: 3 } });
    expect(await findFile(root, path.join(root, 'v1', 'alias.mp4'))).toMatchObject({ path: path.join(root, 'v1', 'a.mp4') });
    expect(await findFile(root, path.join(root, 'v1'))).toBeNull();
    expect(await findFile(root, path.join(root, 'v1', 'none.mp4'))).toBeNull();
    expect(await findFile(root, path.join(root, 'v1', 'escape.mp4'))).toBeNull();
    expect(await findFile(root, path.join(root, 'escape-dir', 'secret.txt'))).toBeNull();
  });

  it('isMissing: the codes of a path that names no file', () => {
    for (const code of ['ENOENT', 'ENOTDIR', 'EISDIR', 'ELOOP']) expect(isMissing(Object.assign(new Error(code), { code }))).toBe(true);
    expect(isMissing(Object.assign(new Error('EACCES'), { code: 'EACCES' }))).toBe(false);
    expect(isMissing(undefined)).toBe(false);
  });
});
