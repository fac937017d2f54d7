package dev.sketchreal.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/** 2-D convolution on NCHW; weight [out, in, k, k], bias [out]. */
public final class Conv2d extends Module {
  private final Parameter weight;
  private final Parameter bias;
  private final Shape stride;
  private final Shape padding;
  private final Shape dilation = new Shape(1, 1);

  public Conv2d(long in, long out, int kernel, int stride, int padding, boolean bias) {
    long fanIn = in * kernel * kernel;
    this.weight = parameter("weight", Init.fanIn(fanIn), out, in, kernel, kernel);
    this.bias = bias ? parameter("bias", Init.fanIn(fanIn), out) : null;
    this.stride = new Shape(stride, stride);
    this.padding = new Shape(padding, padding);
  }

  public Conv2d(long in, long out, int kernel, int stride, int padding) {
    this(in, out, kernel, stride, padding, true);
  }

  /** (B, in, H, W) -> (B, out, H', W'). */
  public NDArray forward(NDArray x) {
    NDArray b = bias == null ? null : bias.array();
    return ai.djl.nn.convolutional.Conv2d.conv2d(x, weight.array(), b, stride, padding, dilation, 1)
        .singletonOrThrow();
  }

  public Parameter weight() {
    return weight;
  }

  public Parameter bias() {
    return bias;
  }
}
