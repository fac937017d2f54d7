package dev.sketchreal.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.pytorch.jni.JniUtils;

/**
 * In-place arithmetic where autograd does not need the operands. A fresh output tensor of a large
 * feature map costs an allocation and its page faults (about as much as the arithmetic itself at
 * 512×512); reusing a temporary avoids both. Only allowed outside a gradient collector (autograd
 * off) and when no operand requires a gradient, so training graphs are never corrupted. The
 * grad-mode check is needed because DJL's {@code hasGradient()} is true only for leaves: an
 * intermediate activation that is part of a graph (e.g. the frozen UNet's activations on ẑ0 in the
 * attention loss) reports false.
 */
public final class InPlace {
  private InPlace() {}

  /** True when autograd is off and none of the arrays requires a gradient. */
  public static boolean allowed(NDArray... arrays) {
    if (JniUtils.isGradMode()) {
      return false;
    }
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
