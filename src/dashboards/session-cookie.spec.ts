import { clearedSessionCookie, isSafeMethod, SESSION_COOKIE, sessionCookie, sessionTokenOf } from './session-cookie';

const TOKEN = 'a'.repeat(43);

describe('session cookie', () => {
  it.each([
    [undefined, null],
    ['', null],
    [`${SESSION_COOKIE}=${TOKEN}`, TOKEN],
    [`other=1; ${SESSION_COOKIE}=${TOKEN}; more=2`, TOKEN],
    [`${SESSION_COOKIE}x=${TOKEN}`, null],
    [`${SESSION_COOKIE}=short`, null],
    [`${SESSION_COOKIE}=${'a'.repeat(42)}!`, null],
  ])('reads the token of %p', (header, expected) => {
    expect(sessionTokenOf(header)).toBe(expected);
  });

  it('writes an httpOnly, SameSite=Strict cookie, Secure when asked', () => {
    expect(sessionCookie(TOKEN, { secure: false, maxAgeSeconds: 60 })).toBe(
      `${SESSION_COOKIE}=${TOKEN}; Path=/; Max-Age=60; HttpOnly; SameSite=Strict`,
    );
    expect(sessionCookie(TOKEN, { secure: true, maxAgeSeconds: 60 })).toMatch(/; Secure$/);
    expect(clearedSessionCookie(false)).toBe(`${SESSION_COOKIE}=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict`);
  });

  it.each([
    ['GET', true],
    ['HEAD', true],
    ['OPTIONS', true],
    ['POST', false],
    ['PATCH', false],
    ['DELETE', false],
    [undefined, false],
  ])('%p is safe: %p', (method, safe) => {
    expect(isSafeMethod(method)).toBe(safe);
  });
});
