import type { TtlCacheOptions } from '../common/ttl-cache';

/** Options of ApiKeyService's cache of resolved keys (a TtlCache keyed by key hash). */
export type PrincipalCacheOptions = TtlCacheOptions;

/** Injection token of those options (`{ provide: PRINCIPAL_CACHE_OPTIONS, useValue: … }`, or overrideProvider in tests). */
export const PRINCIPAL_CACHE_OPTIONS = Symbol('PRINCIPAL_CACHE_OPTIONS');

/**
 * Off by default: a revoked key (`revoked_at` set, or its project deleted) is refused by the very
 * next request, as the auth tests require. Without the cache, concurrent requests with one key
 * still share one lookup (ApiKeyService), which under load removes nearly all of them (50
 * connections with one key: about 1 query per 30 requests).
 *
 * With `ttlMs > 0` (e.g. `{ ttlMs: 30_000, maxEntries: 1_000 }`) a key that resolved is trusted
 * by that API process for `ttlMs` without asking PostgreSQL, so a revocation takes effect within
 * `ttlMs` instead of at once. Only keys that resolved are cached: an unknown or revoked key is
 * asked of PostgreSQL every time, so a key just issued works at once.
 */
export const DEFAULT_PRINCIPAL_CACHE_OPTIONS: PrincipalCacheOptions = { ttlMs: 0, maxEntries: 1_000 };
