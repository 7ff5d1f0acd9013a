// An ESLint rule made from the layer map (config/layers.js): every import in src/ is checked
// against the restricted modules, the arrows between areas, and folders' internals.
import { existsSync } from 'node:fs';
import { dirname, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const SRC = resolve(REPO, 'src');

/** A glob (`**`, `*`) as a RegExp over repository-relative paths. */
function globRegExp(glob) {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === '*' && glob[i + 1] === '*') {
      const slash = glob[i + 2] === '/';
      re += slash ? '(?:.*/)?' : '.*';
      i += slash ? 2 : 1;
    } else if (c === '*') re += '[^/]*';
    else re += c.replace(/[.+?^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}
const matchesAny = (globs, path) => (globs ?? []).some((g) => globRegExp(g).test(path));
const repoPath = (abs) => relative(REPO, abs).split(sep).join('/');

/** The area of a file in src/: its top-level folder, or the name of a root file. */
function areaOf(abs) {
  const [first, ...rest] = relative(SRC, abs).split(sep);
  return rest.length === 0 ? first.replace(/\.(ts|js)$/, '') : first;
}

/** The deepest folder below src/ that has an index.ts and holds `target` (not as its index.ts). */
function owningFolder(target) {
  let dir = dirname(target);
  let found = null;
  while (dir.startsWith(SRC + sep)) {
    if (existsSync(resolve(dir, 'index.ts')) && target !== resolve(dir, 'index.ts')) found = dir;
    dir = dirname(dir);
  }
  return found;
}

/** @param {{ areas: Record<string, { uses: string[] | '*' }>, restricted: Array<{ name: string, modules?: string[], packages?: string[], allowedIn: string[], why: string }>, internals: { enforce: boolean, except?: string[] } }} map */
export function boundariesPlugin(map) {
  const rule = (kind, description) => ({
    meta: { type: 'problem', schema: [], docs: { description } },
    create(context) {
      const file = context.filename;
      if (!file.startsWith(SRC + sep) || file.startsWith(resolve(SRC, 'generated') + sep)) return {};
      const from = repoPath(file);
      const fromArea = areaOf(file);

      function check(node, specifier) {
        if (typeof specifier !== 'string') return;
        const report = (which, message) => which === kind && context.report({ node, message: `restricted import: ${message}` });
        if (!specifier.startsWith('.')) {
          for (const r of map.restricted) {
            const hit = (r.packages ?? []).some((p) => (p.endsWith('/*') ? specifier.startsWith(p.slice(0, -1)) : specifier === p || specifier.startsWith(`${p}/`)));
            if (hit && !matchesAny(r.allowedIn, from)) report('modules', `'${specifier}' (${r.name}) only in ${r.allowedIn.join(', ')}: ${r.why}`);
          }
          return;
        }
        const target = resolve(dirname(file), specifier).replace(/\.js$/, '.ts');
        const to = repoPath(target);
        for (const r of map.restricted) {
          if (matchesAny(r.modules, to) && !matchesAny(r.allowedIn, from)) report('modules', `'${specifier}' (${r.name}) only in ${r.allowedIn.join(', ')}: ${r.why}`);
        }
        if (!target.startsWith(SRC + sep)) return;
        const toArea = areaOf(target);
        const uses = map.areas[fromArea]?.uses;
        // lib is everybody's; the generated client and db are governed by `restricted` (stores only)
        if (toArea !== fromArea && !['lib', 'generated', 'db'].includes(toArea) && uses !== '*' && !(uses ?? []).includes(toArea)) {
          report('arrows', `${fromArea} → ${toArea} ('${specifier}') is not an arrow of the layer map (config/layers.js)`);
        }
        if (map.internals.enforce && !matchesAny(map.internals.except, to)) {
          const folder = owningFolder(target);
          if (folder && !file.startsWith(folder + sep)) report('internals', `'${specifier}' reaches into ${repoPath(folder)}/: import its index.js`);
        }
      }

      return {
        ImportDeclaration: (node) => check(node, node.source.value),
        ExportAllDeclaration: (node) => check(node, node.source.value),
        ExportNamedDeclaration: (node) => node.source && check(node, node.source.value),
        ImportExpression: (node) => node.source.type === 'Literal' && check(node, node.source.value),
      };
    },
  });
  return {
    rules: {
      modules: rule('modules', 'Prisma only in stores, koa only in the HTTP layer and routers (config/layers.js: restricted)'),
      arrows: rule('arrows', 'an area imports only the areas the layer map allows (config/layers.js: areas)'),
      internals: rule('internals', "a folder with an index.ts is imported through it (config/layers.js: internals)"),
    },
  };
}
