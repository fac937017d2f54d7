package dev.sketchreal.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.Arrays;

/**
 * One named tensor of a {@link Module}: its declared shape, how to initialise it, and (once
 * initialised or loaded) its value. The value is owned by the model's {@code NDManager}.
 */
public final class Parameter {
  private final Shape shape;
  private final Init init;
  private NDArray array;
  private boolean trainable = true;

  Parameter(Shape shape, Init init) {
    this.shape = shape;
    this.init = init;
  }

  public Shape shape() {
    return shape;
  }

  public Init init() {
    return init;
  }

  public boolean isInitialized() {
    return array != null;
  }

  /** The value; fails if the parameter was neither initialised nor loaded. */
  public NDArray array() {
    if (array == null) {
      throw new IllegalStateException("parameter of shape " + shape + " is not initialised");
    }
    return array;
  }

  /**
   * Replaces the value. The new array must have the declared shape and be float32; the previous
   * array, if any, is closed. Gradient tracking follows {@link #isTrainable()}.
   */
  public void set(NDArray value) {
    if (!value.getShape().equals(shape)) {
      throw new IllegalArgumentException(
          "shape " + value.getShape() + " does not match declared " + shape);
    }
    if (value.getDataType() != DataType.FLOAT32) {
      throw new IllegalArgumentException("parameter must be float32, got " + value.getDataType());
    }
    if (array != null && array != value) {
      array.close();
    }
    array = value;
    array.setRequiresGradient(trainable);
  }

  public boolean isTrainable() {
    return trainable;
  }

  /** Frozen parameters take no gradient and get no optimizer state. */
  public void setTrainable(boolean trainable) {
    this.trainable = trainable;
    if (array != null) {
      array.setRequiresGradient(trainable);
    }
  }

  public long size() {
    return shape.size();
  }

  @Override
  public String toString() {
    return "Parameter" + Arrays.toString(shape.getShape());
  }
}
