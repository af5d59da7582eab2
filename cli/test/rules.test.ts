import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { promtool } from './promtool.js';

const RULES = fileURLToPath(new URL('../../infra/prometheus/rules.yml', import.meta.url));
const RULE_TESTS = fileURLToPath(new URL('../../infra/prometheus/rules.test.yml', import.meta.url));

describe('Prometheus alert rules', () => {
  it('OPS4 OPS5 OPS6 OPS7 OPS8 OPS9 rules.yml passes promtool check rules', () => {
    const r = promtool(['check', 'rules', RULES]);
    expect(r.output).toContain('SUCCESS: 7 rules found');
    expect(r.status, r.output).toBe(0);
  });

  it('OPS4 OPS5 OPS6 OPS7 OPS8 OPS9 every alert fires and stays quiet as its unit tests expect (promtool test rules)', () => {
    const r = promtool(['test', 'rules', RULE_TESTS]);
    expect(r.status, r.output).toBe(0);
    expect(r.output).toContain('SUCCESS');
  });
});
