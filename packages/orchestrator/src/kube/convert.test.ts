import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import Ajv from 'ajv';
import { parseAllDocuments } from 'yaml';
import { convertToKubernetes } from './convert.js';
import { kubernetesSchemas } from './schemas/index.js';
import { STACK } from '../testing/compose-stack.js';

type Doc = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const ajv = new Ajv({ allErrors: true });
const validators = Object.fromEntries(Object.entries(kubernetesSchemas).map(([k, s]) => [k, ajv.compile(s)]));

/** The check a schema-aware tool (kubeconform) makes: the document's type, then its schema. */
function check(doc: Doc): string[] {
  const validate = validators[`${doc['apiVersion']}/${doc['kind']}`];
  if (!validate) return [`no schema for ${doc['apiVersion']}/${doc['kind']}`];
  if (validate(doc)) return [];
  return (validate.errors ?? []).map((e) => `${e.dataPath} ${e.message}`);
}

function docs(yaml: string): Doc[] {
  return parseAllDocuments(yaml).map((d) => {
    assert.deepEqual(d.errors, []);
    return d.toJS() as Doc;
  });
}
const find = (all: Doc[], kind: string, name: string): Doc => {
  const d = all.find((x) => x['kind'] === kind && x['metadata']['name'] === name);
  assert.ok(d, `${kind} ${name}`);
  return d;
};

