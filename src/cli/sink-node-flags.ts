/**
 * V8 limits for the sink process. Left alone, V8 on a large machine lets the young generation grow to
 * 64 MB semi-spaces and the old generation fill with dead queue records before a full GC: 700 MB RSS
 * to drain a 1M backlog. These bound it near 250 MB for a ~15 % lower drain rate (docs/benchmarks.md).
 * `./kms run` sets the same through NODE_OPTIONS (see the kms script); keep both in step.
 */
export const SINK_NODE_FLAGS: readonly string[] = Object.freeze([
  '--max-semi-space-size=8',
  '--max-old-space-size=320',
]);
