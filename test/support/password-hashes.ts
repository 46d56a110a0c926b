/** The password behind FOREIGN_HASHES. */
export const FOREIGN_PASSWORD = 'Imported-pw1';

/**
 * Hashes of "Imported-pw1" written by other systems (Python's passlib 1.7, argon2-cffi 21 and bcrypt 3),
 * as a user moving to Roster would bring them.
 */
export const FOREIGN_HASHES = {
  argon2id: '$argon2id$v=19$m=8192,t=1,p=1$m3zLPmf5lZCsOe6vZzBROg$qbwyFrRyxFoHtjXx04dOxg',
  argon2i: '$argon2i$v=19$m=8192,t=1,p=1$koe/9PWJnd/WBf/vLaHOcw$7424H198Fdv+XjdzQm3nyA',
  argon2d: '$argon2d$v=19$m=8192,t=1,p=1$9Zfrk2/2H0IP0AimDuGyYg$ShzCuef2ZrBqP6IHhOSGAw',
  argon2iVersion16:
    '$argon2i$v=16$m=8192,t=1,p=1$c29tZXNhbHRzb21lc2FsdA$RkxxKf4uAwDB2+RtoOdICCjn7VRUPolz5lTm7KQSuRw',
  bcrypt2a: '$2a$10$t4AzL9GTN.7bfD6Vq/O8R.6cRAG2j8Ok6NPeyMp4XRUr1Q2pqrcTi',
  bcrypt2b: '$2b$10$VJQhyMOwxwRTaEMx564mhORrykHOgHdmm7E3Yn3Q/LNpglmyO9Foi',
  bcrypt2y: '$2y$10$C/HHz0jnye4W5.z6IR0DNOSAvd0Ql.z0xIYgGXE9EsCItYKn1wGmG',
  scrypt: '$scrypt$ln=14,r=8,p=1$B+Dce6+V8j6n1FrrvXfuXQ$bFHvghlg0QfVQ0g0UmrPiyfOmxJPfxo9OKnecxsIODU',
};
