import { z } from 'zod';
import { CONTROL_API_VERSION, ERRORS, type ErrorCode } from '@coderoom/shared';
import type { RouteDoc, Router } from './http.js';

/** Version of the OpenAPI specification the document follows (JSON Schema 2020-12 dialect). */
export const OPENAPI_VERSION = '3.1.0';

type Json = Record<string, unknown>;

/** A zod schema as JSON Schema 2020-12 (what OpenAPI 3.1 uses); refinements and transforms are not expressible and are left out. */
function schema(s: z.ZodType, io: 'input' | 'output'): Json {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(s, { io, unrepresentable: 'any', target: 'draft-2020-12' }) as Json;
  return rest;
}

const ERROR_CODES = Object.keys(ERRORS) as ErrorCode[];

/** Codes every route may answer with, beside those it documents. */
function commonErrors(doc: RouteDoc): ErrorCode[] {
  const codes: ErrorCode[] = [];
  if (doc.body || doc.query) codes.push('BAD_REQUEST');
  if (doc.body) codes.push('PAYLOAD_TOO_LARGE');
  if (doc.auth !== 'none') codes.push('UNAUTHORIZED');
  return codes;
}

function security(doc: RouteDoc): Json[] | undefined {
  switch (doc.auth) {
    case 'none': return undefined;
    case 'cookie': return [{ sessionCookie: [] }];
    case 'bearer': return [{ roomToken: [] }];
    case 'cookie-or-bearer': return [{ sessionCookie: [] }, { roomToken: [] }];
  }
}

/**
 * The REST API as an OpenAPI 3.1 document, generated from the routes' declared docs and the
 * same zod schemas their handlers validate with (API2). Routes declared without a doc appear
 * with a summary only.
 */
export function buildOpenApi(router: Router): Json {
  const paths: Record<string, Record<string, Json>> = {};
  for (const route of router.list()) {
    const params: Json[] = [];
    const path = route.path.replace(/:([A-Za-z]+)/g, (_m, name: string) => {
      params.push({ name, in: 'path', required: true, schema: { type: 'string' } });
      return `{${name}}`;
    });
    const doc: RouteDoc = route.doc ?? { summary: `${route.method} ${route.path}`, tag: 'other', auth: 'none' };
    if (doc.query) {
      const q = schema(doc.query, 'input') as { properties?: Record<string, Json>; required?: string[] };
      for (const [name, s] of Object.entries(q.properties ?? {})) params.push({ name, in: 'query', required: q.required?.includes(name) ?? false, schema: s });
    }
    const okStatus = String(doc.status ?? 200);
    const responses: Record<string, Json> = {};
    if (doc.produces) responses[okStatus] = { description: 'success', content: { [doc.produces]: { schema: { type: 'string' } } } };
    else responses[okStatus] = { description: 'success', content: { 'application/json': { schema: doc.response ? schema(doc.response, 'output') : {} } } };
    const codes = [...new Set([...commonErrors(doc), ...(doc.errors ?? [])])];
    for (const code of codes) {
      const status = String(ERRORS[code].httpStatus);
      const r = (responses[status] ??= { description: '', content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } });
      r.description = r.description ? `${String(r.description)}, ${code}` : `error ${code}`;
    }
    responses.default = { description: 'any other error (see the ERRORS table)', content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } };
    const op: Json = {
      operationId: `${route.method.toLowerCase()}${path.replace(/[{}]/g, '').replace(/[^A-Za-z0-9]+(.)?/g, (_m, c: string | undefined) => (c ?? '').toUpperCase())}`,
      summary: doc.summary,
      tags: [doc.tag],
      parameters: params,
      responses,
    };
    const sec = security(doc);
    if (sec) op.security = sec;
    if (doc.body) op.requestBody = { required: true, content: { 'application/json': { schema: schema(doc.body, 'input') } } };
    (paths[path] ??= {})[route.method.toLowerCase()] = op;
  }
  return {
    openapi: OPENAPI_VERSION,
    info: {
      title: 'CodeRoom control plane',
      version: String(CONTROL_API_VERSION),
      description:
        'REST API of the CodeRoom hub. Errors are `{"error":{"code","message"}}` with the status of the code in the shared ERRORS table. ' +
        'State-changing calls authenticated by the session cookie must send `Content-Type: application/json` and a same-origin `Origin` (CSRF).',
    },
    servers: [{ url: '/' }],
    paths,
    components: {
      securitySchemes: {
        sessionCookie: { type: 'apiKey', in: 'cookie', name: 'coderoom_session' },
        roomToken: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
      },
      schemas: {
        Error: {
          type: 'object',
          required: ['error'],
          properties: { error: { type: 'object', required: ['code', 'message'], properties: { code: { type: 'string', enum: ERROR_CODES }, message: { type: 'string' } } } },
        },
      },
    },
  };
}
