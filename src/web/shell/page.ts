import { html, raw, type SafeHtml } from './html.js';
import { SHELL_CSS } from './style.js';

/**
 * The page shell every server-rendered page (viewer and admin) is wrapped in. The viewer pages'
 * work owns its look; admin pages pass `section: 'admin'` and their own nav entries.
 */
export interface PageInput {
  title: string;
  /** extra <head> markup: OpenGraph/Twitter tags, oEmbed link, page scripts */
  head?: SafeHtml;
  body: SafeHtml;
  /** the instance's name, shown in the header */
  instanceName: string;
  /** the logged-in user's name, when the page knows it */
  user?: string | null;
  section?: 'viewer' | 'admin';
  /** language of the page; PeerTube's default is 'en' */
  lang?: string;
  /** the page without header and navigation (the embed) */
  bare?: boolean;
  /** the navigation entry shown as the current page (its href) */
  current?: string;
  /** extra navigation entries after the viewer ones (admin pages) */
  nav?: { href: string; label: string }[];
}

const VIEWER_NAV = [
  { href: '/', label: 'Home' },
  { href: '/videos/local', label: 'Local' },
  { href: '/search', label: 'Search' },
  { href: '/videos/upload', label: 'Upload' },
  { href: '/about', label: 'About' },
  { href: '/login', label: 'Log in' },
];

export function renderPage(input: PageInput): string {
  const nav = [...VIEWER_NAV, ...(input.nav ?? [])];
  const header = input.bare
    ? null
    : html`<a class="skip" href="#main">Skip to content</a>
<header class="top">
<a class="brand" href="/">${input.instanceName}</a>
<nav aria-label="Main"><ul>${nav.map(
        (n) => html`<li><a href="${n.href}"${input.current === n.href ? raw(' aria-current="page"') : null}>${n.label}</a></li>`,
      )}</ul></nav>
${input.user ? html`<span class="user">${input.user}</span>` : null}
</header>`;
  const page = html`<!doctype html>
<html lang="${input.lang ?? 'en'}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<title>${input.title} - ${input.instanceName}</title>
<style>${raw(SHELL_CSS)}</style>
${input.head}
</head>
<body class="${input.section ?? 'viewer'}${input.bare ? ' bare' : ''}">
${header}
<main id="main">${input.body}</main>
</body>
</html>`;
  return page.value;
}
