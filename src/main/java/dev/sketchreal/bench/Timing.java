package dev.sketchreal.bench;

import java.util.Arrays;

/** Wall times of repeated runs of one workload, in milliseconds. */
public record Timing(String workload, double[] millis) {
  public double min() {
    return Arrays.stream(millis).min().orElse(Double.NaN);
  }

  public double max() {
    return Arrays.stream(millis).max().orElse(Double.NaN);
  }

  public double median() {
    double[] sorted = millis.clone();
    Arrays.sort(sorted);
    int n = sorted.length;
    return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
  }

  /** Times {@code runs} calls after {@code warmup} untimed ones. */
  public static Timing measure(String workload, int warmup, int runs, Runnable call) {
    for (int i = 0; i < warmup; i++) {
      call.run();
    }
    double[] ms = new double[runs];
    for (int i = 0; i < runs; i++) {
      long start = System.nanoTime();
      call.run();
      ms[i] = (System.nanoTime() - start) / 1e6;
    }
    return new Timing(workload, ms);
  }
}
