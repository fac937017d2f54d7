package dev.sketchreal.nn;

import ai.djl.ndarray.NDArray;

/**
 * DJL attaches an op's result to the manager of its first operand. When that operand is a parameter
 * (owned by the model's long-lived manager) the result would live as long as the model; {@link
 * #like} moves it to the manager of the activation it is used with, so per-call memory is freed
 * with the call.
 */
final class Owned {
  private Owned() {}

  static NDArray like(NDArray result, NDArray activation) {
    result.attach(activation.getManager());
    return result;
  }
}
