package dev.sketchreal.nn;

import ai.djl.ndarray.NDArray;

/**
 * In-place arithmetic where autograd does not need the operands. A fresh output tensor of a large
 * feature map costs an allocation and its page faults (about as much as the arithmetic itself at
 * 512×512); reusing a temporary avoids both. Only allowed when autograd is not recording on this
 * thread (no open gradient collector), so training graphs are never corrupted. (A per-array {@code
 * hasGradient()} check is not enough: DJL caches it per array and it missed activations of a
 * recorded graph.)
 */
public final class InPlace {
  private InPlace() {}

  /** True when autograd is not recording on this thread. */
  public static boolean allowed(NDArray... arrays) {
    return !dev.sketchreal.runtime.Compute.isRecordingGradients();
  }

  /**
   * {@code fresh + other}, written into {@code fresh} when allowed. {@code fresh} must be a
   * temporary the caller owns and does not use afterwards.
   */
  public static NDArray add(NDArray fresh, NDArray other) {
    return allowed(fresh, other) ? fresh.addi(other) : fresh.add(other);
  }
}
