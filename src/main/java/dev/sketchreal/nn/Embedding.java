package dev.sketchreal.nn;

import ai.djl.ndarray.NDArray;

/** A lookup table [num, dim]; ids of any shape -> (..., dim). */
public final class Embedding extends Module {
  private final Parameter weight;
  private final long num;

  public Embedding(long num, long dim, Init init) {
    this.num = num;
    this.weight = parameter("weight", init, num, dim);
  }

  public NDArray forward(NDArray ids) {
    NDArray flat = ids.flatten();
    NDArray rows = Owned.like(weight.array().get(flat), ids);
    return rows.reshape(
        ids.getShape().addAll(new ai.djl.ndarray.types.Shape(rows.getShape().get(1))));
  }

  public Parameter weight() {
    return weight;
  }

  public long size() {
    return num;
  }
}
