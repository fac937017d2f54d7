package dev.sketchreal.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import dev.sketchreal.nn.Scalars;

/**
 * Soft Dice loss over the classes present in a batch: per class 1 − (2·Σ p·t + 1) / (Σ p + Σ t +
 * 1), averaged over the classes whose target is non-empty (absent classes would only reward
 * predicting nothing). Shared by the segmentation trainers (judge, sketch encoder).
 */
public final class SoftDice {
  private SoftDice() {}

  /**
   * @param probabilities predicted class probabilities, class axis last after reduction
   * @param target the same shape, 0/1 or soft
   * @param reduceAxes every axis except the class axis
   * @return the scalar loss, differentiable in {@code probabilities}
   */
  public static NDArray loss(NDArray probabilities, NDArray target, int[] reduceAxes) {
    NDArray inter = probabilities.mul(target).sum(reduceAxes);
    NDArray targetSum = target.sum(reduceAxes);
    NDArray denom = probabilities.sum(reduceAxes).add(targetSum);
    NDArray perClass = Scalars.mul(inter, 2f).add(1).div(denom.add(1)).neg().add(1);
    NDArray present = targetSum.gt(0).toType(DataType.FLOAT32, false);
    return perClass.mul(present).sum().div(present.sum().maximum(1f));
  }
}
