package dev.sketchreal.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/**
 * Arithmetic with a constant that is safe inside an autograd graph.
 *
 * <p>DJL's {@code x.mul(2f)}, {@code x.div(2f)}, {@code x.maximum(2f)} materialise the constant
 * with {@code manager.create(Number)}, which on the CPU wraps a Java direct buffer without copying
 * ({@code torch::from_blob}), and close that array right after the op. When the op saves the
 * constant for its backward pass (mul, div, maximum do), the graph keeps pointing at the buffer,
 * which the garbage collector may free before {@code backward}: the gradients then read freed
 * memory (NaN, ±inf or silently wrong values, depending on when the GC runs). These helpers build
 * the constant with {@code full}, in libtorch-owned memory that the graph keeps alive. Ops whose
 * backward does not need the constant ({@code add}, {@code sub}) are safe with a plain number.
 */
public final class Scalars {
  private Scalars() {}

  /** {@code x · value}, differentiable in x. */
  public static NDArray mul(NDArray x, float value) {
    try (NDArray c = constant(x, value)) {
      return x.mul(c);
    }
  }

  /** {@code x / value}, differentiable in x. */
  public static NDArray div(NDArray x, float value) {
    try (NDArray c = constant(x, value)) {
      return x.div(c);
    }
  }

  /** Element-wise {@code max(x, value)}, differentiable in x. */
  public static NDArray maximum(NDArray x, float value) {
    try (NDArray c = constant(x, value)) {
      return x.maximum(c);
    }
  }

  /** Element-wise {@code min(x, value)}, differentiable in x. */
  public static NDArray minimum(NDArray x, float value) {
    try (NDArray c = constant(x, value)) {
      return x.minimum(c);
    }
  }

  private static NDArray constant(NDArray like, float value) {
    return like.getManager().full(new Shape(), value, like.getDataType());
  }
}
