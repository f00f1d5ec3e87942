// Nest 12 is ESM-only and the unit project does not compile node_modules: stand-in decorators.
jest.mock('@nestjs/common', () => {
  const decorator = () => () => undefined;
  return { Injectable: decorator, Inject: decorator, Optional: decorator };
});
jest.mock('./api-key.repository', () => ({ ApiKeyRepository: class {} }));

import { hashApiKey } from './api-key.codec';
import type { ApiKeyRepository } from './api-key.repository';
import { ApiKeyService } from './api-key.service';
import type { Principal } from './principal';

const lead: Principal = { keyId: 'k1', role: 'qa_lead', projectId: 'p1', vendor: null };

function repository(answer: () => Promise<Principal | null>) {
  const lookups: string[] = [];
  const repo = {
    findActivePrincipalByHash: (hash: string) => {
      lookups.push(hash);
      return answer();
    },
  } as unknown as ApiKeyRepository;
  return { repo, lookups };
}

describe('ApiKeyService.authenticate', () => {
  afterEach(() => jest.useRealTimers());

  it('looks the key up by its hash, every time by default (a revocation applies at once)', async () => {
    let principal: Principal | null = lead;
    const { repo, lookups } = repository(async () => principal);
    const service = new ApiKeyService(repo);
    expect(await service.authenticate('cnc_key')).toEqual(lead);
    principal = null; // revoked
    expect(await service.authenticate('cnc_key')).toBeNull();
    expect(lookups).toEqual([hashApiKey('cnc_key'), hashApiKey('cnc_key')]);
  });

  it('shares one lookup between concurrent requests with the same key', async () => {
    let release!: (p: Principal) => void;
    const { repo, lookups } = repository(() => new Promise((resolve) => (release = resolve)));
    const service = new ApiKeyService(repo);
    const waiting = [service.authenticate('cnc_key'), service.authenticate('cnc_key')];
    release(lead);
    expect(await Promise.all(waiting)).toEqual([lead, lead]);
    expect(lookups).toHaveLength(1);
  });

  it('shares a failure too, and does not keep it', async () => {
    let fail = true;
    const { repo, lookups } = repository(async () => {
      if (fail) throw new Error('database down');
      return lead;
    });
    const service = new ApiKeyService(repo);
    await expect(Promise.all([service.authenticate('cnc_key'), service.authenticate('cnc_key')])).rejects.toThrow('database down');
    fail = false;
    expect(await service.authenticate('cnc_key')).toEqual(lead);
    expect(lookups).toHaveLength(2);
  });

  it('with a cache, trusts a resolved key for ttlMs and never caches a miss', async () => {
    jest.useFakeTimers({ now: 0 });
    let principal: Principal | null = null;
    const { repo, lookups } = repository(async () => principal);
    const service = new ApiKeyService(repo, { ttlMs: 30_000, maxEntries: 10 });
    expect(await service.authenticate('cnc_new')).toBeNull();
    principal = lead; // issued now: works at once
    expect(await service.authenticate('cnc_new')).toEqual(lead);
    principal = null; // revoked: still accepted until the entry expires
    jest.setSystemTime(29_999);
    expect(await service.authenticate('cnc_new')).toEqual(lead);
    jest.setSystemTime(30_000);
    expect(await service.authenticate('cnc_new')).toBeNull();
    expect(lookups).toHaveLength(3);
  });
});
