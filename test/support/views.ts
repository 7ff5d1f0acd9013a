/**
 * A player watching a video to the end, as PeerTube's player reports it: POST /views with the
 * session's currentTime at the start and at the end (enough for one counted view).
 */
export async function watchToEnd(
  api: (path: string, init?: RequestInit & { token?: string | null }) => Promise<Response>,
  videoRef: string,
  sessionId: string,
): Promise<void> {
  const details = await api(`/api/v1/videos/${videoRef}`);
  if (!details.ok) throw new Error(`GET video ${videoRef}: ${details.status}`);
  const { duration } = (await details.json()) as { duration: number };
  for (const currentTime of [0, duration]) {
    const res = await api(`/api/v1/videos/${videoRef}/views`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ currentTime, sessionId }),
    });
    if (res.status !== 204) throw new Error(`POST views ${videoRef}: ${res.status} ${await res.text()}`);
  }
}
