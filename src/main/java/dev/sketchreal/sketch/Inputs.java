package dev.sketchreal.sketch;

import ai.djl.ndarray.NDArray;

/** Shape checks and broadcasting shared by the modulators. */
final class Inputs {
  private Inputs() {}

  /** z_t and eps must both be (B, C, h, w) with C = latent channels. */
  static void check(NDArray zt, NDArray eps, ModulationConfig config) {
    if (zt.getShape().dimension() != 4 || zt.getShape().get(1) != config.latentChannels()) {
      throw new IllegalArgumentException(
          "z_t must be (B, " + config.latentChannels() + ", h, w), got " + zt.getShape());
    }
    if (!eps.getShape().equals(zt.getShape())) {
      throw new IllegalArgumentException(
          "eps " + eps.getShape() + " must have the shape of z_t " + zt.getShape());
    }
  }

  static void checkSketch(NDArray sketch, ModulationConfig config, String what) {
    if (sketch.getShape().dimension() != 4
        || sketch.getShape().get(1) != config.featureChannels()) {
      throw new IllegalArgumentException(
          what + " must be (B, " + config.featureChannels() + ", h, w), got " + sketch.getShape());
    }
  }

  /** (B) timesteps; a single timestep (1) or scalar is repeated for the batch. */
  static NDArray timesteps(NDArray timesteps, NDArray zt) {
    long batch = zt.getShape().get(0);
    if (timesteps.getShape().size() == 1 && batch > 1) {
      return timesteps.reshape(1).repeat(0, batch);
    }
    if (timesteps.getShape().size() != batch) {
      throw new IllegalArgumentException(
          "timesteps " + timesteps.getShape() + " do not match batch " + batch);
    }
    return timesteps.reshape(batch);
  }
}
