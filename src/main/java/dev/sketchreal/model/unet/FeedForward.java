package dev.sketchreal.model.unet;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import dev.sketchreal.nn.Activation;
import dev.sketchreal.nn.Linear;
import dev.sketchreal.nn.Module;
import dev.sketchreal.nn.ModuleList;

/**
 * diffusers FeedForward with GEGLU: {@code net.0.proj} maps C → 2·4C; the first half is the value,
 * the second the gate: value · GELU(gate); {@code net.2} maps 4C → C ({@code net.1} is dropout).
 */
final class FeedForward extends Module {
  private final Linear proj;
  private final Linear out;

  FeedForward(long dim) {
    long inner = dim * 4;
    ModuleList<Module> net = child("net", new ModuleList<>());
    Geglu geglu = net.add(new Geglu(dim, inner));
    this.proj = geglu.proj;
    net.add(new Dropout());
    this.out = net.add(new Linear(inner, dim));
  }

  /** (B, N, C) -> (B, N, C). */
  NDArray forward(NDArray x) {
    NDArray projected = proj.forward(x);
    NDList halves = projected.split(2, projected.getShape().dimension() - 1);
    NDArray gated = halves.get(0).mul(Activation.GELU.apply(halves.get(1)));
    return out.forward(gated);
  }

  private static final class Geglu extends Module {
    final Linear proj;

    Geglu(long dim, long inner) {
      this.proj = child("proj", new Linear(dim, inner * 2));
    }
  }

  /** Parameterless placeholder keeping the checkpoint's indices ({@code net.1}). */
  private static final class Dropout extends Module {}
}
