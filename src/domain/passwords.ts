import { scrypt, timingSafeEqual } from 'node:crypto';
import os from 'node:os';
import bcrypt from 'bcryptjs';

/** The shortest password a user may be given, in characters (code points). */
export const MIN_PASSWORD_LENGTH = 6;

/**
 * argon2id with RFC 9106's second recommended setting (64 MiB, 3 passes, 4 lanes). Written out rather than
 * taken from the library's defaults, so that an upgrade cannot weaken it unnoticed.
 */
const ARGON2 = { memoryCost: 65_536, timeCost: 3, parallelism: 4 } as const;

/**
 * argon2 is a native module, loaded when first needed: should its binary not work on some machine (its
 * prebuilt linux-x64 binary crashes on this project's machines; `npm install` compiles it), only commands that
 * hash or check a password are affected.
 */
let argon2: Promise<typeof import('argon2')> | undefined;
const loadArgon2 = () => (argon2 ??= import('argon2'));

/** How many hashes run at once: one per core, leaving libuv's thread pool a thread for file reads. */
const SLOTS = Math.max(1, Math.min(os.availableParallelism(), threadPoolSize() - 1));

function threadPoolSize(): number {
  const size = Number(process.env.UV_THREADPOOL_SIZE);
  return Number.isInteger(size) && size > 0 ? size : 4;
}

let running = 0;
const waiting: (() => void)[] = [];

/**
 * Runs slow hashing work (argon2 and scrypt run in libuv's thread pool, off the main thread) at most SLOTS at
 * a time; callers may start any number at once (`Promise.all`) and the cores stay busy without a backlog
 * that would starve file reads in the same pool. A freed slot passes straight to the next waiter.
 */
async function inSlot<T>(work: () => Promise<T>): Promise<T> {
  if (running < SLOTS) running += 1;
  else await new Promise<void>((resolve) => waiting.push(resolve));
  try {
    return await work();
  } finally {
    const next = waiting.shift();
    if (next) next();
    else running -= 1;
  }
}

/** A password's length as people count it (code points, not UTF-16 units). */
export function passwordLength(password: string): number {
  return [...password].length;
}

/** Hashes a password with argon2id (salted, slow on purpose), off the main thread. */
export function hashPassword(password: string): Promise<string> {
  return inSlot(async () => {
    const { hash, argon2id } = await loadArgon2();
    return hash(password, { ...ARGON2, type: argon2id });
  });
}

export type HashFormat = 'argon2' | 'bcrypt' | 'scrypt';

/** A hash in a format Roster accepts, or why not; never echoes the hash. */
export type HashCheck = { format: HashFormat } | { problem: string };

const B64 = '[A-Za-z0-9+/]+';
// Parameters in any order: the PHC format says m,t,p, node-argon2 writes m,p,t.
const ARGON2_FORM = new RegExp(
  `^\\$argon2(?:id|i|d)\\$(?:v=(?:16|19)\\$)?([mtp]=\\d{1,8},[mtp]=\\d{1,8},[mtp]=\\d{1,8})\\$(${B64})\\$(${B64})$`,
);
const BCRYPT_FORM = /^\$2[aby]\$(\d\d)\$[./A-Za-z0-9]{53}$/;
const SCRYPT_FORM = new RegExp(`^\\$scrypt\\$ln=(\\d{1,2}),r=(\\d{1,3}),p=(\\d{1,3})\\$(${B64})\\$(${B64})$`);

/** Limits on what an imported hash may cost at each sign-in (memory and time), so one row cannot stall it. */
const MAX_ARGON2_MIB = 1024;
const MAX_BCRYPT_COST = 16;
const MAX_SCRYPT_MIB = 256;

/** Standard base64 without padding (PHC strings), decoded; undefined when not canonical. */
function b64(value: string): Buffer | undefined {
  const bytes = Buffer.from(value, 'base64');
  return bytes.toString('base64').replace(/=+$/, '') === value ? bytes : undefined;
}

