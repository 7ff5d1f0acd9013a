import { html, type SafeHtml } from './html.js';

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
}

export function renderPage(input: PageInput): string {
  const page = html`<!doctype html>
<html lang="${input.lang ?? 'en'}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${input.title} - ${input.instanceName}</title>
${input.head}
</head>
<body class="${input.section ?? 'viewer'}">
<header><a href="/">${input.instanceName}</a></header>
<main id="main">${input.body}</main>
</body>
</html>`;
  return page.value;
}
