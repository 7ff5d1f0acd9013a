import { describe, expect, expectTypeOf, it } from 'vitest';
import { decodeBody, deliveryPayloadSchema, encodeBody } from '../../../src/federation/delivery/delivery-payload.js';
import type { DeliveryJobKinds, DeliveryPayload, DeliveryQueue } from '../../../src/federation/delivery/index.js';
import type { JobQueue } from '../../../src/jobs/index.js';
import type { VideoJobKinds } from '../../../src/videos/transcode-job.js';

const payload: DeliveryPayload = {
  deliveryId: 'd-1',
  generation: 0,
  inbox: 'https://a.example/inbox',
  signerActorId: 3,
  body: '{"type":"Create"}',
  forwarded: false,
  queuedAt: '2026-05-01T10:00:00.000Z',
  priorAttempts: 0,
};

describe('delivery body encoding', () => {
  it.each([
    ['ASCII JSON', Buffer.from('{"id":"https://a.example/1","type":"Announce"}')],
    ['UTF-8 with escapes kept as written', Buffer.from('{"name":"caf\\u00e9 é 🎬","x":"\\/"}\n')],
  ])('keeps %s as readable text, byte for byte', (_, bytes) => {
    const encoded = encodeBody(bytes);
    expect(encoded.body).toBeDefined();
    expect(decodeBody(encoded).equals(bytes)).toBe(true);
    // And it survives the JSON storage of the payload.
    expect(decodeBody(JSON.parse(JSON.stringify(encoded))).equals(bytes)).toBe(true);
  });

  it.each([
    ['invalid UTF-8', Buffer.from([0x7b, 0xff, 0xfe, 0x7d])],
    ['a NUL byte', Buffer.from('{"a":"\u0000"}')],
  ])('keeps a body with %s as base64', (_, bytes) => {
    const encoded = encodeBody(bytes);
    expect(encoded).toEqual({ bodyBase64: bytes.toString('base64') });
    expect(decodeBody(encoded).equals(bytes)).toBe(true);
  });
});

describe('deliveryPayloadSchema', () => {
  it('accepts a stored payload', () => {
    expect(deliveryPayloadSchema.parse(payload)).toEqual(payload);
  });

  it.each([
    ['no body', { ...payload, body: undefined }],
    ['two bodies', { ...payload, bodyBase64: 'AA==' }],
    ['a non-http inbox', { ...payload, inbox: 'file:///etc/passwd' }],
    ['a bad signer', { ...payload, signerActorId: 0 }],
    ['a bad date', { ...payload, queuedAt: 'yesterday' }],
  ])('refuses %s', (_, value) => {
    expect(deliveryPayloadSchema.safeParse(value).success).toBe(false);
  });

  it("lets the instance's job queue serve as the delivery queue port (checked by tsc)", () => {
    expectTypeOf<JobQueue<VideoJobKinds & DeliveryJobKinds>>().toExtend<DeliveryQueue>();
  });
});
