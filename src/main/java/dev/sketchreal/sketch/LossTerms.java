package dev.sketchreal.sketch;

import ai.djl.ndarray.NDArray;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The terms of one batch's SketchingReality loss, each a scalar array (differentiable until read):
 * {@code total = λ0·noise + λ1·attn + λ2·(l1 + var)}.
 *
 * @param noise L_noise: MSE of the modulated prediction against the target, averaged over the
 *     synthetic samples only (0 if there are none) — the λ0 = 0 of hand-drawn samples
 * @param attn L_attn (see {@link AttentionLoss})
 * @param l1 mean|S| + mean|B| over the batch
 * @param var L_var = −(mean_b std(S_b) + mean_b std(B_b))
 * @param noiseBackbone diagnostic, not in the total: L_noise of the backbone's own prediction (the
 *     identity modulation) on the same batch; {@code noise} below it means the sketch helps
 */
public record LossTerms(
    NDArray total, NDArray noise, NDArray attn, NDArray l1, NDArray var, NDArray noiseBackbone) {

  /** The terms as named arrays in log order ("total" first), for {@code Trainer.StepFunction}. */
  public Map<String, NDArray> arrays() {
    Map<String, NDArray> out = new LinkedHashMap<>();
    out.put("total", total);
    out.put("noise", noise);
    out.put("attn", attn);
    out.put("l1", l1);
    out.put("var", var);
    out.put("noise_backbone", noiseBackbone);
    return out;
  }

  /** Every term as a float, in log order (total, noise, attn, l1, var, noise_backbone). */
  public Map<String, Double> values() {
    Map<String, Double> out = new LinkedHashMap<>();
    out.put("total", (double) total.getFloat());
    out.put("noise", (double) noise.getFloat());
    out.put("attn", (double) attn.getFloat());
    out.put("l1", (double) l1.getFloat());
    out.put("var", (double) var.getFloat());
    out.put("noise_backbone", (double) noiseBackbone.getFloat());
    return out;
  }
}
