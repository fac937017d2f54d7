package dev.sketchreal.eval;

/**
 * Per-sample seeds derived from (run seed, sample id) only, so the sketch run and the text-only
 * baseline draw the same noise for the same sample whatever order or subset they evaluate.
 */
public final class Seeds {
  private Seeds() {}

  /** A non-negative seed for {@code sampleId} under {@code seed}. */
  public static long forSample(long seed, String sampleId) {
    long h = mix(seed ^ 0x9E3779B97F4A7C15L);
    for (int i = 0; i < sampleId.length(); i++) {
      h = mix(h + sampleId.charAt(i) * 0xBF58476D1CE4E5B9L);
    }
    return (h >>> 1) % 4_294_967_296L; // non-negative and small enough for any sampler
  }

  private static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }
}
