/** Walking the server's OpenAPI document: its operations, their paths filled in, and sample JSON bodies. */

// The document is plain JSON from the server; these are the parts the tests read.
export interface OpenApiDoc {
  openapi: string;
  paths: Record<string, Record<string, OpenApiOperation>>;
  components?: { schemas?: Record<string, JsonSchema> };
}

export interface OpenApiOperation {
  summary?: string;
  tags?: string[];
  security?: unknown[];
  parameters?: { in: string; name: string; required?: boolean; schema?: JsonSchema }[];
  requestBody?: { content?: Record<string, { schema?: JsonSchema }> };
  responses?: Record<string, unknown>;
}

export interface JsonSchema {
  $ref?: string;
  type?: string | string[];
  enum?: unknown[];
  const?: unknown;
  format?: string;
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
  nullable?: boolean;
}

/** One method on one path: `GET /api/imports/{id}`, with its path parameters. */
export interface Operation {
  method: string;
  path: string;
  params: { name: string; enum?: string[] }[];
  operation: OpenApiOperation;
}

const METHODS = ['get', 'post', 'put', 'patch', 'delete'];

/** Every operation of the document, in document order. */
export function operationsOf(doc: OpenApiDoc): Operation[] {
  return Object.entries(doc.paths).flatMap(([path, item]) =>
    Object.entries(item)
      .filter(([method]) => METHODS.includes(method))
      .map(([method, operation]) => ({
        method: method.toUpperCase(),
        path,
        operation,
        params: (path.match(/\{[^}]+\}/g) ?? []).map((p) => {
          const name = p.slice(1, -1);
          const schema = operation.parameters?.find((x) => x.in === 'path' && x.name === name)?.schema;
          return { name, ...(schema?.enum ? { enum: schema.enum.map(String) } : {}) };
        }),
      })),
  );
}

/** The path with each `{param}` replaced by its (URL-encoded) value. */
export function fillPath(path: string, values: Record<string, string>): string {
  return path.replace(/\{([^}]+)\}/g, (_, name: string) => {
    const value = values[name];
    if (value === undefined) throw new Error(`no value for {${name}} in ${path}`);
    return encodeURIComponent(value);
  });
}

/** A JSON body that the operation's schema accepts (every property filled in), or undefined if it takes none. */
export function sampleJsonBody(doc: OpenApiDoc, op: OpenApiOperation): unknown {
  const schema = op.requestBody?.content?.['application/json']?.schema;
  return schema ? sampleOf(doc, schema) : undefined;
}

function sampleOf(doc: OpenApiDoc, schema: JsonSchema, depth = 0, key = ''): unknown {
  if (depth > 8) return null;
  if (schema.$ref) return sampleOf(doc, resolveRef(doc, schema.$ref), depth + 1, key);
  // A null where one is allowed: valid in any workspace, where a made-up name might not be.
  if (schema.nullable) return null;
  if (schema.const !== undefined) return schema.const;
  if (schema.enum) return schema.enum.find((v) => v !== null) ?? null;
  if (schema.allOf) return Object.assign({}, ...schema.allOf.map((s) => sampleOf(doc, s, depth + 1, key)));
  const choice = (schema.anyOf ?? schema.oneOf)?.find((s) => s.type !== 'null');
  if (choice) return sampleOf(doc, choice, depth + 1, key);
  const type = Array.isArray(schema.type) ? schema.type.find((t) => t !== 'null') : schema.type;
  switch (type ?? 'none') {
    case 'object':
      return Object.fromEntries(
        Object.entries(schema.properties ?? {}).map(([k, s]) => [k, sampleOf(doc, s, depth + 1, k)]),
      );
    case 'array':
      return [];
    case 'integer':
    case 'number':
      return Math.max(1, schema.minimum ?? 1);
    case 'boolean':
      return true;
    case 'string':
      return sampleString(schema, key);
    default:
      return null;
  }
}

function sampleString(schema: JsonSchema, key: string): string {
  if (schema.format === 'email' || /email/i.test(key)) return 'intruder@other.test';
  if (schema.format === 'date') return '2024-01-31';
  if (schema.format === 'date-time') return '2024-01-31T00:00:00.000Z';
  const candidates = ['intruder', 'intruder1', 'x', 'X1', 'ABC001', 'a_b', '1'];
  const pattern = schema.pattern ? new RegExp(schema.pattern) : undefined;
  const fits = (s: string) =>
    (!pattern || pattern.test(s)) &&
    s.length >= (schema.minLength ?? 0) &&
    s.length <= (schema.maxLength ?? Infinity);
  return candidates.find(fits) ?? 'x'.repeat(Math.max(1, schema.minLength ?? 1));
}

function resolveRef(doc: OpenApiDoc, ref: string): JsonSchema {
  const name = ref.replace('#/components/schemas/', '');
  const schema = doc.components?.schemas?.[name];
  if (!schema) throw new Error(`unresolved ${ref}`);
  return schema;
}

/**
 * The routes a Fastify app has, from `app.printRoutes({ commonPrefix: false })` (Fastify has no public
 * route list), as `METHOD /path/{param}` in OpenAPI's notation; HEAD routes that Fastify adds are left out.
 */
export function parsePrintedRoutes(printed: string): string[] {
  const routes: string[] = [];
  const stack: string[] = [];
  for (const line of printed.split('\n')) {
    const at = line.indexOf('── ');
    if (at < 0) continue;
    // Each level indents by four columns, then a branch character ("├" or "└") and "── ".
    const depth = (at - 1) / 4;
    const match = /^(.*?)(?: \(([A-Z, ]+)\))?$/.exec(line.slice(at + 3));
    if (!match) continue;
    stack.length = depth;
    stack.push(match[1]!);
    const path = stack.join('').replace(/:(\w+)/g, '{$1}');
    for (const method of (match[2] ?? '').split(', ').filter(Boolean)) {
      if (method !== 'HEAD') routes.push(`${method} ${path}`);
    }
  }
  return routes;
}
