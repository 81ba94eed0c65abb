/**
 * The monitor's help and the README describe the paper fill models in the same words: each paragraph of
 * `FILL_MODEL_HELP` appears verbatim in README.md, and each fill model of the parameters has one.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FILL_MODEL_HELP } from '../../../src/renderer/shortcuts/help-text.js';
import { EXECUTION_SCHEMA } from '../../../src/shared/params.js';
import { PROJECT_ROOT } from '../../support/serve-process.js';

describe('fill-model help', () => {
  it('says in the README what the monitor says, one paragraph per fill model', () => {
    const readme = readFileSync(join(PROJECT_ROOT, 'README.md'), 'utf8');
    for (const paragraph of FILL_MODEL_HELP) expect(readme, paragraph.title).toContain(paragraph.text);
    const models = EXECUTION_SCHEMA.shape.fillModel.options;
    for (const model of models) expect(FILL_MODEL_HELP.some((p) => p.title.toLowerCase().startsWith(model)), model).toBe(true);
  });
});
