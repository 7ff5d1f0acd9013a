/**
 * The small page scripts (/client/pages.js): the login form asks the OAuth API for a token kept in
 * this browser; the upload form sends the file with either protocol (resumable in chunks or one
 * multipart request) and shows its progress.
 */
const TOKEN_KEY = 'mirrortube-token';

async function login(form: HTMLFormElement) {
  const error = document.getElementById('login-error');
  const data = new FormData(form);
  const client = (await (await fetch('/api/v1/oauth-clients/local')).json()) as { client_id: string; client_secret: string };
  const res = await fetch('/api/v1/users/token', {
    method: 'POST',
    body: new URLSearchParams({ ...client, grant_type: 'password', username: String(data.get('username') ?? ''), password: String(data.get('password') ?? '') }),
  });
  const body = (await res.json().catch(() => ({}))) as { access_token?: string; detail?: string; error?: string };
  if (!res.ok || !body.access_token) {
    if (error) error.textContent = body.detail ?? body.error ?? `Login failed (${res.status})`;
    return;
  }
  localStorage.setItem(TOKEN_KEY, body.access_token);
  location.href = '/';
}

function send(method: string, url: string, headers: Record<string, string>, body: XMLHttpRequestBodyInit, onProgress: (loaded: number) => void) {
  return new Promise<{ status: number; text: string; location: string | null }>((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open(method, url);
    for (const [k, v] of Object.entries(headers)) xhr.setRequestHeader(k, v);
    xhr.upload.onprogress = (e) => onProgress(e.loaded);
    xhr.onload = () => resolve({ status: xhr.status, text: xhr.responseText, location: xhr.getResponseHeader('location') });
    xhr.onerror = () => reject(new Error('network error'));
    xhr.send(body);
  });
}

async function upload(form: HTMLFormElement) {
  const status = document.getElementById('upload-status')!;
  const progress = document.getElementById('upload-progress') as HTMLProgressElement;
  const token = localStorage.getItem(TOKEN_KEY);
  if (!token) {
    status.textContent = 'Log in first.';
    return;
  }
  const auth = { authorization: `Bearer ${token}` };
  const data = new FormData(form);
  const file = data.get('videofile');
  if (!(file instanceof File) || file.size === 0) {
    status.textContent = 'Choose a file.';
    return;
  }
  const setProgress = (loaded: number) => {
    progress.value = Math.round((loaded / file.size) * 100);
    progress.textContent = `${progress.value}%`;
  };
  const fields = { name: String(data.get('name')), channelId: Number(data.get('channelId')), privacy: Number(data.get('privacy')) };
  let done: { status: number; text: string };
  if (data.get('protocol') === 'multipart') {
    const body = new FormData();
    for (const [k, v] of Object.entries(fields)) body.append(k, String(v));
    body.append('videofile', file, file.name);
    done = await send('POST', '/api/v1/videos/upload', auth, body, setProgress);
  } else {
    const init = await fetch('/api/v1/videos/upload-resumable', {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json', 'x-upload-content-length': String(file.size), 'x-upload-content-type': file.type || 'video/mp4' },
      body: JSON.stringify({ filename: file.name, ...fields }),
    });
    const location = init.headers.get('location');
    if (init.status !== 201 || !location) {
      status.textContent = `Upload refused: ${await init.text()}`;
      return;
    }
    const chunk = 4 * 1024 * 1024;
    done = { status: 0, text: '' };
    for (let start = 0; start < file.size; start += chunk) {
      const end = Math.min(start + chunk, file.size);
      done = await send('PUT', location, { ...auth, 'content-type': 'application/octet-stream', 'content-range': `bytes ${start}-${end - 1}/${file.size}` }, file.slice(start, end), (n) => setProgress(start + n));
      if (end < file.size && done.status !== 308) break;
    }
  }
  if (done.status >= 200 && done.status < 300) {
    const body = JSON.parse(done.text) as { video?: { uuid?: string } };
    setProgress(file.size);
    status.textContent = 'Uploaded: the video is being processed.';
    if (body.video?.uuid) location.href = `/w/${body.video.uuid}`;
  } else {
    status.textContent = `Upload failed (${done.status}): ${done.text}`;
  }
}

async function fillChannels() {
  const token = localStorage.getItem(TOKEN_KEY);
  const field = document.getElementById('channelId');
  if (!token || !field) return;
  const res = await fetch('/api/v1/users/me', { headers: { authorization: `Bearer ${token}` } });
  if (!res.ok) return;
  const me = (await res.json()) as { videoChannels?: { id: number; displayName: string }[] };
  if (!me.videoChannels?.length) return;
  const select = document.createElement('select');
  select.id = 'channelId';
  select.name = 'channelId';
  for (const c of me.videoChannels) select.append(new Option(c.displayName, String(c.id)));
  field.replaceWith(select);
}

const loginForm = document.getElementById('login') as HTMLFormElement | null;
loginForm?.addEventListener('submit', (e) => {
  e.preventDefault();
  void login(loginForm);
});
const uploadForm = document.getElementById('upload') as HTMLFormElement | null;
if (uploadForm) {
  void fillChannels();
  uploadForm.addEventListener('submit', (e) => {
    e.preventDefault();
    void upload(uploadForm).catch((err: unknown) => {
      document.getElementById('upload-status')!.textContent = `Upload failed: ${String(err)}`;
    });
  });
}
