import { it, type TestContext } from 'node:test';

/**
 * `it`, for scenarios whose steps build on each other: once a step fails the later ones are skipped
 * (naming the failed step) instead of failing again, slowly, for the same cause.
 */
export function sequentialSteps(): (name: string, body: (t: TestContext) => Promise<void>) => void {
  let failed: string | undefined;
  return (name, body) => {
    it(name, async (t) => {
      if (failed !== undefined) {
        t.skip(`earlier step failed: ${failed}`);
        return;
      }
      try {
        await body(t);
      } catch (error) {
        failed = name;
        throw error;
      }
    });
  };
}
