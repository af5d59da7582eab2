import type { K8sObject } from './kustomize.js';

/** A kubernetes-models class: validate() throws with the JSON-schema errors. */
type ModelClass = new (data: unknown) => { validate(): void };

/** CRD groups and the @kubernetes-models package holding their schemas. */
const CRD_PACKAGES: Record<string, string> = {
  'monitoring.coreos.com': '@kubernetes-models/prometheus-operator',
};

/** The module of kubernetes-models (or a CRD package) that holds `apiVersion`'s classes. */
function modulePath(apiVersion: string): string {
  const slash = apiVersion.indexOf('/');
  if (slash < 0) return `kubernetes-models/${apiVersion}`; // core group: "v1"
  const group = apiVersion.slice(0, slash);
  return `${CRD_PACKAGES[group] ?? 'kubernetes-models'}/${apiVersion}`;
}

/**
 * Secret data as the API server reads it: kustomize wraps long base64 values over several lines,
 * and Go's base64 decoder (which the API server uses for []byte fields) skips line breaks, while
 * the schema's "byte" format does not.
 */
function forApiServer(obj: K8sObject): K8sObject {
  if (obj.kind !== 'Secret' || !obj.data || typeof obj.data !== 'object') return obj;
  const data = Object.fromEntries(Object.entries(obj.data).map(([k, v]) => [k, typeof v === 'string' ? v.replace(/[\r\n]/g, '') : v]));
  return { ...obj, data };
}

/**
 * Validates one object against the Kubernetes (or CRD) JSON schema that kubernetes-models ships.
 * Returns the problems found; an apiVersion or kind with no schema is a problem, not a pass.
 */
export async function schemaProblems(obj: K8sObject): Promise<string[]> {
  const where = `${obj.kind ?? '?'} ${obj.metadata?.name ?? '?'}`;
  if (typeof obj.apiVersion !== 'string' || typeof obj.kind !== 'string') return [`${where}: apiVersion and kind are required`];
  let mod: Record<string, unknown>;
  try {
    mod = (await import(modulePath(obj.apiVersion))) as Record<string, unknown>;
  } catch {
    return [`${where}: no schema for apiVersion ${obj.apiVersion}`];
  }
  const Model = mod[obj.kind] as ModelClass | undefined;
  if (typeof Model !== 'function') return [`${where}: no schema for ${obj.apiVersion} ${obj.kind}`];
  try {
    new Model(forApiServer(obj)).validate();
    return [];
  } catch (err) {
    return [`${where}: ${(err as Error).message}`];
  }
}
