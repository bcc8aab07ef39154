import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FUNCTIONS } from './functions.js';
import { Template } from './template.js';
import { STRICT } from './values.js';

const inspect = {
  Id: 'abc123',
  Name: '/web',
  State: { Status: 'running', Running: true, ExitCode: 0, Pid: 42 },
  Config: {
    Labels: { 'com.example': 'yes', a: 'b' },
    Cmd: ['sh', '-c', 'true'],
    Entrypoint: null,
    Env: ['A=1'],
  },
  NetworkSettings: { Networks: { bridge: { IPAddress: '10.0.0.2' } } },
};

const run = (t: string, data: unknown = inspect): string => Template.parse(t).execute(data, FUNCTIONS);

test('fields, nested fields and Go printing of values', () => {
  assert.equal(run('{{.State.Status}}'), 'running');
  assert.equal(run('{{.Name}} {{.Id}}'), '/web abc123');
  assert.equal(run('{{.State.Pid}} {{.State.Running}}'), '42 true');
  assert.equal(run('{{.Config.Cmd}}'), '[sh -c true]');
  assert.equal(run('{{.Config.Labels}}'), 'map[a:b com.example:yes]');
  assert.equal(run('{{.Config.Entrypoint}}'), '<nil>');
  assert.equal(run('{{.Missing}}'), '<no value>');
});

test('json, index, len, join and pipelines', () => {
  assert.equal(run('{{json .Config.Labels}}'), '{"com.example":"yes","a":"b"}');
  assert.equal(run('{{json .State}}'), JSON.stringify(inspect.State));
  assert.equal(run('{{index .Config.Labels "com.example"}}'), 'yes');
  assert.equal(run('{{index .Config.Cmd 1}}'), '-c');
  assert.equal(run('{{len .Config.Cmd}}'), '3');
  assert.equal(run('{{join .Config.Cmd ","}}'), 'sh,-c,true');
  assert.equal(run('{{.Name | upper}}'), '/WEB');
  assert.equal(run('{{.Config.Labels | json}}'), '{"com.example":"yes","a":"b"}');
  assert.equal(run('{{(index .NetworkSettings.Networks "bridge").IPAddress}}'), '10.0.0.2');
  assert.equal(run('{{printf "%s:%d" .Name .State.Pid}}'), '/web:42');
});

test('if/else, range with variables, with, and trim markers', () => {
  assert.equal(run('{{if .State.Running}}up{{else}}down{{end}}'), 'up');
  assert.equal(run('{{if eq .State.Status "exited"}}x{{else if .State.Running}}r{{else}}?{{end}}'), 'r');
  assert.equal(run('{{range .Config.Cmd}}<{{.}}>{{end}}'), '<sh><-c><true>');
  assert.equal(run('{{range $k, $v := .Config.Labels}}{{$k}}={{$v}};{{end}}'), 'a=b;com.example=yes;');
  assert.equal(run('{{range .Nothing}}x{{else}}empty{{end}}'), 'empty');
  assert.equal(run('{{with .State}}{{.Status}}{{end}}'), 'running');
  assert.equal(run('a  {{- " b " -}}  c'), 'a b c');
  assert.equal(run('{{$n := .Name}}{{range .Config.Cmd}}{{$n}}{{end}}'), '/web/web/web');
});

test('methods with arguments on row contexts, and strict fields', () => {
  const row = { [STRICT]: true, ID: 'abc', Label: (k: unknown) => (k === 'x' ? 'yes' : '') };
  assert.equal(run('{{.ID}} {{.Label "x"}}', row), 'abc yes');
  assert.throws(() => run('{{.Nope}}', row), /can't evaluate field Nope/);
});

test('syntax errors are reported', () => {
  assert.throws(() => Template.parse('{{.Name'), /unclosed action/);
  assert.throws(() => Template.parse('{{if .X}}a'), /unexpected EOF/);
  assert.throws(() => run('{{nosuch .X}}'), /function "nosuch" not defined/);
});
