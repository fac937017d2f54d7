package dev.sketchreal.sketch;

import ai.djl.ndarray.NDArray;
import dev.sketchreal.nn.Activation;
import dev.sketchreal.nn.Conv2d;
import dev.sketchreal.nn.GroupNorm;
import dev.sketchreal.nn.Module;
import dev.sketchreal.nn.ModuleList;
import java.util.ArrayList;
import java.util.List;

/**
 * One downsampling branch of a modulator: {@code conv_in} (in → hidden, then SiLU) followed by
 * {@code stages} × [3×3 stride-2 conv → GroupNorm → SiLU]. Each stage halves the resolution
 * (rounding up), so a (B, in, h, w) input ends as (B, hidden, ⌈h/2^s⌉, ⌈w/2^s⌉).
 */
final class DownBranch extends Module {
  private final Conv2d convIn;
  private final ModuleList<Stage> stages;

  /**
   * @param inKernel 1 for a pure projection of feature channels (the semantic branch), 3 otherwise
   */
  DownBranch(long in, long hidden, int stages, int inKernel) {
    this.convIn = child("conv_in", new Conv2d(in, hidden, inKernel, 1, inKernel / 2));
    this.stages = child("down", new ModuleList<>());
    for (int i = 0; i < stages; i++) {
      this.stages.add(new Stage(hidden));
    }
  }

  /**
   * @param x (B, in, h, w)
   * @return every level's output, finest first: level 0 is (B, hidden, h, w), level s is (B,
   *     hidden, ⌈h/2^s⌉, ⌈w/2^s⌉); the last entry is the branch's embedding
   */
  List<NDArray> forward(NDArray x) {
    List<NDArray> levels = new ArrayList<>();
    NDArray h = Activation.SILU.apply(convIn.forward(x));
    levels.add(h);
    for (Stage stage : stages) {
      h = stage.forward(h);
      levels.add(h);
    }
    return levels;
  }

  /** The embedding only: (B, hidden, ⌈h/2^s⌉, ⌈w/2^s⌉). */
  NDArray embed(NDArray x) {
    List<NDArray> levels = forward(x);
    return levels.get(levels.size() - 1);
  }

  /** Stride-2 conv → GroupNorm → SiLU. */
  static final class Stage extends Module {
    private final Conv2d conv;
    private final GroupNorm norm;

    Stage(long channels) {
      this.conv = child("conv", new Conv2d(channels, channels, 3, 2, 1));
      int groups = ModulationConfig.groupsFor((int) channels);
      this.norm = child("norm", new GroupNorm(groups, channels, 1e-5));
    }

    NDArray forward(NDArray x) {
      return Activation.SILU.apply(norm.forward(conv.forward(x)));
    }
  }
}
