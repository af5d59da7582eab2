import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';
import { isMap } from 'yaml';

/** infra/ in this checkout. */
export const INFRA_DIR = fileURLToPath(new URL('..', import.meta.url));
/** The signing-key script the dev overlay's secretGenerator needs run first. */
export const SIGNING_KEY_SCRIPT = join(INFRA_DIR, 'scripts', 'signing-key.mjs');

/** A Kubernetes object as rendered: only what every object has is typed. */
export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  [field: string]: unknown;
}

/** Runs `kubectl kustomize DIR` (kustomize v5 built into kubectl); throws with kubectl's message when it fails. */
export function kustomize(dir: string): string {
  const r = spawnSync('kubectl', ['kustomize', dir], { encoding: 'utf8', timeout: 60_000 });
  if (r.error) throw new Error(`kubectl could not run: ${r.error.message}`);
  if (r.status !== 0) throw new Error(`kubectl kustomize ${dir} failed: ${r.stderr}`);
  return r.stdout;
}

/** Parses a multi-document YAML stream into objects; a YAML error or a document that is not a mapping throws. */
export function parseManifests(text: string): K8sObject[] {
  return parseAllDocuments(text).map((doc, i) => {
    if (doc.errors.length > 0) throw new Error(`document ${i}: ${doc.errors.map((e) => e.message).join('; ')}`);
    if (!isMap(doc.contents)) throw new Error(`document ${i} is not a mapping`);
    return doc.toJS() as K8sObject;
  });
}

/**
 * Copies infra/k8s to a temporary directory, writes the dev overlay's signing key there with the
 * real script (its files are git-ignored, so a checkout has none), and renders `overlay`.
 * Returns the rendered objects and a cleanup function.
 */
export function renderOverlay(overlay: 'dev' | 'prod'): { objects: K8sObject[]; text: string; root: string; cleanup: () => void } {
  const root = mkdtempSync(join(tmpdir(), 'coderoom-k8s-'));
  const cleanup = () => rmSync(root, { recursive: true, force: true });
  try {
    cpSync(join(INFRA_DIR, 'k8s'), root, { recursive: true, filter: (src) => !src.includes(`${join('overlays', 'dev', 'keys')}`) });
    if (overlay === 'dev') {
      const keys = join(root, 'overlays', 'dev', 'keys');
      const r = spawnSync(process.execPath, [SIGNING_KEY_SCRIPT, join(keys, 'private'), join(keys, 'public')], { encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`signing-key.mjs failed: ${r.stderr}`);
    }
    const text = kustomize(join(root, 'overlays', overlay));
    return { objects: parseManifests(text), text, root, cleanup };
  } catch (err) {
    cleanup();
    throw err;
  }
}