/**
 * Recognises a password hash in its standard string form: argon2id/argon2i/argon2d PHC strings
 * (`$argon2id$v=19$m=…,t=…,p=…$salt$hash`), bcrypt (`$2a$`, `$2b$`, `$2y$`) and scrypt in the PHC form
 * passlib writes (`$scrypt$ln=…,r=…,p=…$salt$hash`, salt and hash base64 without padding).
 */
export function checkPasswordHash(value: string): HashCheck {
  const argon = ARGON2_FORM.exec(value);
  if (argon) {
    const params = new Map(argon[1]!.split(',').map((kv) => [kv[0]!, Number(kv.slice(2))]));
    const [m, t, p] = [params.get('m') ?? 0, params.get('t') ?? 0, params.get('p') ?? 0];
    const salt = b64(argon[2]!);
    const tag = b64(argon[3]!);
    if (!salt || salt.length < 8 || !tag || tag.length < 4)
      return { problem: 'its salt or hash part is malformed' };
    if (t < 1 || p < 1 || m < 8 * p || m > MAX_ARGON2_MIB * 1024) {
      return { problem: `its argon2 parameters are out of range (at most ${MAX_ARGON2_MIB} MiB)` };
    }
    return { format: 'argon2' };
  }
  const bcryptCost = BCRYPT_FORM.exec(value);
  if (bcryptCost) {
    const cost = Number(bcryptCost[1]);
    if (cost < 4 || cost > MAX_BCRYPT_COST) {
      return { problem: `its bcrypt cost is out of range (4 to ${MAX_BCRYPT_COST})` };
    }
    return { format: 'bcrypt' };
  }
  const params = scryptParams(value);
  if (params) {
    return 'problem' in params ? params : { format: 'scrypt' };
  }
  return { problem: 'it is not an argon2, bcrypt or scrypt hash in standard form' };
}

interface ScryptParams {
  N: number;
  r: number;
  p: number;
  salt: Buffer;
  hash: Buffer;
}

function scryptParams(value: string): ScryptParams | { problem: string } | undefined {
  const match = SCRYPT_FORM.exec(value);
  if (!match) return undefined;
  const [ln, r, p] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const salt = b64(match[4]!);
  const hash = b64(match[5]!);
  if (!salt || salt.length < 8 || !hash || hash.length < 16)
    return { problem: 'its salt or hash part is malformed' };
  if (ln < 1 || ln > 24 || r < 1 || p < 1 || p > 16 || 128 * r * 2 ** ln > MAX_SCRYPT_MIB * 2 ** 20) {
    return { problem: `its scrypt parameters are out of range (at most ${MAX_SCRYPT_MIB} MiB)` };
  }
  return { N: 2 ** ln, r, p, salt, hash };
}

/**
 * Whether `password` matches `hash`, for every format that checkPasswordHash accepts (imported hashes keep
 * their format until the password is set again). False for a missing or unrecognised hash.
 */
export async function verifyPassword(hash: string | null, password: string): Promise<boolean> {
  if (hash === null) return false;
  const check = checkPasswordHash(hash);
  if ('problem' in check) return false;
  switch (check.format) {
    case 'argon2':
      return inSlot(async () => (await loadArgon2()).verify(hash, password));
    case 'bcrypt':
      return bcrypt.compare(password, hash);
    case 'scrypt':
      return inSlot(() => verifyScrypt(scryptParams(hash) as ScryptParams, password));
  }
}

function verifyScrypt(s: ScryptParams, password: string): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const maxmem = 128 * s.r * (s.N + s.p + 2) + 2 ** 20;
    scrypt(password, s.salt, s.hash.length, { N: s.N, r: s.r, p: s.p, maxmem }, (err, key) => {
      if (err) reject(new Error('scrypt verification failed'));
      else resolve(timingSafeEqual(key, s.hash));
    });
  });
}
