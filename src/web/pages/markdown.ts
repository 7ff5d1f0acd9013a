import { escapeHtml, raw, type SafeHtml } from '../shell/html.js';

/**
 * The little of Markdown PeerTube's descriptions use, made safe: the text is escaped first, then
 * paragraphs, line breaks, **bold**, *italic*, `code` and [links](http(s) URLs only, rel=nofollow).
 */
export function renderMarkdown(text: string): SafeHtml {
  const inline = (s: string) =>
    escapeHtml(s)
      .replace(/`([^`]+)`/g, '<code>$1</code>')
      .replace(/\*\*([^*]+)\*\*/g, '<strong>$1</strong>')
      .replace(/(^|[^*])\*([^*\s][^*]*)\*/g, '$1<em>$2</em>')
      .replace(/\[([^\]]+)\]\((https?:\/\/[^\s)]+)\)/g, (_m, label: string, href: string) => `<a href="${href}" rel="nofollow noopener noreferrer">${label}</a>`)
      .replace(/\n/g, '<br>');
  const paragraphs = text
    .replace(/\r\n/g, '\n')
    .split(/\n{2,}/)
    .map((p) => p.trim())
    .filter(Boolean);
  return raw(paragraphs.map((p) => `<p>${inline(p)}</p>`).join('\n'));
}
