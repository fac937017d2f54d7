package dev.sketchreal.nn;

import ai.djl.ndarray.NDArray;

/**
 * In-place arithmetic where autograd does not need the operands. A fresh output tensor of a large
 * feature map costs an allocation and its page faults (about as much as the arithmetic itself at
 * 512×512); reusing a temporary avoids both. Only allowed when no operand requires a gradient, so
 * training graphs are never corrupted.
 */
public final class InPlace {
  private InPlace() {}

  /** True when none of the arrays takes part in an autograd graph. */
  public static boolean allowed(NDArray... arrays) {
    for (NDArray a : arrays) {
      if (a.hasGradient()) {
        return false;
      }
    }
    return true;
  }

  /**
   * {@code fresh + other}, written into {@code fresh} when allowed. {@code fresh} must be a
   * temporary the caller owns and does not use afterwards.
   */
  public static NDArray add(NDArray fresh, NDArray other) {
    return allowed(fresh, other) ? fresh.addi(other) : fresh.add(other);
  }
}
