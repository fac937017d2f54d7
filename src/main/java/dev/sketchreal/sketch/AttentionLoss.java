package dev.sketchreal.sketch;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.sketchreal.model.unet.UNet2DConditionModel;
import dev.sketchreal.nn.AttentionMap;
import dev.sketchreal.nn.AttentionRecorder;
import dev.sketchreal.nn.Scalars;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * The attention-supervision loss (docs/METHOD.md §4). For every selected layer γ and every token i
 * that names a region b_i:
 *
 * <pre>
 *   term(γ, i) = (1 − Σ_p w_p·M_pi / Σ_p M_pi)² − λ_reg · Σ_p w_p·M_pi / Σ_p w_p
 * </pre>
 *
 * where M (H·W, tokens) is the layer's cross-attention (softmax over tokens, mean over heads) and w
 * is the region mask resized to the layer's H×W by <b>area interpolation</b> and used as <b>soft
 * weights</b> (the fraction of each coarse cell the region covers). For a mask made of whole coarse
 * cells this is exactly the binary sum over p ∈ b_i and the binary mean; soft weights keep small
 * regions alive at the 8×8 layers (thresholding would erase any region thinner than a coarse cell)
 * and keep the region's mass identical at every layer. The loss is the mean of term(γ, i) over the
 * selected layers and over every (sample, token) pair with a non-empty region in the batch; samples
 * without named regions add no terms, a batch without any gives 0.
 */
public final class AttentionLoss {
  private static final float TINY = 1e-12f;

  private AttentionLoss() {}

  /**
   * Regions as dense arrays.
   *
   * @param masks (B, T, h, w): each token's region mask (zeros for tokens without a region)
   * @param active (B, T): 1 where the token has a non-empty region
   * @param activeCount number of active (sample, token) pairs
   */
  public record RegionMasks(NDArray masks, NDArray active, long activeCount) {}

  /**
   * The full step of §4.2: runs the frozen UNet on ẑ0 at {@code t_attn} with a recorder, selects Γ
   * and evaluates the loss. Gradients flow through the UNet's activations into {@code z0hat}; the
   * UNet's parameters must be frozen ({@code setTrainable(false)}) to stay untouched.
   *
   * @param z0hat (B, C, h, w) clean-latent estimate from the modulated prediction
   * @param textContext (B, T, D) the text encoder's hidden states
   * @param regions per sample, its token regions (masks at latent resolution)
   */
  public static NDArray compute(
      UNet2DConditionModel unet,
      NDArray z0hat,
      NDArray textContext,
      List<List<TokenRegion>> regions,
      ModulationConfig config) {
    long tokens = textContext.getShape().get(1);
    RegionMasks masks = dense(regions, tokens, z0hat.getManager());
    if (masks.activeCount() == 0) {
      return z0hat.getManager().create(0f);
    }
    long batch = z0hat.getShape().get(0);
    int[] t = new int[(int) batch];
    Arrays.fill(t, config.tAttn());
    NDArray timesteps = z0hat.getManager().create(t);
    AttentionRecorder recorder = AttentionRecorder.all();
    unet.forward(z0hat, timesteps, textContext, recorder);
    return fromMaps(selectLayers(recorder.maps(), config), masks, config.lambdaRegAttn());
  }

  /**
   * Γ: the explicitly configured layers, or every recorded layer whose resolution is among the
   * {@code attn_coarsest_resolutions} coarsest distinct resolutions (down, mid and up blocks).
   */
  public static List<AttentionMap> selectLayers(List<AttentionMap> maps, ModulationConfig config) {
    if (!config.attnLayers().isEmpty()) {
      for (String path : config.attnLayers()) {
        if (maps.stream().noneMatch(m -> m.modulePath().equals(path))) {
          throw new IllegalArgumentException(
              "attention layer '"
                  + path
                  + "' was not recorded; recorded: "
                  + maps.stream().map(AttentionMap::modulePath).toList());
        }
      }
      return maps.stream().filter(m -> config.attnLayers().contains(m.modulePath())).toList();
    }
    TreeSet<Integer> sizes = new TreeSet<>();
    maps.forEach(m -> sizes.add(m.height() * m.width()));
    Set<Integer> kept =
        sizes.stream()
            .limit(config.attnCoarsestResolutions())
            .collect(java.util.stream.Collectors.toSet());
    return maps.stream().filter(m -> kept.contains(m.height() * m.width())).toList();
  }

