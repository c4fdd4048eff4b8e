// Every OpenLABEL file longtail writes validates against the official ASAM OpenLABEL 1.0.0 JSON
// schema, checked by an independent validator (ajv). The files come from the C++ writer through
// tests/labeling/formats/write_label_samples (path in $LONGTAIL_LABEL_SAMPLES).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const sharedData = process.env.LONGTAIL_SHARED_DATA ?? join(repo, '..', 'shared', 'data');
const schemaPath = join(sharedData, 'openlabel', 'openlabel_json_schema-v1.0.0.json');
const writer = process.env.LONGTAIL_LABEL_SAMPLES ??
    join(process.env.LONGTAIL_BINARY_DIR ?? join(repo, 'build'), 'tests', 'labeling', 'formats',
         'write_label_samples');
const inCi = process.env.CI === 'true';

function missing(t, what) {
  if (inCi) assert.fail(`${what} is missing, and CI must have it`);
  t.skip(`${what} is missing`);
}

function validator() {
  // strict: false because the published schema uses keywords ajv does not know in strict mode
  // (`item`, property maps directly under `oneOf`); they are ignored, as draft-07 says.
  const ajv = new Ajv({ strict: false, allErrors: true });
  addFormats(ajv);
  return ajv.compile(JSON.parse(readFileSync(schemaPath, 'utf8')));
}

test('every OpenLABEL file longtail writes validates against the official schema', (t) => {
  if (!existsSync(schemaPath)) return missing(t, schemaPath);
  if (!existsSync(writer)) return missing(t, writer);
  const out = mkdtempSync(join(tmpdir(), 'longtail-openlabel-'));
  execFileSync(writer, [out], { stdio: ['ignore', 'ignore', 'inherit'] });
  const files = readdirSync(out).filter((name) => name.endsWith('.json'));
  assert.ok(files.length >= 3, `expected at least 3 files, found ${files}`);
  const validate = validator();
  for (const name of files) {
    const document = JSON.parse(readFileSync(join(out, name), 'utf8'));
    const valid = validate(document);
    assert.ok(valid, `${name}: ${JSON.stringify(validate.errors?.slice(0, 5), null, 1)}`);
    assert.equal(document.openlabel.metadata.schema_version, '1.0.0');
  }
});

test('the validator is not vacuous: it rejects a file without schema_version or with a bad cuboid',
     (t) => {
  if (!existsSync(schemaPath)) return missing(t, schemaPath);
  const validate = validator();
  assert.equal(validate({ openlabel: { metadata: {} } }), false);
  const badCuboid = {
    openlabel: {
      metadata: { schema_version: '1.0.0' },
      frames: { 0: { objects: { 1: { object_data: { cuboid: [{ name: 'c', val: [1, 2, 3] }] } } } } },
    },
  };
  assert.equal(validate(badCuboid), false);
  assert.equal(validate({ openlabel: { metadata: { schema_version: '1.0.0' } } }), true);
});
