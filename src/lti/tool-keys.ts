/**
 * The tool's key pair for one platform registration, made without blocking the event loop, and the platform document
 * that points at it, stored exactly as ltijs 5.9.9 stores them (Auth.generatePlatformKeyPair and
 * Provider.registerPlatform), so ltijs's Platform object, its service-call signing and our /lti/keys read them as
 * their own:
 *   publickey  { kid, platformUrl, clientId } + encrypted { key: SPKI PEM, kid }
 *   privatekey { kid, platformUrl, clientId } + encrypted { key: PKCS#1 PEM, kid }
 *   platformStatus { id: kid, active }  (written first: a platform that must wait for activation is never briefly active)
 *   platform   { platformName, platformUrl, clientId, authEndpoint, accesstokenEndpoint, authorizationServer, kid, authConfig }
 *
 * Why not ltijs's registerPlatform: it makes a 4096-bit RSA key with generateKeyPairSync, which holds the event loop
 * for 1.4-4 s per registration (every request of the process waits); and on a failed insert it deletes the platform
 * by issuer + client id, i.e. the registration of whichever process won the race. Here the key is made on libuv's
 * thread pool (crypto.generateKeyPair), the platform document is inserted (never upserted), so the database's unique
 * index decides a race, and a loser removes only its own keys.
 *
 * Key size: RSA 2048 by default. The 1EdTech Security Framework signs with RS256, for which JWA (RFC 7518 3.3) requires
 * keys of 2048 bits or more; NIST SP 800-57 rates 2048 bits as 112-bit security, acceptable through 2030. 3072 or
 * 4096 by configuration (LTI_TOOL_KEY_BITS) for longer-lived keys, at several times the generation time (on the thread
 * pool) and the signing cost of every service token request (see docs/hardening.md for measured figures).
 */
import crypto from 'node:crypto';
import { promisify } from 'node:util';
import type { AuthConfig } from 'ltijs';
import type { LtiCore } from './provider';

export const TOOL_KEY_BITS = [2048, 3072, 4096] as const;
export type ToolKeyBits = (typeof TOOL_KEY_BITS)[number];

const generateKeyPair = promisify(crypto.generateKeyPair);

export interface ToolRegistration {
  issuer: string;
  clientId: string;
  name: string;
  authEndpoint: string;
  tokenEndpoint: string;
  authorizationServer?: string;
  authConfig: AuthConfig;
  active: boolean;
}

/** An RSA key pair in the PEM forms ltijs stores (SPKI public, PKCS#1 private); made on the thread pool. */
export async function generateToolKeyPair(bits: ToolKeyBits): Promise<{ publicKey: string; privateKey: string }> {
  return generateKeyPair('rsa', {
    modulusLength: bits,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
  });
}

/**
 * Makes the key pair and stores it with the platform's status and document; returns the kid (ltijs's platform id). Throws the
 * database's unique_violation (code 23505) when the platform (issuer + client id) exists, after removing its own keys.
 */
export async function storeToolRegistration(core: LtiCore, p: ToolRegistration): Promise<string> {
  const { publicKey, privateKey } = await generateToolKeyPair(core.toolKeyBits);
  const kid = crypto.randomBytes(16).toString('hex'); // 128 random bits: ltijs's own kid; the unique index guards the rest
  const index = { kid, platformUrl: p.issuer, clientId: p.clientId };
  const { storage, encryptionKey } = core;
  try {
    await storage.Insert(encryptionKey, 'publickey', { key: publicKey, kid }, index);
    await storage.Insert(encryptionKey, 'privatekey', { key: privateKey, kid }, index);
    await storage.Insert(false, 'platformStatus', { id: kid, active: p.active });
    await storage.Insert(false, 'platform', {
      platformName: p.name, platformUrl: p.issuer, clientId: p.clientId, authEndpoint: p.authEndpoint,
      accesstokenEndpoint: p.tokenEndpoint, authorizationServer: p.authorizationServer, kid, authConfig: p.authConfig,
    });
  } catch (err) {
    await storage.Delete('publickey', { kid }).catch(() => undefined);
    await storage.Delete('privatekey', { kid }).catch(() => undefined);
    await storage.Delete('platformStatus', { id: kid }).catch(() => undefined);
    throw err;
  }
  return kid;
}
