package dev.sketchreal.model.unet;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.sketchreal.nn.Activation;
import dev.sketchreal.nn.Linear;
import dev.sketchreal.nn.Module;

/**
 * Sinusoidal timestep features ({@code time_proj}, no parameters) followed by the MLP {@code
 * time_embedding}: linear_1 → act → linear_2.
 */
final class TimestepEmbedding extends Module {
  private final Linear linear1;
  private final Linear linear2;
  private final Activation act;

  TimestepEmbedding(long in, long dim, Activation act) {
    this.act = act;
    this.linear1 = child("linear_1", new Linear(in, dim));
    this.linear2 = child("linear_2", new Linear(dim, dim));
  }

  NDArray forward(NDArray features) {
    return linear2.forward(act.apply(linear1.forward(features)));
  }

  /**
   * diffusers {@code get_timestep_embedding} in float32: freq_i = exp(−ln(10000)·i / (half −
   * shift)), args = t·freq, [sin, cos] (or [cos, sin] when flipped), zero-padded to an odd dim.
   *
   * @param timesteps (B) of any numeric type
   * @return (B, dim)
   */
  static NDArray sinusoidal(NDArray timesteps, int dim, boolean flipSinToCos, double shift) {
    NDManager m = timesteps.getManager();
    int half = dim / 2;
    NDArray exponent =
        m.arange(0, half, 1, DataType.FLOAT32)
            .mul((float) -Math.log(10000))
            .div((float) (half - shift));
    NDArray args =
        timesteps.toType(DataType.FLOAT32, false).expandDims(1).mul(exponent.exp().expandDims(0));
    NDArray sin = args.sin();
    NDArray cos = args.cos();
    NDArray emb = flipSinToCos ? cos.concat(sin, 1) : sin.concat(cos, 1);
    if (dim % 2 == 1) {
      emb = emb.concat(m.zeros(new ai.djl.ndarray.types.Shape(emb.getShape().get(0), 1)), 1);
    }
    return emb;
  }
}
