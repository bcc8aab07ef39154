import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { it } from 'node:test';
import { proc, which } from '@polis/core';
import { parseAllDocuments } from 'yaml';
import { convertToKubernetes } from './convert.js';
import { STACK } from '../testing/compose-stack.js';

// kubectl validates against a cluster's OpenAPI, which a test machine has not got; `kubectl kustomize`
// needs none and still decodes every document as a Kubernetes object (kind, apiVersion, metadata.name).
it('kubectl kustomize accepts the converted stack and refuses a nameless object', async (t) => {
  const kubectl = which('kubectl');
  if (!kubectl) return t.skip('kubectl is not installed');
  const dir = mkdtempSync(join(tmpdir(), 'polis-kube-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'kustomization.yaml'), 'resources:\n- stack.yaml\n');
  writeFileSync(join(dir, 'stack.yaml'), convertToKubernetes(STACK));
  const ok = await proc.run(kubectl, ['kustomize', dir], { timeoutMs: 60_000 });
  const names = parseAllDocuments(ok.stdout).map((d) => {
    const o = d.toJS() as { kind: string; metadata: { name: string } };
    return `${o.kind}/${o.metadata.name}`;
  });
  assert.deepEqual(names.sort(), [
    'Deployment/client',
    'Deployment/web',
    'Job/seed',
    'PersistentVolumeClaim/data',
    'Service/web',
  ]);
  writeFileSync(join(dir, 'stack.yaml'), 'apiVersion: v1\nkind: Service\nmetadata: {}\nspec: {}\n');
  const bad = await proc.run(kubectl, ['kustomize', dir], { timeoutMs: 60_000, okCodes: [0, 1] });
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /missing metadata\.name/);
});
