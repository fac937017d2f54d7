package dev.sketchreal.sketch;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import dev.sketchreal.nn.Init;
import dev.sketchreal.nn.Module;
import dev.sketchreal.nn.Parameter;

/**
 * A 3×3 convolution (padding 1) whose weight and bias start at zero: the output heads of the
 * modulators, so an untrained modulator outputs S = B = 0 exactly and eps' = eps.
 */
final class ZeroConv extends Module {
  private static final Shape ONE = new Shape(1, 1);
  private final Parameter weight;
  private final Parameter bias;

  ZeroConv(long in, long out) {
    this.weight = parameter("weight", Init.zeros(), out, in, 3, 3);
    this.bias = parameter("bias", Init.zeros(), out);
  }

  /** (B, in, h, w) -> (B, out, h, w). */
  NDArray forward(NDArray x) {
    return ai.djl.nn.convolutional.Conv2d.conv2d(x, weight.array(), bias.array(), ONE, ONE, ONE, 1)
        .singletonOrThrow();
  }
}
