import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { CONFIG_DOCS } from '../../src/config';

const readme = fs.readFileSync(path.resolve(__dirname, '..', '..', 'README.md'), 'utf8');

describe('README', () => {
  it('when a configuration key exists, then the README table documents its environment variable', () => {
    const table = readme.slice(readme.indexOf('<!-- config-table:start -->'), readme.indexOf('<!-- config-table:end -->'));
    for (const [key, doc] of Object.entries(CONFIG_DOCS)) expect(table, key).to.contain(`\`${doc.env}\``);
  });

  it('when a newcomer reads the quick start, then it has exactly the two command lines', () => {
    const quick = readme.slice(readme.indexOf('## Quick start'), readme.indexOf('\n## ', readme.indexOf('## Quick start') + 5));
    const commands = [...quick.matchAll(/```\n([^`]+?)\n```/g)].map((m) => m[1]!.trim());
    expect(commands).to.deep.equal(['npm ci && npm start', 'npm test']);
  });
});