describe('compose convert --to kubernetes', () => {
  const yaml = convertToKubernetes(STACK);
  const all = docs(yaml);

  it('writes one document per object, each accepted by the schema of its Kubernetes type', () => {
    assert.doesNotMatch(yaml, /[&*]a\d/, 'no YAML anchors: some Kubernetes tools refuse aliases');
    assert.deepEqual(
      all.map((d) => `${d['kind']}/${d['metadata']['name']}`),
      ['PersistentVolumeClaim/data', 'Deployment/client', 'Job/seed', 'Deployment/web', 'Service/web'],
    );
    for (const d of all) assert.deepEqual(check(d), [], `${d['kind']} ${d['metadata']['name']}`);
    // What the API server also checks: a Deployment's selector picks its own pods.
    for (const d of all.filter((x) => x['kind'] === 'Deployment'))
      for (const [k, v] of Object.entries(d['spec']['selector']['matchLabels']))
        assert.equal(d['spec']['template']['metadata']['labels'][k], v);
  });

  it('web: replicas, image, ports, resources, probes from the healthcheck, the volume mount', () => {
    const web = find(all, 'Deployment', 'web');
    assert.equal(web['spec']['replicas'], 2);
    assert.deepEqual(web['metadata']['labels'], {
      'app.kubernetes.io/name': 'web',
      'app.kubernetes.io/instance': 'demo',
      'app.kubernetes.io/part-of': 'demo',
      'app.kubernetes.io/managed-by': 'polis',
    });
    const [c] = web['spec']['template']['spec']['containers'];
    assert.equal(c['image'], 'docker.io/library/nginx:alpine');
    assert.deepEqual(c['ports'], [{ containerPort: 80, protocol: 'TCP' }]);
    assert.deepEqual(c['env'], [{ name: 'NGINX_ENTRYPOINT_QUIET_LOGS', value: '1' }]);
    assert.deepEqual(c['resources'], {
      requests: { cpu: '250m', memory: '64Mi' },
      limits: { cpu: '1', memory: '256Mi' },
    });
    const probe = {
      exec: { command: ['/bin/sh', '-c', 'wget -q -O- http://localhost/ || exit 1'] },
      initialDelaySeconds: 2,
      periodSeconds: 5,
      timeoutSeconds: 3,
      failureThreshold: 5,
    };
    assert.deepEqual(c['livenessProbe'], probe);
    assert.deepEqual(c['readinessProbe'], probe);
    assert.deepEqual(c['volumeMounts'], [
      { name: 'data', mountPath: '/usr/share/nginx/html', readOnly: true },
    ]);
    assert.deepEqual(web['spec']['template']['spec']['volumes'], [
      { name: 'data', persistentVolumeClaim: { claimName: 'data' } },
    ]);
  });

  it('web Service: the container port by name inside the cluster, the published one outside', () => {
    const svc = find(all, 'Service', 'web');
    assert.equal(svc['spec']['type'], 'LoadBalancer');
    assert.deepEqual(svc['spec']['selector'], {
      'app.kubernetes.io/name': 'web',
      'app.kubernetes.io/instance': 'demo',
    });
    assert.deepEqual(svc['spec']['ports'], [
      { name: 'tcp-80', port: 80, targetPort: 80, protocol: 'TCP' },
      { name: 'tcp-8080', port: 8080, targetPort: 80, protocol: 'TCP' },
    ]);
  });

  it('seed, which web waits to complete, is a Job; client keeps its quoted command words', () => {
    const seed = find(all, 'Job', 'seed');
    assert.equal(seed['spec']['template']['spec']['restartPolicy'], 'OnFailure');
    assert.deepEqual(seed['spec']['template']['spec']['containers'][0]['args'], [
      'sh',
      '-c',
      'echo hello from polis > /data/index.html',
    ]);
    const client = find(all, 'Deployment', 'client');
    const [c] = client['spec']['template']['spec']['containers'];
    assert.deepEqual(c['args'], ['sh', '-c', 'wget -q -O- http://web/ && sleep 3600']);
    assert.deepEqual(c['env'], [{ name: 'TARGET', value: 'http://web/' }]);
    assert.equal(c['command'], undefined);
    assert.equal(
      all.filter((d) => d['kind'] === 'Service').length,
      1,
      'no Service for what publishes nothing',
    );
  });

  it('the claim: ReadWriteOnce, 1Gi by default', () => {
    const pvc = find(all, 'PersistentVolumeClaim', 'data');
    assert.deepEqual(pvc['spec'], {
      accessModes: ['ReadWriteOnce'],
      resources: { requests: { storage: '1Gi' } },
    });
  });

  it('the schemas reject broken manifests', (t) => {
    const web = (): Doc => structuredClone(find(all, 'Deployment', 'web'));
    const container = (d: Doc): Doc => d['spec']['template']['spec']['containers'][0];
    const broken: [string, Doc][] = [];
    let d = web();
    container(d)['ports'][0]['containerPort'] = '80';
    broken.push(['port as a string', d]);
    d = web();
    container(d)['resources']['limits']['memory'] = '256 MB';
    broken.push(['memory not a quantity', d]);
    d = web();
    container(d)['resources']['requests']['cpu'] = 0.25;
    broken.push(['cpu as a number', d]);
    d = web();
    delete container(d)['image'];
    broken.push(['no image', d]);
    d = web();
    container(d)['livenessProbe']['periodSeconds'] = 0;
    broken.push(['probe period 0', d]);
    d = web();
    container(d)['readinessProbe']['timeoutSeconds'] = 1.5;
    broken.push(['probe timeout not whole', d]);
    d = web();
    delete d['spec']['selector'];
    broken.push(['no selector', d]);
    d = web();
    d['metadata']['name'] = 'Web_Server';
    broken.push(['name not DNS-1123', d]);
    d = web();
    d['apiVersion'] = 'extensions/v1beta1';
    broken.push(['old apiVersion', d]);
    d = web();
    d['spec']['template']['spec']['containers'] = [];
    broken.push(['no containers', d]);
    d = web();
    container(d)['imagePullPolicy2'] = 'Always';
    broken.push(['unknown container field', d]);
    d = web();
    d['spec']['template']['spec']['restartPolicy'] = 'Never';
    broken.push(['Deployment pods that do not restart', d]);
    d = structuredClone(find(all, 'Service', 'web'));
    d['spec']['ports'][0]['port'] = 70000;
    broken.push(['service port out of range', d]);
    d = structuredClone(find(all, 'PersistentVolumeClaim', 'data'));
    delete d['spec']['resources']['requests']['storage'];
    broken.push(['claim without a size', d]);
    d = structuredClone(find(all, 'Job', 'seed'));
    d['spec']['template']['spec']['restartPolicy'] = 'Always';
    broken.push(['a Job restarting Always', d]);
    for (const [what, doc] of broken) {
      const errors = check(doc);
      assert.notDeepEqual(errors, [], `${what} was accepted`);
      t.diagnostic(`${what}: ${errors[0]}`);
    }
  });

  it('options: namespace, NodePort in range, claim size, expose-only ClusterIP, built images, external volumes', () => {
    const out = docs(
      convertToKubernetes(
        {
          services: {
            Api_Server: {
              build: { context: '.' },
              ports: ['127.0.0.1:30080:8080', { target: 9000, published: '9000', protocol: 'udp' }],
            },
            db: {
              image: 'postgres:16',
              expose: ['5432'],
              volumes: ['pg:/var/lib/postgresql/data', 'shared:/shared'],
            },
          },
          volumes: { pg: { 'x-polis-size': '10g' }, shared: { external: true } },
        },
        { projectName: 'Shop', namespace: 'shop', publishedServiceType: 'NodePort' },
      ),
    );
    for (const d of out) {
      assert.deepEqual(check(d), [], `${d['kind']} ${d['metadata']['name']}`);
      assert.equal(d['metadata']['namespace'], 'shop');
    }
    assert.deepEqual(
      out.map((d) => `${d['kind']}/${d['metadata']['name']}`),
      [
        'PersistentVolumeClaim/pg',
        'Deployment/api-server',
        'Service/api-server',
        'Deployment/db',
        'Service/db',
      ],
    );
    assert.equal(
      find(out, 'Deployment', 'api-server')['spec']['template']['spec']['containers'][0]['image'],
      'shop-api-server',
    );
    const api = find(out, 'Service', 'api-server');
    assert.equal(api['spec']['type'], 'NodePort');
    assert.deepEqual(api['spec']['ports'], [
      { name: 'tcp-8080', port: 8080, targetPort: 8080, protocol: 'TCP' },
      { name: 'udp-9000', port: 9000, targetPort: 9000, protocol: 'UDP' },
      { name: 'tcp-30080', port: 30080, targetPort: 8080, protocol: 'TCP', nodePort: 30080 },
    ]);
    const db = find(out, 'Service', 'db');
    assert.equal(db['spec']['type'], 'ClusterIP');
    assert.deepEqual(find(out, 'PersistentVolumeClaim', 'pg')['spec']['resources'], {
      requests: { storage: '10Gi' },
    });
  });

  it('x-polis-autoscale becomes a HorizontalPodAutoscaler; stop_grace_period, capabilities, read_only carry over', () => {
    const out = docs(
      convertToKubernetes({
        name: 'demo',
        services: {
          web: {
            image: 'nginx',
            stop_grace_period: '1m30s',
            cap_add: ['CAP_NET_ADMIN'],
            cap_drop: ['all'],
            read_only: true,
            deploy: { resources: { limits: { memory: '512m' } } },
            'x-polis-autoscale': {
              min: 0,
              max: '5',
              target_cpu_percent: 70,
              target_memory_percent: 50,
              target_requests_per_second: 20,
              scale_down_cooldown: '2m',
            },
          },
        },
      }),
    );
    for (const d of out) assert.deepEqual(check(d), [], `${d['kind']} ${d['metadata']['name']}`);
    const pod = find(out, 'Deployment', 'web')['spec']['template']['spec'];
    assert.equal(pod['terminationGracePeriodSeconds'], 90);
    assert.deepEqual(pod['containers'][0]['securityContext'], {
      capabilities: { add: ['NET_ADMIN'], drop: ['ALL'] },
      readOnlyRootFilesystem: true,
    });
    const hpa = find(out, 'HorizontalPodAutoscaler', 'web');
    assert.deepEqual(hpa['spec'], {
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' },
      minReplicas: 1,
      maxReplicas: 5,
      metrics: [
        {
          type: 'Resource',
          resource: { name: 'cpu', target: { type: 'AverageValue', averageValue: '700m' } },
        },
        {
          type: 'Resource',
          resource: { name: 'memory', target: { type: 'AverageValue', averageValue: '256Mi' } },
        },
        {
          type: 'Pods',
          pods: {
            metric: { name: 'requests_per_second' },
            target: { type: 'AverageValue', averageValue: '20' },
          },
        },
      ],
      behavior: {
        scaleUp: { stabilizationWindowSeconds: 0 },
        scaleDown: { stabilizationWindowSeconds: 120 },
      },
    });
    const broken = structuredClone(hpa);
    broken['spec']['maxReplicas'] = '5';
    assert.notDeepEqual(check(broken), []);
  });

  it('bad input: clear errors naming the service', () => {
    assert.throws(() => convertToKubernetes({ services: { web: { ports: ['80'] } } }), {
      code: 'request.invalid',
      message: 'service "web" has neither image nor build',
    });
    assert.throws(() => convertToKubernetes({ services: { web: { image: 'x', volumes: ['nope:/data'] } } }), {
      code: 'request.invalid',
      message: 'service "web".volumes[0]: volume "nope" is not declared in the top-level volumes',
    });
    assert.throws(() => convertToKubernetes({ services: { web: { image: 'x', ports: ['8080:99999'] } } }), {
      code: 'request.invalid',
      message: 'service "web".ports: invalid port "99999"',
    });
    assert.throws(
      () =>
        convertToKubernetes({
          services: { web: { image: 'x', healthcheck: { test: ['CMD', 'true'], interval: 'often' } } },
        }),
      {
        code: 'request.invalid',
        message: 'service "web".healthcheck.interval: invalid duration "often" (e.g. "30s", "1m30s")',
      },
    );
    assert.throws(
      () => convertToKubernetes({ services: { web: { image: 'x', 'x-polis-autoscale': { max: 2 } } } }),
      {
        code: 'request.invalid',
        message:
          'service "web": x-polis-autoscale: needs one of target_cpu_percent, target_memory_percent, target_requests_per_second',
      },
    );
  });
});
