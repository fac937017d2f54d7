package dev.sketchreal.model.clip;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.sketchreal.nn.Module;
import dev.sketchreal.nn.Parameter;
import dev.sketchreal.nn.StateDict;
import dev.sketchreal.nn.TensorSource;
import java.io.IOException;
import java.nio.file.Path;

/**
 * A transformers CLIPModel: the text tower under {@code text_model.*}, the vision tower under
 * {@code vision_model.*}, {@code text_projection} and {@code visual_projection} (both to the
 * top-level projection_dim, no bias) and {@code logit_scale} (a rank-0 parameter holding the log of
 * the logit scale). {@link #textModel()} and {@link #visionModel()} are views that share this
 * model's parameters.
 */
public final class ClipModel extends Module {
  private final ClipConfig config;
  private final ClipTextModel text;
  private final ClipVisionModel vision;
  private final Parameter logitScale;

  public ClipModel(ClipConfig config) {
    this.config = config;
    this.text = new ClipTextModel(config.textConfig(), true);
    this.vision = new ClipVisionModel(config.visionConfig(), true);
    child("text_model", text.transformer());
    child("vision_model", vision.transformer());
    child("visual_projection", vision.projection());
    child("text_projection", text.projection());
    double init = config.logitScaleInitValue();
    this.logitScale = parameter("logit_scale", (m, s, r) -> m.full(s, (float) init));
  }

  /** Loads a CLIPModel folder ({@code config.json} + {@code model.safetensors}). */
  public static ClipModel load(Path folder, NDManager manager) throws IOException {
    try (ClipCheckpoint checkpoint = ClipCheckpoint.open(folder)) {
      return fromWeights(checkpoint.clipConfig(), checkpoint.weights(), manager);
    }
  }

  /** Builds the model and loads it strictly ({@code position_ids} buffers are ignored). */
  public static ClipModel fromWeights(ClipConfig config, TensorSource weights, NDManager manager) {
    ClipModel model = new ClipModel(config);
    StateDict.load(model, weights, manager, k -> k, ClipCheckpoint::isPositionIds);
    return model;
  }

  public ClipConfig config() {
    return config;
  }

  /** The text tower with text_projection (shares parameters with this model). */
  public ClipTextModel textModel() {
    return text;
  }

  /** The vision tower with visual_projection (shares parameters with this model). */
  public ClipVisionModel visionModel() {
    return vision;
  }

  public Parameter logitScale() {
    return logitScale;
  }

  /** get_text_features: text_projection(pooled output), not normalised, (P, projection_dim). */
  public NDArray textEmbeds(NDArray inputIds) {
    return text.project(text.forward(inputIds).pooledOutput());
  }

  /** get_image_features: visual_projection(post_layernorm(CLS)), not normalised, (B, proj_dim). */
  public NDArray imageEmbeds(NDArray pixelValues) {
    return vision.project(vision.forward(pixelValues).pooledOutput());
  }

  /**
   * CLIPModel's logits_per_image: exp(logit_scale) · cosine(image_embeds, text_embeds), (B, P).
   * logits_per_text is its transpose.
   */
  public NDArray logitsPerImage(NDArray pixelValues, NDArray inputIds) {
    NDArray image = ClipOps.l2Normalize(imageEmbeds(pixelValues));
    NDArray textN = ClipOps.l2Normalize(textEmbeds(inputIds));
    NDArray scale = ClipOps.inManagerOf(image, logitScale.array()).exp();
    return image.matMul(textN.transpose()).mul(scale);
  }

  /**
   * Dense open-vocabulary similarity: cosine between every projected patch token ({@link
   * ClipVisionModel#patchEmbeds}) and every text embedding; no logit scale, no softmax.
   *
   * @param pixelValues (B, C, S, S)
   * @param textEmbeds (P, projection_dim), e.g. {@link #textEmbeds} (normalised here)
   * @return (B, N, P), patch p = y·g + x
   */
  public NDArray patchTextSimilarity(NDArray pixelValues, NDArray textEmbeds) {
    NDArray patches = vision.patchEmbeds(vision.forward(pixelValues).lastHiddenState());
    return ClipOps.l2Normalize(patches).matMul(ClipOps.l2Normalize(textEmbeds).transpose());
  }
}
