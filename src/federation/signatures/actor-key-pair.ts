import { generateKeyPair } from 'node:crypto';

export interface ActorKeyPair {
  /** SPKI PEM (`-----BEGIN PUBLIC KEY-----`), the form PeerTube and Mastodon publish in `publicKeyPem`. */
  readonly publicKeyPem: string;
  /** PKCS#8 PEM (`-----BEGIN PRIVATE KEY-----`). PKCS#1 PEMs from PeerTube's database sign just as well. */
  readonly privateKeyPem: string;
}

/** A fresh RSA key pair for an actor (2048 bits unless told otherwise; PeerTube's tests use 1024). */
export function generateActorKeyPair(options: { modulusLength?: number } = {}): Promise<ActorKeyPair> {
  return new Promise((resolve, reject) => {
    generateKeyPair(
      'rsa',
      {
        modulusLength: options.modulusLength ?? 2048,
        publicKeyEncoding: { type: 'spki', format: 'pem' },
        privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
      },
      (error, publicKeyPem, privateKeyPem) => {
        if (error) reject(error);
        else resolve({ publicKeyPem, privateKeyPem });
      },
    );
  });
}
