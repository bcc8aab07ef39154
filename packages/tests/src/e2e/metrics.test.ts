import assert from 'node:assert/strict';
import { get } from 'node:http';
import { createServer } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { TestDaemon } from '../harness/daemon.js';
import { ok } from '../harness/expect.js';
import { rawRequest } from '../harness/http.js';
import { parsePromText, series, valueOf, type PromScrape } from '../harness/prom-text.js';
import { RegistryEnv } from '../harness/registry-fixture.js';
import { pushBusybox } from '../harness/registry-images.js';

const MiB = 1024 * 1024;

/** A loopback port nobody listens on now. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

function httpGet(port: number, path: string): Promise<{ status: number; type: string; text: string }> {
  return new Promise((resolve, reject) => {
    get({ host: '127.0.0.1', port, path, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (b: Buffer) => chunks.push(b));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          type: String(res.headers['content-type']),
          text: Buffer.concat(chunks).toString(),
        }),
      );
      res.on('error', reject);
    }).on('error', reject);
  });
}

/** `GET /metrics` with Prometheus's own parser rules: every line is a HELP, a TYPE or a valid sample. */
describe('Prometheus metrics', () => {
  let d: TestDaemon;
  let port: number;

  const scrape = async (): Promise<PromScrape> => {
    const res = await rawRequest(d.socket, 'GET', '/metrics');
    assert.equal(res.status, 200, res.text);
    assert.match(String(res.headers['content-type']), /^text\/plain; version=0\.0\.4/);
    return parsePromText(res.text);
  };

  before(async () => {
    port = await freePort();
    d = await TestDaemon.start({ extraArgs: ['--metrics-addr', `127.0.0.1:${port}`] });
    await d.importBusybox();
  });

  after(async () => {
    await d?.cleanup();
  });

  it('a container that allocates 50 MB shows about that memory and its limit, with its compose labels', async (t) => {
    const id = ok(
      await d.polis([
        'run',
        '-d',
        '--name',
        'hog',
        '-m',
        '256m',
        '--shm-size',
        '64m',
        '--label',
        'com.docker.compose.project=shop',
        '--label',
        'com.docker.compose.service=web',
        'busybox',
        'sh',
        '-c',
        'dd if=/dev/zero of=/dev/shm/x bs=1M count=50 && touch /tmp/filled && exec sleep 1000',
      ]),
    );
    for (let i = 0; i < 100; i++) {
      if ((await d.polis(['exec', 'hog', 'test', '-e', '/tmp/filled'])).code === 0) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const s = await scrape();
    const labels = { id, name: 'hog', image: 'busybox', compose_project: 'shop', compose_service: 'web' };
    const usage = valueOf(s, 'polis_container_memory_usage_bytes', labels);
    t.diagnostic(`hog memory usage ${(usage / MiB).toFixed(1)} MiB`);
    assert.ok(usage >= 48 * MiB && usage <= 90 * MiB, `usage ${usage} is not about 50 MB`);
    assert.equal(valueOf(s, 'polis_container_memory_limit_bytes', labels), 256 * MiB);
    assert.ok(valueOf(s, 'polis_container_pids', labels) >= 1);
    assert.equal(series(s, 'polis_container_cpu_seconds_total', labels).length, 1);
    assert.equal(series(s, 'polis_container_network_receive_bytes_total', labels).length, 1);
    assert.equal(series(s, 'polis_container_blkio_read_bytes_total', labels).length, 1);
    assert.equal(valueOf(s, 'polis_container_restarts_total', labels), 0);
    assert.equal(valueOf(s, 'polis_container_oom_kills_total', labels), 0);
    assert.equal(s.types.get('polis_container_cpu_seconds_total'), 'counter');
    // The engine's own process, from prom-client's defaults under polis_.
    assert.ok(valueOf(s, 'polis_process_resident_memory_bytes') > 10 * MiB);
    assert.ok(series(s, 'polis_nodejs_eventloop_lag_seconds').length === 1);
    assert.ok(valueOf(s, 'polis_objects', { kind: 'image' }) >= 1);
    assert.ok(valueOf(s, 'polis_objects', { kind: 'network' }) >= 1);
    assert.ok(valueOf(s, 'polis_events_total', { type: 'container', action: 'start' }) >= 1);
    assert.ok(
      valueOf(s, 'polis_operation_duration_seconds_count', { operation: 'container_start', outcome: 'ok' }) >=
        1,
    );
  });

  it("a failed request increments its route's error count, labelled by template and never by the raw id", async () => {
    const errors = { method: 'GET', route: '/containers/{id}/json', status_class: '4xx' };
    const before = valueOf(await scrape(), 'polis_api_request_errors_total', errors);
    const res = await rawRequest(d.socket, 'GET', '/containers/nope/json');
    assert.equal(res.status, 404);
    // The answer is counted once it is complete: the next scrape sees it.
    const s = await scrape();
    assert.equal(valueOf(s, 'polis_api_request_errors_total', errors), before + 1);
    assert.ok(valueOf(s, 'polis_api_request_duration_seconds_count', errors) >= 1);
    assert.ok(!s.samples.some((x) => Object.values(x.labels).some((v) => v.includes('nope'))));
    // A path that is no route at all is one series, whatever the path.
    assert.equal((await rawRequest(d.socket, 'GET', '/no/such/thing')).status, 404);
    const later = await scrape();
    assert.ok(valueOf(later, 'polis_api_request_errors_total', { method: 'GET', route: 'unmatched' }) >= 1);
  });

  it('container counts by state move when a container starts and stops', async () => {
    const running = (s: PromScrape) => valueOf(s, 'polis_containers', { state: 'running' });
    const exited = (s: PromScrape) => valueOf(s, 'polis_containers', { state: 'exited' });
    const s0 = await scrape();
    ok(await d.polis(['run', '-d', '--name', 'mover', 'busybox', 'sleep', '1000']));
    const s1 = await scrape();
    assert.equal(running(s1), running(s0) + 1);
    ok(await d.polis(['stop', '-t', '0', 'mover']));
    const s2 = await scrape();
    assert.equal(running(s2), running(s0));
    assert.equal(exited(s2), exited(s0) + 1);
    assert.ok(
      valueOf(s2, 'polis_operation_duration_seconds_count', { operation: 'container_stop', outcome: 'ok' }) >=
        1,
    );
    // A stopped container keeps its record series but has no readings.
    assert.equal(series(s2, 'polis_container_memory_usage_bytes', { name: 'mover' }).length, 0);
    assert.equal(series(s2, 'polis_container_restarts_total', { name: 'mover' }).length, 1);
  });

  it('--metrics-addr serves the same metrics over plain HTTP, and nothing else', async () => {
    const res = await httpGet(port, '/metrics');
    assert.equal(res.status, 200);
    assert.match(res.type, /^text\/plain; version=0\.0\.4/);
    const s = parsePromText(res.text);
    const api = await scrape();
    assert.deepEqual([...s.types.keys()].sort(), [...api.types.keys()].sort());
    assert.equal(series(s, 'polis_container_memory_usage_bytes', { name: 'hog' }).length, 1);
    assert.equal((await httpGet(port, '/containers/json')).status, 404);
  });

  it('times the inner steps of a pull and a run: each layer unpacked (seconds, bytes) and the network attach', async (t) => {
    const e = await RegistryEnv.start();
    t.after(() => e.cleanup());
    const ref = e.ref('polis/busybox:metrics');
    await pushBusybox(e.reg, 'polis/busybox:metrics');
    const get = async (): Promise<PromScrape> => {
      const res = await rawRequest(e.d.socket, 'GET', '/metrics');
      assert.equal(res.status, 200, res.text);
      return parsePromText(res.text);
    };
    const step = (s: PromScrape, operation: string, what: 'count' | 'sum' = 'count'): number =>
      valueOf(s, `polis_operation_duration_seconds_${what}`, { operation, outcome: 'ok' });
    ok(await e.polis(['pull', ref]), 'pull');
    const pulled = await get();
    assert.equal(step(pulled, 'image_pull'), 1);
    assert.equal(step(pulled, 'image_layer_unpack'), 1, 'busybox has one layer');
    assert.ok(step(pulled, 'image_layer_unpack', 'sum') > 0);
    const bytes = valueOf(pulled, 'polis_image_layer_unpack_bytes_sum', { outcome: 'ok' });
    assert.ok(bytes > 1024 * 1024, `busybox's layer is a few MB uncompressed, not ${bytes}`);
    assert.equal(valueOf(pulled, 'polis_image_layer_unpack_bytes_count', { outcome: 'ok' }), 1);
    assert.equal(pulled.types.get('polis_image_layer_unpack_bytes'), 'histogram');
    assert.ok(valueOf(pulled, 'polis_image_pull_bytes_total') > 0);
    // The same layer again is not unpacked again.
    ok(await e.polis(['pull', ref]));
    assert.equal(step(await get(), 'image_layer_unpack'), 1);

    // No network attach yet: `--network none` has none, the default bridge one per start.
    ok(await e.polis(['run', '--rm', '--network', 'none', ref, 'true']));
    assert.equal(
      series(await get(), 'polis_operation_duration_seconds_count', { operation: 'network_attach' }).length,
      0,
    );
    ok(await e.polis(['run', '--rm', ref, 'true']), 'run on the default bridge');
    const ran = await get();
    assert.equal(step(ran, 'network_attach'), 1);
    assert.ok(step(ran, 'network_attach', 'sum') > 0);
    t.diagnostic(
      `layer unpack ${(step(pulled, 'image_layer_unpack', 'sum') * 1000).toFixed(1)} ms for ${bytes} bytes; ` +
        `network attach ${(step(ran, 'network_attach', 'sum') * 1000).toFixed(1)} ms`,
    );
  });
});
