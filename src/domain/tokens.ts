import { createHash, randomBytes } from 'node:crypto';
import type { Db } from '../db/dialect.js';
import { AppError } from '../errors.js';
import type { Role } from './roles.js';
import { now } from './text.js';
import type { Workspace } from './workspaces.js';

/** A token as listed: never the token, never its hash. */
export interface ApiToken {
  id: number;
  name: string;
  prefix: string;
  role: Role;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

const TOKEN_PREFIX = 'roster_';

export function sha256(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}

/** Creates a workspace API token; returns it (shown once) and what is kept of it. */
export async function createToken(
  db: Db,
  workspaceId: number,
  name: string,
  role: Role = 'admin',
): Promise<{ token: string; listed: ApiToken }> {
  const token = TOKEN_PREFIX + randomBytes(32).toString('base64url');
  const row = {
    workspace_id: workspaceId,
    name,
    token_hash: sha256(token),
    prefix: token.slice(0, TOKEN_PREFIX.length + 6),
    role,
    created_at: now(),
  };
  const { id } = await db.insertInto('api_tokens').values(row).returning('id').executeTakeFirstOrThrow();
  return {
    token,
    listed: {
      id,
      name,
      prefix: row.prefix,
      role,
      createdAt: row.created_at,
      lastUsedAt: null,
      revokedAt: null,
    },
  };
}

export async function listTokens(db: Db, workspaceId: number): Promise<ApiToken[]> {
  const rows = await db
    .selectFrom('api_tokens')
    .select(['id', 'name', 'prefix', 'role', 'created_at', 'last_used_at', 'revoked_at'])
    .where('workspace_id', '=', workspaceId)
    .orderBy('id')
    .execute();
  return rows.map((r) => ({
    id: r.id,
    name: r.name,
    prefix: r.prefix,
    role: r.role,
    createdAt: r.created_at,
    lastUsedAt: r.last_used_at,
    revokedAt: r.revoked_at,
  }));
}

/** Revokes a token by id or by its listed prefix; it stops working at once. */
export async function revokeToken(db: Db, workspace: Workspace, idOrPrefix: string): Promise<ApiToken> {
  const tokens = (await listTokens(db, workspace.id)).filter(
    (t) => String(t.id) === idOrPrefix || t.prefix === idOrPrefix,
  );
  if (tokens.length !== 1) {
    throw new AppError(
      'not_found',
      `No token "${idOrPrefix}" in ${workspace.slug}.`,
      'List them with `roster tokens list`.',
    );
  }
  const token = tokens[0]!;
  if (token.revokedAt) return token;
  const revokedAt = now();
  await db.updateTable('api_tokens').set({ revoked_at: revokedAt }).where('id', '=', token.id).execute();
  return { ...token, revokedAt };
}

/**
 * The workspace and token name a bearer token stands for, or null if it is unknown or revoked. Only reads:
 * a request that finds its token must not wait for a write (see {@link recordTokenUse}).
 */
export async function findTokenOwner(
  db: Db,
  token: string,
): Promise<{
  workspace: Workspace;
  tokenId: number;
  name: string;
  role: Role;
  lastUsedAt: string | null;
} | null> {
  if (!token.startsWith(TOKEN_PREFIX)) return null;
  const row = await db
    .selectFrom('api_tokens')
    .innerJoin('workspaces', 'workspaces.id', 'api_tokens.workspace_id')
    .select([
      'api_tokens.id',
      'api_tokens.name',
      'api_tokens.role',
      'api_tokens.last_used_at',
      'workspaces.id as workspace_id',
      'workspaces.slug',
      'workspaces.name as workspace_name',
    ])
    .where('api_tokens.token_hash', '=', sha256(token))
    .where('api_tokens.revoked_at', 'is', null)
    .executeTakeFirst();
  if (!row) return null;
  return {
    workspace: { id: row.workspace_id, slug: row.slug, name: row.workspace_name },
    tokenId: row.id,
    name: row.name,
    role: row.role,
    lastUsedAt: row.last_used_at,
  };
}

/** Records that a token was used just now (what `roster tokens list` shows as lastUsedAt). */
export async function recordTokenUse(db: Db, tokenId: number): Promise<void> {
  await db.updateTable('api_tokens').set({ last_used_at: now() }).where('id', '=', tokenId).execute();
}
