package dev.sketchreal.sketch;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import dev.sketchreal.nn.Init;
import dev.sketchreal.nn.Linear;
import dev.sketchreal.nn.Module;
import java.util.List;

/**
 * The SketchingReality modulation network (docs/METHOD.md §2, variant (c)): three independent
 * downsampling branches, one per input, each mapping its input to a (B, hidden, h/8, w/8) embedding
 * (3 stages); the embeddings are concatenated and decoded by the {@link ModulationTrunk}
 * (timestep-conditioned conv → act → conv → 3 upsampling layers → zero-initialised S and B heads).
 *
 * <pre>
 *   features (B, Cf, hf, wf) → resize to (h, w) → sketch_branch (1×1 projection + 3 stages)
 *   z_t      (B, C, h, w)                        → latent_branch
 *   eps      (B, C, h, w), detached              → eps_branch
 *   concat (B, 3·hidden, h/8, w/8) → trunk → S, B (B, C, h, w)
 * </pre>
 *
 * <p>With {@code sketch_skips} each up stage also concatenates the sketch branch's level of its
 * size (not in the paper).
 *
 * <p>Parameters at the defaults (768 feature channels, hidden 64): ~0.4 M.
 */
public final class ModulationNetwork extends Module implements SketchModulator {
  private final ModulationConfig config;
  private final DownBranch sketchBranch;
  private final DownBranch latentBranch;
  private final DownBranch epsBranch;
  private final ModulationTrunk trunk;
  private final Linear textProjection; // null without text_channels

  public ModulationNetwork(ModulationConfig config) {
    this.config = config;
    long hidden = config.hiddenChannels();
    int stages = config.stages();
    this.sketchBranch =
        child("sketch_branch", new DownBranch(config.featureChannels(), hidden, stages, 1));
    this.latentBranch =
        child("latent_branch", new DownBranch(config.latentChannels(), hidden, stages, 3));
    this.epsBranch =
        child("eps_branch", new DownBranch(config.latentChannels(), hidden, stages, 3));
    this.trunk = child("trunk", new ModulationTrunk(3 * hidden, config, config.sketchSkips()));
    this.textProjection =
        config.textChannels() > 0
            ? child(
                "text_proj",
                new Linear(config.textChannels(), config.timeEmbeddingDim(), true, Init.zeros()))
            : null;
  }

  /** Without text: for a modulator configured with text_channels the text counts as zero. */
  @Override
  public Modulation forward(NDArray features, NDArray zt, NDArray eps, NDArray timesteps) {
    return forward(features, zt, eps, timesteps, null);
  }

  /**
   * @param text (B, tokens, text_channels) the prompt's hidden states, or null (no text)
   */
  @Override
  public Modulation forward(
      NDArray features, NDArray zt, NDArray eps, NDArray timesteps, NDArray text) {
    Inputs.check(zt, eps, config);
    Inputs.checkSketch(features, config, "sketch features");
    long h = zt.getShape().get(2);
    long w = zt.getShape().get(3);
    NDArray sketch = Resize.features(features, h, w); // (B, Cf, h, w)
    List<NDArray> latentLevels = latentBranch.forward(zt);
    List<NDArray> sketchLevels = sketchBranch.forward(sketch);
    NDArray embeddings =
        NDArrays.concat(
            new NDList(
                sketchLevels.get(sketchLevels.size() - 1),
                latentLevels.get(latentLevels.size() - 1),
                epsBranch.embed(eps.stopGradient())),
            1); // (B, 3·hidden, h/2^stages, w/2^stages)
    // the up path's targets: the sketch's own levels when they are skips, else just the sizes
    boolean skips = config.sketchSkips();
    return trunk.forward(
        embeddings,
        Inputs.timesteps(timesteps, zt),
        textEmbedding(text, zt),
        skips ? sketchLevels : latentLevels,
        skips);
  }

  // The caption as an addition to the trunk's timestep embedding: (B, time_embedding_dim), or null.
  private NDArray textEmbedding(NDArray text, NDArray zt) {
    if (textProjection == null || text == null) {
      return null;
    }
    long rows = zt.getShape().get(0);
    if (text.getShape().dimension() != 3
        || text.getShape().get(0) != rows
        || text.getShape().get(2) != config.textChannels()) {
      throw new IllegalArgumentException(
          "text hidden states must be ("
              + rows
              + ", tokens, "
              + config.textChannels()
              + "), got "
              + text.getShape());
    }
    return textProjection.forward(text.mean(new int[] {1})); // mean over tokens: (B, D)
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
