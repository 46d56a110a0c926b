import { describe, expect, it } from 'vitest';
import { checkPasswordHash, hashPassword, verifyPassword } from '../../src/domain/passwords.js';
import { FOREIGN_HASHES, FOREIGN_PASSWORD } from '../support/password-hashes.js';

describe('password hashes', () => {
  it('hashes with argon2id at 64 MiB, 3 passes, 4 lanes, salted, and verifies only the right password', async () => {
    const [a, b] = await Promise.all([hashPassword('correct horse'), hashPassword('correct horse')]);
    expect(a).toMatch(/^\$argon2id\$v=19\$m=65536,p=4,t=3\$/);
    expect(a).not.toBe(b);
    expect(checkPasswordHash(a)).toEqual({ format: 'argon2' });
    expect(await verifyPassword(a, 'correct horse')).toBe(true);
    expect(await verifyPassword(a, 'correct horse!')).toBe(false);
  });

  it.each(Object.entries(FOREIGN_HASHES))(
    'recognises and verifies a %s hash from another system',
    async (_, hash) => {
      expect(checkPasswordHash(hash)).toHaveProperty('format');
      expect(await verifyPassword(hash, FOREIGN_PASSWORD)).toBe(true);
      expect(await verifyPassword(hash, FOREIGN_PASSWORD.toLowerCase())).toBe(false);
    },
  );

  it.each([
    ['plain text', FOREIGN_PASSWORD],
    ['an md5 digest', '5f4dcc3b5aa765d61d8327deb882cf99'],
    ['md5-crypt', '$1$saltsalt$qjXMvbEw8oaL.CzflDugX/'],
    ['sha512-crypt', '$6$rounds=5000$saltsalt$abc'],
    ['bcrypt $2x$', FOREIGN_HASHES.bcrypt2b.replace('$2b$', '$2x$')],
    ['bcrypt cut short', FOREIGN_HASHES.bcrypt2b.slice(0, -1)],
    ['bcrypt cost 31', FOREIGN_HASHES.bcrypt2b.replace('$10$', '$31$')],
    ['argon2 with 4 GiB of memory', FOREIGN_HASHES.argon2id.replace('m=8192', 'm=4194304')],
    ['argon2 with a padded salt', FOREIGN_HASHES.argon2id.replace('ROg$', 'ROg==$')],
    ['scrypt with N=2^24', FOREIGN_HASHES.scrypt.replace('ln=14', 'ln=24')],
    ['Django scrypt', 'scrypt$16384$salt$8$1$bFHvghlg0QfVQ0g0UmrPiyfOmxJPfxo9OKnecxsIODU='],
  ])('refuses %s, without echoing it', async (_, value) => {
    const check = checkPasswordHash(value);
    expect(check).toHaveProperty('problem');
    expect(JSON.stringify(check)).not.toContain(value);
    expect(await verifyPassword(value, FOREIGN_PASSWORD)).toBe(false);
  });
});
