import { createCipheriv, createDecipheriv, createHash, randomBytes, scryptSync, timingSafeEqual } from "node:crypto";

// API credentials. The bearer token is stored only as its SHA-256; the webhook signing
// secret must be usable to verify HMACs, so it is stored encrypted (AES-256-GCM) under a
// key derived from ROLLGATE_SECRET_KEY.

export function newBearerToken(): string {
  return `rg_${randomBytes(32).toString("base64url")}`;
}

/** A Standard Webhooks secret: `whsec_` + base64 of 32 random bytes. */
export function newSigningSecret(): string {
  return `whsec_${randomBytes(32).toString("base64")}`;
}

export function sha256Hex(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

export const hashToken = sha256Hex;

function keyFrom(secretKey: string): Buffer {
  return createHash("sha256").update(`rollgate-secret-key:${secretKey}`).digest();
}

export function encryptSecret(plain: string, secretKey: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", keyFrom(secretKey), iv);
  const body = Buffer.concat([cipher.update(plain, "utf8"), cipher.final()]);
  return ["v1", iv.toString("base64url"), cipher.getAuthTag().toString("base64url"), body.toString("base64url")].join(
    ".",
  );
}

export function decryptSecret(sealed: string, secretKey: string): string {
  const [version, iv, tag, body] = sealed.split(".");
  if (version !== "v1" || !iv || !tag || !body) throw new Error("unreadable sealed secret");
  const decipher = createDecipheriv("aes-256-gcm", keyFrom(secretKey), Buffer.from(iv, "base64url"));
  decipher.setAuthTag(Buffer.from(tag, "base64url"));
  return Buffer.concat([decipher.update(Buffer.from(body, "base64url")), decipher.final()]).toString("utf8");
}

/** A password for the local/demo credentials sign-in: scrypt with a random salt. */
export function hashPassword(password: string): string {
  const salt = randomBytes(16);
  return ["scrypt", salt.toString("base64url"), scryptSync(password, salt, 32).toString("base64url")].join(":");
}

export function verifyPassword(password: string, stored: string): boolean {
  const [scheme, salt, hash] = stored.split(":");
  if (scheme !== "scrypt" || !salt || !hash) return false;
  const expected = Buffer.from(hash, "base64url");
  const actual = scryptSync(password, Buffer.from(salt, "base64url"), expected.length);
  return timingSafeEqual(actual, expected);
}
