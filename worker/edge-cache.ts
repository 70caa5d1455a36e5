// The location's edge cache (the Cache API's default cache). One accessor, because @types/node's
// CacheStorage (pulled in for nodejs_compat) shadows workerd's, which has `default`.
export const edgeCache = (): Cache => (caches as unknown as { default: Cache }).default;
