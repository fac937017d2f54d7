package dev.sketchreal.model.vae;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/** The {@code vae/config.json} of a diffusers AutoencoderKL. */
@JsonIgnoreProperties(ignoreUnknown = true)
public record VaeConfig(
    @JsonProperty(value = "block_out_channels", required = true) List<Integer> blockOutChannels,
    @JsonProperty("in_channels") Integer inChannels,
    @JsonProperty("out_channels") Integer outChannels,
    @JsonProperty("latent_channels") Integer latentChannels,
    @JsonProperty("layers_per_block") Integer layersPerBlock,
    @JsonProperty("norm_num_groups") Integer normNumGroups,
    @JsonProperty("act_fn") String actFn,
    @JsonProperty("scaling_factor") Double scalingFactor,
    @JsonProperty("down_block_types") List<String> downBlockTypes,
    @JsonProperty("up_block_types") List<String> upBlockTypes,
    @JsonProperty("mid_block_add_attention") Boolean midBlockAddAttention,
    @JsonProperty("use_quant_conv") Boolean useQuantConv,
    @JsonProperty("use_post_quant_conv") Boolean usePostQuantConv,
    @JsonProperty("sample_size") Integer sampleSize) {

  public VaeConfig {
    if (blockOutChannels == null || blockOutChannels.isEmpty()) {
      throw new IllegalArgumentException("missing required key 'block_out_channels'");
    }
    blockOutChannels = List.copyOf(blockOutChannels);
    int levels = blockOutChannels.size();
    inChannels = inChannels == null ? 3 : inChannels;
    outChannels = outChannels == null ? 3 : outChannels;
    latentChannels = latentChannels == null ? 4 : latentChannels;
    layersPerBlock = layersPerBlock == null ? 1 : layersPerBlock;
    normNumGroups = normNumGroups == null ? 32 : normNumGroups;
    actFn = actFn == null ? "silu" : actFn;
    scalingFactor = scalingFactor == null ? 0.18215 : scalingFactor;
    downBlockTypes =
        downBlockTypes == null
            ? java.util.Collections.nCopies(levels, "DownEncoderBlock2D")
            : List.copyOf(downBlockTypes);
    upBlockTypes =
        upBlockTypes == null
            ? java.util.Collections.nCopies(levels, "UpDecoderBlock2D")
            : List.copyOf(upBlockTypes);
    midBlockAddAttention = midBlockAddAttention == null || midBlockAddAttention;
    useQuantConv = useQuantConv == null || useQuantConv;
    usePostQuantConv = usePostQuantConv == null || usePostQuantConv;
    sampleSize = sampleSize == null ? 32 : sampleSize;
    if (downBlockTypes.size() != levels || upBlockTypes.size() != levels) {
      throw new IllegalArgumentException(
          "down_block_types/up_block_types need one entry per block_out_channels entry");
    }
    for (String t : downBlockTypes) {
      if (!t.equals("DownEncoderBlock2D")) {
        throw new IllegalArgumentException("unsupported down_block_types entry " + t);
      }
    }
    for (String t : upBlockTypes) {
      if (!t.equals("UpDecoderBlock2D")) {
        throw new IllegalArgumentException("unsupported up_block_types entry " + t);
      }
    }
    for (int c : blockOutChannels) {
      if (c % normNumGroups != 0) {
        throw new IllegalArgumentException(c + " channels not divisible by norm_num_groups");
      }
    }
    dev.sketchreal.nn.Activation.byName(actFn);
  }

  public int levels() {
    return blockOutChannels.size();
  }

  /** Spatial downsampling factor of the latent (2^(levels − 1); 8 for SD). */
  public int downsampleFactor() {
    return 1 << (levels() - 1);
  }
}
