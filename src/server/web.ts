import fs from 'node:fs';
import path from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyPluginAsync, FastifyReply } from 'fastify';

/** Where `npm run build` puts the web UI (from src/server or dist/server alike). */
export const WEB_ROOT = path.resolve(import.meta.dirname, '../../dist/web');

// The UI loads its own script and stylesheet and talks only to this origin's API; nothing inline, no frames.
const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/** index.html is read afresh each time; the hashed files under /assets/ never change under their name. */
function setHeaders(reply: FastifyReply, file: string): void {
  reply.header('x-content-type-options', 'nosniff');
  if (file.includes(`${path.sep}assets${path.sep}`)) {
    reply.header('cache-control', 'public, max-age=31536000, immutable');
    return;
  }
  reply.header('cache-control', 'no-cache');
  if (file.endsWith('.html')) {
    reply.header('content-security-policy', CONTENT_SECURITY_POLICY);
    reply.header('referrer-policy', 'same-origin');
  }
}

/**
 * The web UI's static files (built into dist/web) at `/`, and index.html for every other GET that is not
 * an API route or a file, so the UI's own paths (/imports/…) survive a reload. Nothing when the UI was not
 * built: the API works without it.
 */
export const webRoutes: FastifyPluginAsync<{ root?: string }> = async (app, opts) => {
  const root = opts.root ?? WEB_ROOT;
  if (!fs.existsSync(path.join(root, 'index.html'))) {
    app.log.debug({ root }, 'no web UI built: serving the API only');
    return;
  }
  // serve: false: no routes of its own, only reply.sendFile, which looks the file up on each request (so a
  // rebuild under a running server is served at once) and refuses paths that leave the root.
  await app.register(fastifyStatic, { root, serve: false, cacheControl: false, setHeaders });

  app.get('/*', { schema: { hide: true } }, (req, reply) => {
    const pathname = req.url.split('?', 1)[0]!;
    if (pathname === '/api' || pathname.startsWith('/api/')) return reply.callNotFound();
    // A name with an extension is a file (a missing one is a 404); any other path is a page of the UI.
    return /\.[^/]*$/.test(pathname) ? reply.sendFile(pathname.slice(1)) : reply.sendFile('index.html');
  });
};
