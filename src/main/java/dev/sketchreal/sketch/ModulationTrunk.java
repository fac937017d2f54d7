package dev.sketchreal.sketch;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.sketchreal.nn.Activation;
import dev.sketchreal.nn.Conv2d;
import dev.sketchreal.nn.GroupNorm;
import dev.sketchreal.nn.Linear;
import dev.sketchreal.nn.Module;
import dev.sketchreal.nn.ModuleList;
import java.util.List;

/**
 * The shared decoder of every modulator, from the concatenated branch embeddings to S and B:
 *
 * <pre>
 *   x (B, in, h_s, w_s)
 *   → film_conv: 3×3 conv (in → hidden) → GroupNorm → ·(1 + scale_t) + shift_t  (FiLM; scale and
 *     shift from time_mlp(sinusoidal(t)), as in the backbone's ResNet blocks)
 *   → SiLU → conv (hidden → hidden) → SiLU
 *   → up.0 … up.{s-1}: nearest upsample to the next finer level's size [→ concat skip] → 3×3 conv
 *     → GroupNorm → SiLU                                            (B, hidden, h, w)
 *   → scale_head, shift_head: zero-initialised 3×3 convs (hidden → C)  S, B: (B, C, h, w)
 * </pre>
 */
final class ModulationTrunk extends Module {
  private final Linear timeLinear1;
  private final Linear timeLinear2;
  private final Linear film;
  private final Conv2d filmConv;
  private final GroupNorm filmNorm;
  private final Conv2d conv;
  private final ModuleList<UpStage> ups;
  private final ZeroConv scaleHead;
  private final ZeroConv shiftHead;
  private final int timeDim;
  private final long hidden;

  /**
   * @param in channels of the concatenated embeddings
   * @param skips whether each up stage concatenates the matching down level (U-Net variant)
   */
  ModulationTrunk(long in, ModulationConfig config, boolean skips) {
    this.hidden = config.hiddenChannels();
    this.timeDim = config.timeEmbeddingDim();
    int groups = ModulationConfig.groupsFor((int) hidden);
    ModuleList<Linear> timeMlp = child("time_mlp", new ModuleList<>());
    this.timeLinear1 = timeMlp.add(new Linear(timeDim, timeDim));
    this.timeLinear2 = timeMlp.add(new Linear(timeDim, timeDim));
    this.filmConv = child("film_conv", new Conv2d(in, hidden, 3, 1, 1));
    this.filmNorm = child("film_norm", new GroupNorm(groups, hidden, 1e-5));
    this.film = child("film", new Linear(timeDim, 2 * hidden));
    this.conv = child("conv", new Conv2d(hidden, hidden, 3, 1, 1));
    this.ups = child("up", new ModuleList<>());
    for (int i = 0; i < config.stages(); i++) {
      ups.add(new UpStage(skips ? 2 * hidden : hidden, hidden, groups));
    }
    this.scaleHead = child("scale_head", new ZeroConv(hidden, config.latentChannels()));
    this.shiftHead = child("shift_head", new ZeroConv(hidden, config.latentChannels()));
  }

  /**
   * @param x concatenated embeddings (B, in, h_s, w_s)
   * @param timesteps (B)
   * @param textEmbedding (B, time_embedding_dim) added to the timestep embedding, or null
   * @param levels the down path's levels, finest first (level 0 has the latent size); their sizes
   *     are the upsampling targets and, with skips, they are concatenated
   * @param skips whether to concatenate the levels (must match the constructor)
   */
  Modulation forward(
      NDArray x, NDArray timesteps, NDArray textEmbedding, List<NDArray> levels, boolean skips) {
    NDArray temb =
        timeLinear2.forward(Activation.SILU.apply(timeLinear1.forward(sinusoidal(timesteps))));
    if (textEmbedding != null) {
      temb = temb.add(textEmbedding);
    }
    NDArray ss =
        film.forward(Activation.SILU.apply(temb)).expandDims(2).expandDims(3); // (B,2h,1,1)
    NDArray scale = ss.get(":, 0:" + hidden);
    NDArray shift = ss.get(":, " + hidden + ":");
    NDArray h = filmNorm.forward(filmConv.forward(x));
    h = h.add(h.mul(scale)).add(shift);
    h = Activation.SILU.apply(conv.forward(Activation.SILU.apply(h)));
    int stages = ups.size();
    for (int i = 0; i < stages; i++) {
      NDArray target = levels.get(stages - 1 - i); // next finer level
      h = ups.get(i).forward(h, target, skips);
    }
    return new Modulation(scaleHead.forward(h), shiftHead.forward(h));
  }

  /**
   * Sinusoidal timestep features, [cos | sin] of t·10000^(−i/half) (the backbone's flip_sin_to_cos
   * layout with shift 0).
   *
   * @param timesteps (B)
   * @return (B, timeDim)
   */
  NDArray sinusoidal(NDArray timesteps) {
    NDManager m = timesteps.getManager();
    int half = timeDim / 2;
    NDArray freqs =
        m.arange(0, half, 1, DataType.FLOAT32).mul((float) (-Math.log(10000) / half)).exp();
    NDArray args = timesteps.toType(DataType.FLOAT32, false).expandDims(1).mul(freqs.expandDims(0));
    NDArray emb = args.cos().concat(args.sin(), 1);
    if (timeDim % 2 == 1) {
      emb = emb.concat(m.zeros(new Shape(emb.getShape().get(0), 1)), 1);
    }
    return emb;
  }

  /** Nearest upsample to a target level's size [→ concat that level] → conv → GroupNorm → SiLU. */
  static final class UpStage extends Module {
    private final Conv2d conv;
    private final GroupNorm norm;

    UpStage(long in, long out, int groups) {
      this.conv = child("conv", new Conv2d(in, out, 3, 1, 1));
      this.norm = child("norm", new GroupNorm(groups, out, 1e-5));
    }

    NDArray forward(NDArray x, NDArray target, boolean skip) {
      NDArray up = Resize.nearest(x, target.getShape().get(2), target.getShape().get(3));
      if (skip) {
        up = NDArrays.concat(new NDList(up, target), 1);
      }
      return Activation.SILU.apply(norm.forward(conv.forward(up)));
    }
  }
}
