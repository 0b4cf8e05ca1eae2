import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { formatUtcTimeCreated, mlmodelToYaml, parseMLmodel } from './mlmodel';
import { saveModel } from './package';
import { signatureFromJson, signatureToJson } from './schema';

function fixture(): string {
  let dir = __dirname;
  for (let i = 0; i < 6; i++, dir = path.dirname(dir)) {
    const file = path.join(dir, 'test', 'fixtures', 'models', 'mlflow-MLmodel.yaml');
    if (fs.existsSync(file)) return fs.readFileSync(file, 'utf8');
  }
  throw new Error('fixture test/fixtures/models/mlflow-MLmodel.yaml not found');
}

async function ours() {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'tracklab-'));
  const code = path.join(work, 'm.js');
  fs.writeFileSync(code, 'exports.model = { predict: (rows) => rows.map((r) => r["sepal length (cm)"] * 2) };\n');
  const dir = path.join(work, 'pkg');
  const mlmodel = await saveModel(undefined, dir, {
    flavor: 'js_function', code, export: 'model', metadata: { team: 'forecasting' },
    inputExample: [{ 'sepal length (cm)': 5.1, 'sepal width (cm)': 3.5, species: 'setosa' }, { 'sepal length (cm)': 4.9, 'sepal width (cm)': 3 }],
  });
  return { mlmodel, text: fs.readFileSync(path.join(dir, 'MLmodel'), 'utf8') };
}

test('MLflow\'s own MLmodel parses, and its signature JSON re-encodes byte for byte', () => {
  const theirs = parseMLmodel(fixture());
  assert.equal(theirs.artifact_path, 'model');
  assert.equal(theirs.flavors.python_function.loader_module, 'mlflow.sklearn');
  assert.ok(theirs.signature);
  assert.deepEqual(signatureToJson(signatureFromJson(theirs.signature)), theirs.signature);
});

test('tracklab\'s MLmodel matches MLflow\'s field by field', async () => {
  const theirs = parseMLmodel(fixture());
  const { mlmodel, text } = await ours();
  const mine = parseMLmodel(text);
  assert.deepEqual(mine, mlmodel, 'the file reads back as what saveModel returned');

  // Same top-level fields, except the documented swap of mlflow_version for tracklab_version
  // and artifact_path/run_id, which MLflow also leaves out for a model saved outside a run.
  const theirKeys = Object.keys(theirs).filter((k) => !['mlflow_version', 'artifact_path', 'run_id'].includes(k)).sort();
  const myKeys = Object.keys(mine).filter((k) => k !== 'tracklab_version').sort();
  assert.deepEqual(myKeys, theirKeys);

  // Field formats.
  const timeFormat = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{6}$/;
  assert.match(theirs.utc_time_created, timeFormat);
  assert.match(mine.utc_time_created, timeFormat);
  assert.match(theirs.model_uuid, /^[0-9a-f]{32}$/);
  assert.match(mine.model_uuid, /^[0-9a-f]{32}$/);
  assert.equal(typeof mine.model_size_bytes, typeof theirs.model_size_bytes);
  assert.deepEqual(mine.metadata, theirs.metadata);
  assert.match(text, /^utc_time_created: '/m, 'quoted like PyYAML, so YAML 1.1 readers keep it a string');

  // The generic flavor entry has python_function's role and keys.
  for (const key of ['loader_module', 'env']) {
    assert.ok(key in theirs.flavors.python_function);
    assert.ok(key in mine.flavors.js_function, key);
  }

  // saved_input_example_info: the same keys and values.
  assert.deepEqual(mine.saved_input_example_info, theirs.saved_input_example_info);

  // Signature: the same three parts, each a JSON string in MLflow's spacing and key order.
  assert.deepEqual(Object.keys(mine.signature ?? {}).sort(), Object.keys(theirs.signature ?? {}).sort());
  const theirInputs = JSON.parse(theirs.signature!.inputs!);
  const myInputs = JSON.parse(mine.signature!.inputs!);
  assert.deepEqual(myInputs.map((c: object) => Object.keys(c)), theirInputs.map((c: object) => Object.keys(c)));
  assert.deepEqual(myInputs, theirInputs.map((c: { name: string }) => ({ ...c, type: c.name === 'species' ? 'string' : 'double' })));
  assert.equal(mine.signature!.inputs, theirs.signature!.inputs, 'byte-identical inputs JSON');
  const theirOut = JSON.parse(theirs.signature!.outputs!);
  const myOut = JSON.parse(mine.signature!.outputs!);
  assert.deepEqual(Object.keys(myOut[0]), Object.keys(theirOut[0]));
  assert.deepEqual(Object.keys(myOut[0]['tensor-spec']), Object.keys(theirOut[0]['tensor-spec']));
  assert.equal(mine.signature!.outputs, theirs.signature!.outputs);
  assert.equal(mine.signature!.params, null);
});

test('utc_time_created uses Python\'s str(datetime) layout in UTC', () => {
  assert.equal(formatUtcTimeCreated(new Date(Date.UTC(2022, 0, 12, 5, 17, 31, 634))), '2022-01-12 05:17:31.634000');
});

test('mlmodelToYaml sorts keys like yaml.safe_dump and leaves undefined fields out', () => {
  const text = mlmodelToYaml({ utc_time_created: '2024-01-01 00:00:00.000000', model_uuid: 'ab', flavors: { b: {}, a: { x: 1 } }, run_id: undefined });
  assert.equal(text, "flavors:\n  a:\n    x: 1\n  b: {}\nmodel_uuid: ab\nutc_time_created: '2024-01-01 00:00:00.000000'\n");
});

test('parseMLmodel names the bad field', () => {
  assert.throws(() => parseMLmodel('flavors: {}\nutc_time_created: x\n'), /"flavors" must map/);
  assert.throws(() => parseMLmodel('flavors: {a: {}}\n'), /"utc_time_created" must be a string/);
  assert.throws(() => parseMLmodel("flavors: {a: {}}\nutc_time_created: x\nsignature: {inputs: 3}\n"), /"signature.inputs" must be a JSON string/);
  assert.throws(() => parseMLmodel("flavors: {a: {}}\nutc_time_created: x\nsaved_input_example_info: {artifact_path: ../../etc/passwd, type: json_object}\n"), /".." segment/);
});
