package dev.sketchreal.model.blocks;

import ai.djl.ndarray.NDArray;
import dev.sketchreal.nn.Activation;
import dev.sketchreal.nn.Conv2d;
import dev.sketchreal.nn.GroupNorm;
import dev.sketchreal.nn.InPlace;
import dev.sketchreal.nn.Linear;
import dev.sketchreal.nn.Module;

/**
 * diffusers ResnetBlock2D ("default" time scale-shift): norm1 → act → conv1 → (+ time_emb_proj(act(
 * temb)) per channel) → norm2 → act → conv2, plus the input (through a 1×1 conv_shortcut when the
 * channel count changes).
 */
public final class ResnetBlock2D extends Module {
  private final GroupNorm norm1;
  private final Conv2d conv1;
  private final Linear timeEmbProj;
  private final GroupNorm norm2;
  private final Conv2d conv2;
  private final Conv2d shortcut;
  private final Activation act;

  /**
   * @param temb channels of the time embedding, or 0 for none (VAE)
   */
  public ResnetBlock2D(long in, long out, long temb, int groups, double eps, Activation act) {
    this.act = act;
    this.norm1 = child("norm1", new GroupNorm(groups, in, eps));
    this.conv1 = child("conv1", new Conv2d(in, out, 3, 1, 1));
    this.timeEmbProj = temb > 0 ? child("time_emb_proj", new Linear(temb, out)) : null;
    this.norm2 = child("norm2", new GroupNorm(groups, out, eps));
    this.conv2 = child("conv2", new Conv2d(out, out, 3, 1, 1));
    this.shortcut = in != out ? child("conv_shortcut", new Conv2d(in, out, 1, 1, 0)) : null;
  }

  /**
   * @param x (B, in, H, W)
   * @param temb (B, temb) or null
   * @return (B, out, H, W)
   */
  public NDArray forward(NDArray x, NDArray temb) {
    NDArray h = conv1.forward(act.apply(norm1.forward(x)));
    if (timeEmbProj != null && temb != null) {
      NDArray t = timeEmbProj.forward(act.apply(temb)); // (B, out)
      h = InPlace.add(h, t.reshape(t.getShape().get(0), t.getShape().get(1), 1, 1));
    }
    h = conv2.forward(act.apply(norm2.forward(h)));
    NDArray skip = shortcut == null ? x : shortcut.forward(x);
    return InPlace.add(h, skip);
  }
}
