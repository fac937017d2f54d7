package dev.sketchreal.train;

import java.util.SplittableRandom;

/**
 * Counter-based randomness for training. A {@link SplittableRandom} cannot be serialised, so a
 * trainer never keeps one across steps: every random draw of step s (batch order, timesteps, noise,
 * dropout) comes from {@code forStep(seed, s)} (or a named stream of it). A checkpoint then only
 * needs (seed, step) to continue exactly where it stopped, and steps do not depend on how many
 * numbers earlier steps drew.
 */
public final class StepRandom {
  private StepRandom() {}

  /** The generator of step {@code step} (1-based: the step that produces optimizer step s). */
  public static SplittableRandom forStep(long seed, long step) {
    return forStep(seed, step, 0);
  }

  /** An independent stream of one step (e.g. 0 = noise, 1 = data order). */
  public static SplittableRandom forStep(long seed, long step, int stream) {
    long h = mix(seed ^ 0x9E3779B97F4A7C15L);
    h = mix(h + step * 0xBF58476D1CE4E5B9L);
    h = mix(h + stream * 0x94D049BB133111EBL);
    return new SplittableRandom(h);
  }

  /** SplitMix64 finaliser. */
  static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }
}
