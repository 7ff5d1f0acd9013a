/** The pages' one stylesheet, inlined (no request to any other host, nothing to build). */
export const SHELL_CSS = `
:root{--fg:#1a1a1a;--bg:#fff;--muted:#555;--accent:#b3401a;--line:#ddd;font-family:system-ui,sans-serif;color:var(--fg);background:var(--bg)}
body{margin:0;line-height:1.5;overflow-wrap:anywhere}
img,video,input,select,textarea,iframe{max-width:100%;box-sizing:border-box}
#embed-code{width:100%}
a{color:#0b57a4}
a:focus-visible,button:focus-visible,input:focus-visible,select:focus-visible{outline:3px solid #f5a623;outline-offset:2px}
.skip{position:absolute;left:-999px}.skip:focus{left:8px;top:8px;background:#fff;padding:4px 8px;z-index:10}
header.top{display:flex;flex-wrap:wrap;align-items:center;gap:1rem;padding:.5rem 1rem;border-bottom:1px solid var(--line)}
header.top .brand{font-weight:700;font-size:1.2rem;color:var(--accent);text-decoration:none}
header.top nav ul{display:flex;flex-wrap:wrap;gap:.75rem;list-style:none;margin:0;padding:0}
header.top nav a[aria-current=page]{font-weight:700}
main{padding:1rem;max-width:1200px;margin:0 auto}
body.bare main{padding:0;max-width:none}
h1{font-size:1.5rem;margin:.5rem 0}
.filters{display:flex;gap:.75rem;margin:.5rem 0 1rem}
.videos{display:grid;grid-template-columns:repeat(auto-fill,minmax(220px,1fr));gap:1rem;list-style:none;padding:0}
.videos img{width:100%;aspect-ratio:16/9;object-fit:cover;background:#222;display:block}
.videos .meta{color:var(--muted);font-size:.9rem}
.player{position:relative;background:#000;width:100%;max-width:960px}
.player p{color:#fff;margin:0;padding:.5rem}
.player video{width:100%;aspect-ratio:16/9;display:block;background:#000}
body.bare .player{max-width:none}body.bare .player video{height:100vh;aspect-ratio:auto}
.stats{font-size:.85rem;color:var(--muted)}
.stats table{border-collapse:collapse;display:block;overflow-x:auto}.stats th,.stats td{padding:.1rem .5rem;text-align:left;border-bottom:1px solid var(--line)}
form.stack{display:grid;gap:.5rem;max-width:420px}
form.stack label{font-weight:600}
.error{color:#a00}
progress{width:100%;max-width:420px}
@media (max-width:600px){header.top{gap:.5rem}main{padding:.5rem}}
`;
