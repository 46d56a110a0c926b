import type { FastifyPluginAsync } from 'fastify';

/** The web UI's static files (built into dist/web); nothing when they are not built. */
export const webRoutes: FastifyPluginAsync = async () => {};
