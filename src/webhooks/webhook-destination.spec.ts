import { DestinationPolicy, resolveDestination, type ResolveHost, UnsafeDestinationError, urlShapeProblem } from './webhook-destination';

const resolvesTo =
  (...addresses: string[]): ResolveHost =>
  async () =>
    addresses.map((address) => ({ address, family: address.includes(':') ? (6 as const) : (4 as const) }));

describe('DestinationPolicy', () => {
  const strict = new DestinationPolicy([]);

  it.each([
    ['127.0.0.1', 'loopback'],
    ['127.8.9.10', 'loopback'],
    ['::1', 'loopback'],
    ['10.1.2.3', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['192.168.1.1', 'private'],
    ['100.64.0.1', 'private'],
    ['fd12:3456::1', 'private'],
    ['169.254.169.254', 'link-local'],
    ['fe80::1', 'link-local'],
    ['0.0.0.0', 'unspecified'],
    ['::', 'unspecified'],
    ['224.0.0.1', 'multicast'],
    ['ff02::1', 'multicast'],
    ['192.0.2.10', 'reserved'],
    ['255.255.255.255', 'reserved'],
    ['64:ff9b::a00:1', 'reserved'],
    ['2002:a00:1::1', 'reserved'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:a9fe:a9fe', 'link-local'],
    ['::ffff:10.0.0.1', 'private'],
  ])('refuses %s (%s)', (address, kind) => {
    expect(strict.refusal('example.org', address)).toContain(`a ${kind} address`);
  });

  it.each(['93.184.216.34', '8.8.8.8', '172.32.0.1', '2606:4700:4700::1111', '::ffff:8.8.8.8'])('allows the public address %s', (address) => {
    expect(strict.refusal('example.org', address)).toBeNull();
  });

  it('allows what CONCORD_WEBHOOK_ALLOWLIST lists: CIDRs, single IPs and host names', () => {
    const policy = new DestinationPolicy(['127.0.0.1/32', '10.0.0.0/8', 'fd00::5', 'receiver.internal']);
    expect(policy.refusal('x', '127.0.0.1')).toBeNull();
    expect(policy.refusal('x', '::ffff:127.0.0.1')).toBeNull();
    expect(policy.refusal('x', '127.0.0.2')).toContain('loopback');
    expect(policy.refusal('x', '10.200.0.1')).toBeNull();
    expect(policy.refusal('x', 'fd00::5')).toBeNull();
    expect(policy.refusal('x', 'fd00::6')).toContain('private');
    expect(policy.refusal('receiver.internal', '192.168.0.9')).toBeNull();
    expect(policy.refusal('RECEIVER.internal.', '192.168.0.9')).toBeNull();
    expect(policy.refusal('other.internal', '192.168.0.9')).toContain('private');
  });
});

describe('urlShapeProblem', () => {
  it.each([
    ['https://hooks.example.org/concord', null],
    ['http://hooks.example.org:8080/x?y=1', null],
    ['ftp://hooks.example.org/', 'must start with http:// or https://'],
    ['file:///etc/passwd', 'must start with http:// or https://'],
    ['javascript:alert(1)', 'must start with http:// or https://'],
    ['hooks.example.org/x', 'must be an absolute URL'],
    ['https://user:pw@hooks.example.org/', 'must not contain credentials (user:password@)'],
  ])('%s → %j', (url, expected) => {
    expect(urlShapeProblem(url)).toBe(expected);
  });
});

describe('resolveDestination', () => {
  const strict = new DestinationPolicy([]);

  it('returns every address when all are public', async () => {
    await expect(resolveDestination(new URL('https://hooks.example.org/'), strict, resolvesTo('93.184.216.34', '2606:2800:220:1::1'))).resolves.toEqual([
      { address: '93.184.216.34', family: 4 },
      { address: '2606:2800:220:1::1', family: 6 },
    ]);
  });

  it('refuses the host when any address is private (a mixed answer could connect to either)', async () => {
    await expect(resolveDestination(new URL('https://hooks.example.org/'), strict, resolvesTo('93.184.216.34', '10.0.0.7'))).rejects.toThrow(
      'hooks.example.org resolves to 10.0.0.7 is a private address',
    );
  });

  it('checks literal IPs without DNS, in every spelling the URL parser accepts', async () => {
    const noDns: ResolveHost = () => Promise.reject(new Error('no DNS for literals'));
    for (const url of ['http://127.0.0.1/', 'http://2130706433/', 'http://0x7f.1/', 'http://[::1]/', 'http://[::ffff:127.0.0.1]/', 'http://[::ffff:a9fe:a9fe]/']) {
      await expect(resolveDestination(new URL(url), strict, noDns)).rejects.toBeInstanceOf(UnsafeDestinationError);
    }
    await expect(resolveDestination(new URL('http://8.8.8.8/'), strict, noDns)).resolves.toEqual([{ address: '8.8.8.8', family: 4 }]);
  });

  it('judges each resolution on its own: a host that rebinds to a private address is refused at delivery', async () => {
    let answer = '93.184.216.34';
    const rebinding: ResolveHost = async () => [{ address: answer, family: 4 }];
    const url = new URL('https://rebind.example.org/');
    await expect(resolveDestination(url, strict, rebinding)).resolves.toHaveLength(1);
    answer = '169.254.169.254';
    await expect(resolveDestination(url, strict, rebinding)).rejects.toThrow('link-local');
  });

  it('reports a host that does not resolve', async () => {
    const failing: ResolveHost = () => Promise.reject(Object.assign(new Error('getaddrinfo ENOTFOUND'), { code: 'ENOTFOUND' }));
    await expect(resolveDestination(new URL('https://nowhere.invalid/'), strict, failing)).rejects.toThrow('nowhere.invalid does not resolve (ENOTFOUND)');
    await expect(resolveDestination(new URL('https://empty.example/'), strict, resolvesTo())).rejects.toThrow('does not resolve');
  });
});
