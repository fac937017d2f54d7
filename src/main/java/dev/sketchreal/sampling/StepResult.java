package dev.sketchreal.sampling;

import ai.djl.ndarray.NDArray;

/**
 * Result of one sampler step.
 *
 * @param prevSample {@code (B, C, H, W)} x_{t-1}
 * @param predOriginalSample {@code (B, C, H, W)} the x0 estimate at step t (after clipping, if
 *     configured)
 */
public record StepResult(NDArray prevSample, NDArray predOriginalSample) implements AutoCloseable {
  @Override
  public void close() {
    prevSample.close();
    predOriginalSample.close();
  }
}
