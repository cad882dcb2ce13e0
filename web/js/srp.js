// Cognito's SRP-6a sign-in (USER_SRP_AUTH + PASSWORD_VERIFIER), with BigInt and WebCrypto.
//
// The password never leaves the browser: InitiateAuth sends A = g^a mod N, Cognito answers with
// B, a salt and a secret block, and RespondToAuthChallenge proves knowledge of the password with
// an HMAC keyed by the shared SRP secret. Hex values are padded the way Cognito hashes them
// (padHex), every hash is SHA-256 over the bytes of the concatenated hex or UTF-8 strings.

// The 3072-bit group of RFC 5054 / RFC 3526, which Cognito uses, with g = 2.
const N_HEX =
  "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22514A08798E3404DD" +
  "EF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED" +
  "EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3DC2007CB8A163BF0598DA48361C55D39A69163FA8FD24CF5F" +
  "83655D23DCA3AD961C62F356208552BB9ED529077096966D670C354E4ABC9804F1746C08CA18217C32905E462E36CE3B" +
  "E39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9DE2BCBF6955817183995497CEA956AE515D2261898FA0510" +
  "15728E5A8AAAC42DAD33170D04507A33A85521ABDF1CBA64ECFB850458DBEF0A8AEA71575D060C7DB3970F85A6E1E4C7" +
  "ABF5AE8CDB0933D71E8C94E04A25619DCEE3D2261AD2EE6BF12FFA06D98A0864D87602733EC86A64521F2B18177B200C" +
  "BBE117577A615D6C770988C0BAD946E208E24FA074E5AB3143DB5BFCE0FD108E4B82D120A93AD2CAFFFFFFFFFFFFFFFF";
export const N = BigInt(`0x${N_HEX}`);
export const g = 2n;
const INFO = "Caldera Derived Key";
const DAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

const subtle = () => globalThis.crypto.subtle;
const utf8 = (text) => new TextEncoder().encode(text);

/** A non-negative BigInt as even-length hex, with a leading 00 when the top bit is set. */
export function padHex(value) {
  const hex = value.toString(16);
  if (hex.length % 2 === 1) return `0${hex}`;
  return "89abcdef".includes(hex[0]) ? `00${hex}` : hex;
}

function hexBytes(hex) {
  const bytes = new Uint8Array(hex.length / 2);
  for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return bytes;
}

function bytesHex(bytes) {
  return Array.from(new Uint8Array(bytes), (b) => b.toString(16).padStart(2, "0")).join("");
}

const bytesBigInt = (bytes) => BigInt(`0x${bytesHex(bytes) || "0"}`);
const mod = (value, m) => ((value % m) + m) % m;

export function modPow(base, exponent, m) {
  let result = 1n;
  let b = mod(base, m);
  let e = exponent;
  while (e > 0n) {
    if (e & 1n) result = (result * b) % m;
    b = (b * b) % m;
    e >>= 1n;
  }
  return result;
}

async function sha256(bytes) {
  return new Uint8Array(await subtle().digest("SHA-256", bytes));
}

async function hmac(keyBytes, messageBytes) {
  const key = await subtle().importKey("raw", keyBytes, { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  return new Uint8Array(await subtle().sign("HMAC", key, messageBytes));
}

const hashHex = async (hex) => bytesHex(await sha256(hexBytes(hex)));

function concat(...parts) {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

/** The secret exponent a: 128 random bytes, as Cognito's own clients pick it. */
export function randomSmallA() {
  return bytesBigInt(globalThis.crypto.getRandomValues(new Uint8Array(128))) % N;
}

export function largeA(a) {
  const A = modPow(g, a, N);
  if (A % N === 0n) throw new Error("SRP: A is zero mod N");
  return A;
}

/** k = H(N | g). */
export async function multiplierK() {
  return BigInt(`0x${await hashHex(padHex(N) + padHex(g))}`);
}

/** u = H(A | B). */
export async function scramblerU(A, B) {
  return BigInt(`0x${await hashHex(padHex(A) + padHex(B))}`);
}

/** x = H(salt | H(poolName | userId | ":" | password)). */
export async function privateX(poolName, userId, password, salt) {
  const inner = bytesHex(await sha256(utf8(`${poolName}${userId}:${password}`)));
  return BigInt(`0x${await hashHex(padHex(salt) + inner)}`);
}

/** HKDF-SHA256 of the shared secret S (salted with u) to Cognito's 16-byte key. */
export async function hkdf(S, u) {
  const prk = await hmac(hexBytes(padHex(u)), hexBytes(padHex(S)));
  return (await hmac(prk, concat(utf8(INFO), new Uint8Array([1])))).slice(0, 16);
}

/** The 16-byte password authentication key for a (client secret), A, B, salt and the password. */
export async function authenticationKey({ a, A, B, salt, poolName, userId, password }) {
  if (B % N === 0n) throw new Error("SRP: B is zero mod N");
  const u = await scramblerU(A, B);
  if (u === 0n) throw new Error("SRP: u is zero");
  const x = await privateX(poolName, userId, password, salt);
  const k = await multiplierK();
  const S = modPow(mod(B - k * modPow(g, x, N), N), a + u * x, N);
  return { u, x, S, key: await hkdf(S, u) };
}

/** base64(HMAC-SHA256(key, poolName | userId | secretBlock bytes | timestamp)). */
export async function claimSignature(key, poolName, userId, secretBlock, timestamp) {
  const block = Uint8Array.from(atob(secretBlock), (c) => c.charCodeAt(0));
  const signature = await hmac(key, concat(utf8(poolName), utf8(userId), block, utf8(timestamp)));
  return btoa(String.fromCharCode(...signature));
}

/** Cognito's timestamp: "Tue Dec 1 16:40:00 UTC 2026" (UTC, day of month not padded). */
export function cognitoTimestamp(date = new Date()) {
  const two = (n) => String(n).padStart(2, "0");
  const time = `${two(date.getUTCHours())}:${two(date.getUTCMinutes())}:${two(date.getUTCSeconds())}`;
  return `${DAYS[date.getUTCDay()]} ${MONTHS[date.getUTCMonth()]} ${date.getUTCDate()} ${time} UTC ${date.getUTCFullYear()}`;
}

/** Starts a sign-in: the secret a and the SRP_A parameter for InitiateAuth. */
export function srpStart() {
  const a = randomSmallA();
  const A = largeA(a);
  return { a, A, srpA: A.toString(16) };
}

/**
 * The ChallengeResponses answering PASSWORD_VERIFIER, given a and A from srpStart, the user pool
 * id ("region_poolName"), the password and the challenge's parameters.
 */
export async function passwordVerifierResponses({ a, A, poolId, password, challenge, timestamp = cognitoTimestamp() }) {
  const poolName = poolId.split("_")[1];
  const userId = challenge.USER_ID_FOR_SRP;
  const { key } = await authenticationKey({
    a,
    A,
    B: BigInt(`0x${challenge.SRP_B}`),
    salt: BigInt(`0x${challenge.SALT}`),
    poolName,
    userId,
    password,
  });
  return {
    USERNAME: userId,
    PASSWORD_CLAIM_SECRET_BLOCK: challenge.SECRET_BLOCK,
    PASSWORD_CLAIM_SIGNATURE: await claimSignature(key, poolName, userId, challenge.SECRET_BLOCK, timestamp),
    TIMESTAMP: timestamp,
  };
}
