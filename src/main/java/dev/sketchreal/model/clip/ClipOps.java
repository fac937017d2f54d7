package dev.sketchreal.model.clip;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * Small tensor helpers shared by the CLIP towers. Indexing a weight with {@code weight.get(...)}
 * would put the result in the weight's (the model's) manager, where it would stay until the model
 * is closed; these helpers index through an indexer of the activation's manager instead.
 */
final class ClipOps {
  private ClipOps() {}

  /** Rows {@code ids} (any shape, integer) of a [num, dim] table, as (..., dim) in {@code into}. */
  static NDArray rows(NDArray table, NDArray ids, NDManager into) {
    NDArray flat = ids.toType(DataType.INT64, false).flatten();
    NDArray picked =
        table.getNDArrayInternal().getIndexer(into).get(table, new NDIndex("{}", flat));
    return picked.reshape(ids.getShape().addAll(new Shape(table.getShape().get(1))));
  }

  /** Rows [0, count) of a [num, dim] table, in {@code into}. */
  static NDArray firstRows(NDArray table, long count, NDManager into) {
    return table.getNDArrayInternal().getIndexer(into).get(table, new NDIndex("0:{}", count));
  }

  /**
   * A weight as an operand living in the activation's manager: ops with it as the receiver then
   * leave their results there too. Meant for small weights (it copies).
   */
  static NDArray inManagerOf(NDArray activation, NDArray weight) {
    // 0 + weight: a copy in the activation's manager that is still part of the autograd graph
    // (an indexer copy of a rank-0 array would detach it).
    return activation.getManager().zeros(weight.getShape(), weight.getDataType()).add(weight);
  }

  /** x / ||x||₂ over the last axis, without epsilon (as CLIP does). */
  static NDArray l2Normalize(NDArray x) {
    return x.div(x.square().sum(new int[] {-1}, true).sqrt());
  }

  /** Additive causal mask [len, len]: 0 on and below the diagonal, float32 lowest above it. */
  static NDArray causalMask(NDManager manager, int len) {
    float[] mask = new float[len * len];
    for (int i = 0; i < len; i++) {
      for (int j = i + 1; j < len; j++) {
        mask[i * len + j] = -Float.MAX_VALUE;
      }
    }
    return manager.create(mask, new Shape(len, len));
  }

  static void requireRank(NDArray x, int rank, String what) {
    if (x.getShape().dimension() != rank) {
      throw new IllegalArgumentException(
          what + " must have rank " + rank + ", got shape " + x.getShape());
    }
  }
}
