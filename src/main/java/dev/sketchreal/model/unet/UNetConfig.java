package dev.sketchreal.model.unet;

import com.fasterxml.jackson.annotation.JsonFormat;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * The {@code unet/config.json} of a diffusers UNet2DConditionModel. Keys this implementation does
 * not support with a non-default value are rejected in the constructor with a clear message;
 * unknown keys are ignored. Values that diffusers accepts as "int or list" are lists here.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record UNetConfig(
    @JsonProperty(value = "in_channels", required = true) int inChannels,
    @JsonProperty(value = "out_channels", required = true) int outChannels,
    @JsonProperty(value = "block_out_channels", required = true) List<Integer> blockOutChannels,
    @JsonProperty(value = "down_block_types", required = true) List<String> downBlockTypes,
    @JsonProperty(value = "up_block_types", required = true) List<String> upBlockTypes,
    @JsonProperty("mid_block_type") String midBlockType,
    @JsonProperty(value = "cross_attention_dim", required = true)
        @JsonFormat(with = JsonFormat.Feature.ACCEPT_SINGLE_VALUE_AS_ARRAY)
        List<Integer> crossAttentionDim,
    @JsonProperty("layers_per_block")
        @JsonFormat(with = JsonFormat.Feature.ACCEPT_SINGLE_VALUE_AS_ARRAY)
        List<Integer> layersPerBlock,
    @JsonProperty("transformer_layers_per_block")
        @JsonFormat(with = JsonFormat.Feature.ACCEPT_SINGLE_VALUE_AS_ARRAY)
        List<Integer> transformerLayersPerBlock,
    @JsonProperty("attention_head_dim")
        @JsonFormat(with = JsonFormat.Feature.ACCEPT_SINGLE_VALUE_AS_ARRAY)
        List<Integer> attentionHeadDim,
    @JsonProperty("num_attention_heads")
        @JsonFormat(with = JsonFormat.Feature.ACCEPT_SINGLE_VALUE_AS_ARRAY)
        List<Integer> numAttentionHeads,
    @JsonProperty("norm_num_groups") Integer normNumGroups,
    @JsonProperty("norm_eps") Double normEps,
    @JsonProperty("act_fn") String actFn,
    @JsonProperty("use_linear_projection") Boolean useLinearProjection,
    @JsonProperty("upcast_attention") Boolean upcastAttention,
    @JsonProperty("flip_sin_to_cos") Boolean flipSinToCos,
    @JsonProperty("freq_shift") Integer freqShift,
    @JsonProperty("downsample_padding") Integer downsamplePadding,
    @JsonProperty("mid_block_scale_factor") Double midBlockScaleFactor,
    @JsonProperty("center_input_sample") Boolean centerInputSample,
    @JsonProperty("sample_size") Integer sampleSize,
    @JsonProperty("only_cross_attention") Boolean onlyCrossAttention,
    @JsonProperty("dual_cross_attention") Boolean dualCrossAttention,
    @JsonProperty("class_embed_type") String classEmbedType,
    @JsonProperty("addition_embed_type") String additionEmbedType,
    @JsonProperty("time_embedding_type") String timeEmbeddingType,
    @JsonProperty("resnet_time_scale_shift") String resnetTimeScaleShift,
    @JsonProperty("time_cond_proj_dim") Integer timeCondProjDim,
    @JsonProperty("conv_in_kernel") Integer convInKernel,
    @JsonProperty("conv_out_kernel") Integer convOutKernel,
    @JsonProperty("attention_type") String attentionType,
    @JsonProperty("encoder_hid_dim") Integer encoderHidDim,
    @JsonProperty("num_class_embeds") Integer numClassEmbeds) {

  public UNetConfig {
    int levels = require(blockOutChannels, "block_out_channels").size();
    require(downBlockTypes, "down_block_types");
    require(upBlockTypes, "up_block_types");
    require(crossAttentionDim, "cross_attention_dim");
    if (downBlockTypes.size() != levels || upBlockTypes.size() != levels) {
      throw new IllegalArgumentException(
          "down_block_types and up_block_types must have one entry per block_out_channels entry");
    }
    midBlockType = midBlockType == null ? "UNetMidBlock2DCrossAttn" : midBlockType;
    crossAttentionDim = perLevel(crossAttentionDim, levels, "cross_attention_dim");
    layersPerBlock = perLevel(orDefault(layersPerBlock, 2), levels, "layers_per_block");
    transformerLayersPerBlock =
        perLevel(orDefault(transformerLayersPerBlock, 1), levels, "transformer_layers_per_block");
    attentionHeadDim = perLevel(orDefault(attentionHeadDim, 8), levels, "attention_head_dim");
    // diffusers: num_attention_heads defaults to attention_head_dim (which is really the head
    // count).
    numAttentionHeads =
        perLevel(
            numAttentionHeads == null ? attentionHeadDim : numAttentionHeads,
            levels,
            "num_attention_heads");
    normNumGroups = normNumGroups == null ? 32 : normNumGroups;
    normEps = normEps == null ? 1e-5 : normEps;
    actFn = actFn == null ? "silu" : actFn;
    useLinearProjection = Boolean.TRUE.equals(useLinearProjection);
    upcastAttention = Boolean.TRUE.equals(upcastAttention);
    flipSinToCos = flipSinToCos == null || flipSinToCos;
    freqShift = freqShift == null ? 0 : freqShift;
    downsamplePadding = downsamplePadding == null ? 1 : downsamplePadding;
    midBlockScaleFactor = midBlockScaleFactor == null ? 1.0 : midBlockScaleFactor;
    centerInputSample = Boolean.TRUE.equals(centerInputSample);
    sampleSize = sampleSize == null ? 64 : sampleSize;
    rejectUnsupported("only_cross_attention", Boolean.TRUE.equals(onlyCrossAttention), "true");
    rejectUnsupported("dual_cross_attention", Boolean.TRUE.equals(dualCrossAttention), "true");
    rejectUnsupported("class_embed_type", classEmbedType != null, classEmbedType);
    rejectUnsupported("addition_embed_type", additionEmbedType != null, additionEmbedType);
    rejectUnsupported("time_cond_proj_dim", timeCondProjDim != null, "" + timeCondProjDim);
    rejectUnsupported("encoder_hid_dim", encoderHidDim != null, "" + encoderHidDim);
    rejectUnsupported("num_class_embeds", numClassEmbeds != null, "" + numClassEmbeds);
    rejectUnsupported(
        "time_embedding_type",
        timeEmbeddingType != null && !timeEmbeddingType.equals("positional"),
        timeEmbeddingType);
    rejectUnsupported(
        "resnet_time_scale_shift",
        resnetTimeScaleShift != null && !resnetTimeScaleShift.equals("default"),
        resnetTimeScaleShift);
    rejectUnsupported(
        "attention_type", attentionType != null && !attentionType.equals("default"), attentionType);
    rejectUnsupported(
        "conv_in_kernel", convInKernel != null && convInKernel != 3, "" + convInKernel);
    rejectUnsupported(
        "conv_out_kernel", convOutKernel != null && convOutKernel != 3, "" + convOutKernel);
    rejectUnsupported(
        "mid_block_type", !midBlockType.equals("UNetMidBlock2DCrossAttn"), midBlockType);
    for (String t : downBlockTypes) {
      rejectUnsupported(
          "down_block_types", !t.equals("CrossAttnDownBlock2D") && !t.equals("DownBlock2D"), t);
    }
    for (String t : upBlockTypes) {
      rejectUnsupported(
          "up_block_types", !t.equals("CrossAttnUpBlock2D") && !t.equals("UpBlock2D"), t);
    }
    for (int i = 0; i < levels; i++) {
      int channels = blockOutChannels.get(i);
      if (channels % normNumGroups != 0) {
        throw new IllegalArgumentException(
            "block_out_channels[" + i + "] = " + channels + " not divisible by norm_num_groups");
      }
      if (channels % numAttentionHeads.get(i) != 0) {
        throw new IllegalArgumentException(
            "block_out_channels[" + i + "] = " + channels + " not divisible by its head count");
      }
    }
    dev.sketchreal.nn.Activation.byName(actFn);
    blockOutChannels = List.copyOf(blockOutChannels);
    downBlockTypes = List.copyOf(downBlockTypes);
    upBlockTypes = List.copyOf(upBlockTypes);
  }

  public int levels() {
    return blockOutChannels.size();
  }

  /** Channels of the time embedding (4 × the first level's channels). */
  public int timeEmbeddingDim() {
    return blockOutChannels.get(0) * 4;
  }

  /** The given list reversed (up blocks walk the levels backwards). */
  public static <T> List<T> reversed(List<T> values) {
    List<T> copy = new ArrayList<>(values);
    Collections.reverse(copy);
    return copy;
  }

  private static <T> T require(T value, String key) {
    if (value == null) {
      throw new IllegalArgumentException("missing required key '" + key + "'");
    }
    return value;
  }

  private static List<Integer> orDefault(List<Integer> value, int fallback) {
    return value == null ? List.of(fallback) : value;
  }

  private static List<Integer> perLevel(List<Integer> values, int levels, String key) {
    if (values.size() == 1) {
      return Collections.nCopies(levels, Objects.requireNonNull(values.get(0), key));
    }
    if (values.size() != levels) {
      throw new IllegalArgumentException(
          key + " has " + values.size() + " entries, expected 1 or " + levels);
    }
    return List.copyOf(values);
  }

  private static void rejectUnsupported(String key, boolean unsupported, String value) {
    if (unsupported) {
      throw new IllegalArgumentException("unsupported " + key + " = " + value);
    }
  }
}
