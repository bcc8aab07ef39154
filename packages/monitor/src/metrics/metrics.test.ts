import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createdState, emptySpec, type ContainerRecord } from '@polis/core';
import { containerEvent } from '../events/event.js';
import type { ContainerReading } from './reading.js';
import { eventAction, labelValue, MAX_LABEL_VALUE, statusClass } from './labels.js';
import { PolisMetrics } from './registry.js';

describe('metric labels', () => {
  it('keeps label values printable, well formed and bounded', () => {
    assert.equal(labelValue('web-1'), 'web-1');
    assert.equal(labelValue('a\nb\tc\u0000d'), 'a b c d');
    assert.equal(labelValue('x\uD800y'), 'xy');
    assert.equal(labelValue('😀'), '😀');
    assert.equal(labelValue('q"u\\o'), 'q"u\\o', "quotes and backslashes are the exposition escaper's job");
    assert.equal(labelValue('n'.repeat(1000)).length, MAX_LABEL_VALUE);
    assert.equal(labelValue(undefined), '');
  });

  it('drops the detail of an event action and classes statuses', () => {
    assert.equal(eventAction('exec_start: sh -c echo hi'), 'exec_start');
    assert.equal(eventAction('health_status: healthy'), 'health_status');
    assert.equal(eventAction('start'), 'start');
    assert.equal(statusClass(404), '4xx');
    assert.equal(statusClass(200), '2xx');
  });
});

function record(id: string, name: string, status: ContainerRecord['state']['status']): ContainerRecord {
  const spec = emptySpec('busybox');
  spec.basic.labels = { 'com.docker.compose.project': 'shop', 'com.docker.compose.service': 'web' };
  return {
    id,
    name,
    imageRef: 'busybox',
    spec,
    state: { ...createdState(), status },
    restartCount: 2,
  } as unknown as ContainerRecord;
}

function sample(memory: number): ContainerReading {
  return {
    cpuNs: 1.5e9,
    memoryUsage: memory,
    memoryLimit: 1000,
    pids: 3,
    rxBytes: 5,
    txBytes: 6,
    readBytes: 10,
    writeBytes: 20,
  };
}

describe('PolisMetrics', () => {
  it('reads each running container once per scrape, with its compose labels, and counts events', async () => {
    const records = [record('a'.repeat(64), '/web\n1', 'running'), record('b'.repeat(64), '/old', 'exited')];
    const reads: number[] = [];
    const metrics = new PolisMetrics({
      containers: { list: () => records, runningPid: (id) => (id.startsWith('a') ? 42 : undefined) },
      counts: { images: () => 3, volumes: () => 1, networks: () => 4 },
      read: (pid) => {
        reads.push(pid);
        return sample(500);
      },
      processMetrics: false,
    });
    metrics.countEvent(
      containerEvent({
        id: 'a'.repeat(64),
        name: 'web',
        image: 'busybox',
        action: 'oom',
        attributes: {},
      } as never),
    );
    metrics.countEvent(
      containerEvent({
        id: 'a'.repeat(64),
        name: 'web',
        image: 'busybox',
        action: 'exec_start: sh',
        attributes: {},
      } as never),
    );
    metrics.observeRequest('GET', '/containers/{id}/json', 404, 0.002);
    const text = await metrics.render();
    assert.deepEqual(reads, [42]);
    const web = `id="${'a'.repeat(64)}",name="web 1",image="busybox",compose_project="shop",compose_service="web"`;
    assert.ok(text.includes(`polis_container_memory_usage_bytes{${web}} 500\n`), text);
    assert.ok(text.includes(`polis_container_cpu_seconds_total{${web}} 1.5\n`));
    assert.ok(text.includes(`polis_container_blkio_write_bytes_total{${web}} 20\n`));
    assert.ok(text.includes(`polis_container_oom_kills_total{${web}} 1\n`));
    assert.ok(text.includes(`polis_container_restarts_total{${web}} 2\n`));
    assert.ok(text.includes('polis_containers{state="running"} 1\n'));
    assert.ok(text.includes('polis_containers{state="exited"} 1\n'));
    assert.ok(text.includes('polis_containers{state="paused"} 0\n'));
    assert.ok(text.includes('polis_objects{kind="network"} 4\n'));
    assert.ok(text.includes('polis_events_total{type="container",action="exec_start"} 1\n'));
    assert.ok(
      text.includes(
        'polis_api_request_errors_total{method="GET",route="/containers/{id}/json",status_class="4xx"} 1\n',
      ),
    );
    // The stopped container has records but no readings.
    assert.ok(!text.includes(`polis_container_memory_usage_bytes{id="${'b'.repeat(64)}"`));
    metrics.close();
  });

  it('shows the health status a record carries, and escapes label values', async () => {
    const r = record('c'.repeat(64), '/h', 'running');
    (r.state as unknown as { health: { status: string } }).health = { status: 'unhealthy' };
    r.imageRef = 'reg/a"b\\c';
    const metrics = new PolisMetrics({
      containers: { list: () => [r], runningPid: () => undefined },
      counts: { images: () => 0, volumes: () => 0, networks: () => 0 },
      processMetrics: false,
    });
    const text = await metrics.render();
    assert.match(text, /polis_container_health_status\{[^}]*status="unhealthy"\} 1\n/);
    assert.match(text, /polis_container_health_status\{[^}]*status="healthy"\} 0\n/);
    // The exposition's escapes for a quote and a backslash in a label value.
    assert.ok(text.includes('image="reg/a\\"b\\\\c"'), text);
  });
});