  /**
   * The loss on recorded maps.
   *
   * @param maps selected layers; probs (B, H·W, T) or per head (B, heads, H·W, T)
   * @param masks dense regions (see {@link #dense})
   * @param lambdaReg weight of the leakage term
   * @return scalar, differentiable in the maps' probabilities
   */
  public static NDArray fromMaps(List<AttentionMap> maps, RegionMasks masks, double lambdaReg) {
    if (maps.isEmpty()) {
      throw new IllegalArgumentException("no attention layers selected");
    }
    NDArray sum = null;
    for (AttentionMap map : maps) {
      NDArray layer = layerTerms(map, masks, (float) lambdaReg); // (B, T), 0 where inactive
      sum = sum == null ? layer : sum.add(layer);
    }
    return Scalars.div(sum.sum(), (float) (maps.size() * Math.max(1, masks.activeCount())));
  }

  /** term(γ, i) for every (sample, token) of one layer, masked to the active pairs: (B, T). */
  private static NDArray layerTerms(AttentionMap map, RegionMasks masks, float lambdaReg) {
    NDArray probs = map.perHead() ? map.probs().mean(new int[] {1}) : map.probs(); // (B, HW, T)
    long b = probs.getShape().get(0);
    long tokens = probs.getShape().get(2);
    if (masks.masks().getShape().get(0) != b || masks.masks().getShape().get(1) != tokens) {
      throw new IllegalArgumentException(
          "masks " + masks.masks().getShape() + " do not match attention " + probs.getShape());
    }
    NDArray weights =
        Resize.area(masks.masks(), map.height(), map.width())
            .reshape(b, tokens, (long) map.height() * map.width())
            .transpose(0, 2, 1); // (B, HW, T)
    NDArray inside = probs.mul(weights).sum(new int[] {1}); // (B, T)
    // A saturated softmax (large ẑ0 at t ≈ T, where 1/sqrt(ᾱ) ≈ 15) can give a token exactly zero
    // attention everywhere: guard 0/0. Empty (inactive) regions have area 0: guard them too.
    NDArray total = Scalars.maximum(probs.sum(new int[] {1}), TINY); // (B, T)
    NDArray area = Scalars.maximum(weights.sum(new int[] {1}), TINY); // (B, T)
    NDArray miss = inside.div(total).neg().add(1f);
    NDArray term = miss.mul(miss).sub(Scalars.mul(inside.div(area), lambdaReg));
    return term.mul(masks.active());
  }

  /**
   * Packs per-sample regions into dense arrays. All masks of the batch must share one (h, w).
   *
   * @param tokens T, the text sequence length
   */
  public static RegionMasks dense(List<List<TokenRegion>> regions, long tokens, NDManager manager) {
    int batch = regions.size();
    Shape maskShape = firstMaskShape(regions);
    if (maskShape == null) {
      return new RegionMasks(
          manager.zeros(new Shape(batch, tokens, 1, 1)),
          manager.zeros(new Shape(batch, tokens)),
          0);
    }
    int hw = (int) maskShape.size();
    float[] dense = new float[Math.toIntExact(batch * tokens * hw)];
    float[] active = new float[Math.toIntExact(batch * tokens)];
    boolean[] taken = new boolean[active.length];
    long count = 0;
    for (int b = 0; b < batch; b++) {
      for (TokenRegion region : regions.get(b)) {
        count += put(region, b, tokens, maskShape, dense, active, taken);
      }
    }
    return new RegionMasks(
        manager.create(dense, new Shape(batch, tokens, maskShape.get(0), maskShape.get(1))),
        manager.create(active, new Shape(batch, tokens)),
        count);
  }

  private static int put(
      TokenRegion region,
      int b,
      long tokens,
      Shape maskShape,
      float[] dense,
      float[] active,
      boolean[] taken) {
    if (!region.mask().getShape().equals(maskShape)) {
      throw new IllegalArgumentException(
          "region masks of a batch must share one shape: "
              + region.mask().getShape()
              + " vs "
              + maskShape);
    }
    float[] mask = region.mask().toFloatArray();
    boolean nonEmpty = false;
    for (float v : mask) {
      nonEmpty |= v > 0;
    }
    int added = 0;
    for (int token : region.tokenPositions()) {
      if (token < 0 || token >= tokens) {
        throw new IllegalArgumentException(
            "token position " + token + " outside [0, " + tokens + ")");
      }
      int slot = (int) (b * tokens + token);
      if (taken[slot]) {
        throw new IllegalArgumentException("sample " + b + ": token " + token + " has two regions");
      }
      taken[slot] = true;
      System.arraycopy(mask, 0, dense, slot * mask.length, mask.length);
      if (nonEmpty) {
        active[slot] = 1;
        added++;
      }
    }
    return added;
  }

  private static Shape firstMaskShape(List<List<TokenRegion>> regions) {
    return regions.stream()
        .flatMap(List::stream)
        .map(r -> r.mask().getShape())
        .findFirst()
        .orElse(null);
  }
}
