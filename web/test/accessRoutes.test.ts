import { describe, expect, it } from 'vitest';
import { parseAccessRoute, signInPath } from '../src/access/routes.js';
import { parseAccessNotice } from '../src/access/roleNotice.js';

describe('access routes and notices', () => {
  it('ACCWEB1 parses the access pages and refuses paths that are not theirs', () => {
    expect(parseAccessRoute('/signin')).toEqual({ page: 'signin', next: null });
    expect(parseAccessRoute('/workspaces')).toEqual({ page: 'workspaces' });
    expect(parseAccessRoute('/workspaces/abc_DEF-123')).toEqual({ page: 'workspace', workspaceId: 'abc_DEF-123' });
    expect(parseAccessRoute('/invite/' + 'a'.repeat(43))).toEqual({ page: 'invite', secret: 'a'.repeat(43) });
    expect(parseAccessRoute('/audit')).toEqual({ page: 'audit' });
    for (const p of ['/', '/r/abc', '/workspaces/a/b', '/invite/', '/signin/x', '/accounts']) expect(parseAccessRoute(p)).toBeNull();
  });

  it('ACCWEB2 `next` after sign-in only ever leads within the app', () => {
    expect(parseAccessRoute('/signin', `?next=${encodeURIComponent('/invite/abc')}`)).toEqual({ page: 'signin', next: '/invite/abc' });
    for (const bad of ['//evil.example/x', 'https://evil.example/', 'javascript:alert(1)', '/\\evil', 'r/abc']) {
      expect(parseAccessRoute('/signup', `?next=${encodeURIComponent(bad)}`)).toEqual({ page: 'signup', next: null });
    }
    expect(parseAccessRoute('/signin', signInPath('/r/abc').slice('/signin'.length))).toEqual({ page: 'signin', next: '/r/abc' });
  });

  it('ACCWEB3 only a well-formed access.role notice changes the role', () => {
    expect(parseAccessNotice('{"type":"access.role","role":"editor"}')).toBe('editor');
    expect(parseAccessNotice('{"type":"access.role","role":"owner"}')).toBeNull();
    expect(parseAccessNotice('{"type":"other","role":"host"}')).toBeNull();
    expect(parseAccessNotice('not json')).toBeNull();
  });
});
