package dev.sketchreal.sketch;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import dev.sketchreal.nn.Module;
import java.util.List;

/**
 * Ablation (b), "raw sketch, single-branch U-Net" (Ham et al. 2023 MCM-like): the raw sketch
 * pixels, z_t and eps are concatenated and go through one small U-Net (the down levels are skip
 * connections of the up path).
 *
 * <pre>
 *   sketch (B, Cf, H, W) → resize to (f·h, f·w) → space-to-depth f → (B, Cf·f², h, w)
 *   concat(that, z_t, eps detached) (B, Cf·f² + 2C, h, w) → branch (3 stages, levels kept)
 *   → trunk with skips → S, B (B, C, h, w)
 * </pre>
 *
 * f is the VAE scale factor (8): every pixel of the sketch reaches the network, folded into
 * channels at the latent grid.
 */
public final class RawSketchUNetModulator extends Module implements SketchModulator {
  private final ModulationConfig config;
  private final DownBranch branch;
  private final ModulationTrunk trunk;

  public RawSketchUNetModulator(ModulationConfig config) {
    this.config = config;
    long hidden = config.hiddenChannels();
    int f = config.vaeScaleFactor();
    long in = (long) config.featureChannels() * f * f + 2L * config.latentChannels();
    this.branch = child("branch", new DownBranch(in, hidden, config.stages(), 3));
    this.trunk = child("trunk", new ModulationTrunk(hidden, config, true));
  }

  /**
   * @param sketch raw sketch pixels (B, Cf, H, W) in the range the caller trains with (e.g. [0, 1],
   *     strokes = 1)
   */
  @Override
  public Modulation forward(NDArray sketch, NDArray zt, NDArray eps, NDArray timesteps) {
    Inputs.check(zt, eps, config);
    Inputs.checkSketch(sketch, config, "raw sketch");
    int f = config.vaeScaleFactor();
    long h = zt.getShape().get(2);
    long w = zt.getShape().get(3);
    NDArray pixels = Resize.features(sketch, f * h, f * w);
    NDArray folded = Resize.spaceToDepth(pixels, f); // (B, Cf·f², h, w)
    List<NDArray> levels =
        branch.forward(NDArrays.concat(new NDList(folded, zt, eps.stopGradient()), 1));
    NDArray bottom = levels.get(levels.size() - 1);
    return trunk.forward(bottom, Inputs.timesteps(timesteps, zt), null, levels, true);
  }

  @Override
  public Module module() {
    return this;
  }

  @Override
  public ModulationConfig config() {
    return config;
  }
}
