package dev.sketchreal.sketch;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import dev.sketchreal.nn.Module;
import java.util.List;

/**
 * Ablation (a), "VAE-encoder shared branch" (ControlNet-like): the sketch image encoded by the
 * backbone's VAE is concatenated with z_t into one shared branch; eps keeps its own branch; the
 * same trunk decodes S and B.
 *
 * <pre>
 *   concat(vae(sketch) (B, Cf, h, w), z_t (B, C, h, w)) → shared_branch → (B, hidden, h/8, w/8)
 *   eps (B, C, h, w), detached                          → eps_branch    → (B, hidden, h/8, w/8)
 *   concat (B, 2·hidden, h/8, w/8) → trunk → S, B (B, C, h, w)
 * </pre>
 *
 * The caller encodes the sketch (mean of the VAE posterior × scaling factor, like z0); the
 * modulator does not own a VAE.
 */
public final class VaeSharedBranchModulator extends Module implements SketchModulator {
  private final ModulationConfig config;
  private final DownBranch sharedBranch;
  private final DownBranch epsBranch;
  private final ModulationTrunk trunk;

  public VaeSharedBranchModulator(ModulationConfig config) {
    this.config = config;
    long hidden = config.hiddenChannels();
    int stages = config.stages();
    long sharedIn = (long) config.featureChannels() + config.latentChannels();
    this.sharedBranch = child("shared_branch", new DownBranch(sharedIn, hidden, stages, 3));
    this.epsBranch =
        child("eps_branch", new DownBranch(config.latentChannels(), hidden, stages, 3));
    this.trunk = child("trunk", new ModulationTrunk(2 * hidden, config, false));
  }

  /**
   * @param sketchLatent the sketch's VAE latent (B, Cf, h', w'), resized to z_t's grid if needed
   */
  @Override
  public Modulation forward(NDArray sketchLatent, NDArray zt, NDArray eps, NDArray timesteps) {
    Inputs.check(zt, eps, config);
    Inputs.checkSketch(sketchLatent, config, "sketch latent");
    NDArray sketch = Resize.features(sketchLatent, zt.getShape().get(2), zt.getShape().get(3));
    List<NDArray> levels = sharedBranch.forward(NDArrays.concat(new NDList(sketch, zt), 1));
    NDArray embeddings =
        NDArrays.concat(
            new NDList(levels.get(levels.size() - 1), epsBranch.embed(eps.stopGradient())), 1);
    return trunk.forward(embeddings, Inputs.timesteps(timesteps, zt), null, levels, false);
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
