import { describe, expect, it } from 'vitest';
import { ACTIVITYSTREAMS_CONTEXT_URL, SECURITY_V1_CONTEXT_URL, bundledContextUrls, findBundledContext } from '../../../src/federation/contexts/index.js';
import { ContextNotBundledError, createOfflineDocumentLoader } from '../../../src/federation/signatures/index.js';

describe('bundled JSON-LD contexts', () => {
  it('holds ActivityStreams and security/v1 only', () => {
    expect(bundledContextUrls()).toEqual([ACTIVITYSTREAMS_CONTEXT_URL, SECURITY_V1_CONTEXT_URL]);
    expect(findBundledContext('https://www.w3.org/ns/activitystreams')).toHaveProperty(['@context', 'Note'], 'as:Note');
    expect(findBundledContext('https://w3id.org/security/v1')).toHaveProperty(['@context', 'publicKeyPem'], 'sec:publicKeyPem');
  });

  it('treats http:/https: and a fragment alike, and nothing else', () => {
    expect(findBundledContext('http://www.w3.org/ns/activitystreams#')).toBe(findBundledContext(ACTIVITYSTREAMS_CONTEXT_URL));
    expect(findBundledContext('https://w3id.org/identity/v1')).toBeUndefined();
    expect(findBundledContext('https://www.w3.org/ns/activitystreams/evil')).toBeUndefined();
  });

  it('are frozen, so no caller can alter them for the next one', () => {
    const context = findBundledContext(ACTIVITYSTREAMS_CONTEXT_URL) as { '@context': Record<string, unknown> };
    expect(() => {
      context['@context'].Note = 'https://evil.example/Note';
    }).toThrow(TypeError);
  });

  it('the offline loader answers bundled URLs and rejects the rest, naming them', async () => {
    const refused: string[] = [];
    const load = createOfflineDocumentLoader((url) => refused.push(url));
    await expect(load(SECURITY_V1_CONTEXT_URL)).resolves.toMatchObject({ documentUrl: SECURITY_V1_CONTEXT_URL, contextUrl: null });
    await expect(load('https://w3id.org/identity/v1')).rejects.toBeInstanceOf(ContextNotBundledError);
    expect(refused).toEqual(['https://w3id.org/identity/v1']);
  });
});
