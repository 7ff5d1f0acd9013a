import { generateKeyPair } from 'node:crypto';
import { promisify } from 'node:util';

const generate = promisify(generateKeyPair);

export interface ActorKeyPair {
  /** SPKI PEM (`-----BEGIN PUBLIC KEY-----`), the form PeerTube and Mastodon publish in `publicKeyPem`. */
  readonly publicKeyPem: string;
  /** PKCS#8 PEM (`-----BEGIN PRIVATE KEY-----`). PKCS#1 PEMs from PeerTube's database sign just as well. */
  readonly privateKeyPem: string;
}

/** A fresh RSA key pair for an ActivityPub actor (`<actor>#main-key`): 2048 bits unless told otherwise (PeerTube's tests use 1024). */
export async function generateActorKeyPair(options: { modulusLength?: number } = {}): Promise<ActorKeyPair> {
  const { publicKey, privateKey } = await generate('rsa', {
    modulusLength: options.modulusLength ?? 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  return { publicKeyPem: publicKey, privateKeyPem: privateKey };
}
