package dev.sketchreal.model.clip;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.sketchreal.nn.Conv2d;
import dev.sketchreal.nn.Embedding;
import dev.sketchreal.nn.Init;
import dev.sketchreal.nn.LayerNorm;
import dev.sketchreal.nn.Linear;
import dev.sketchreal.nn.Module;
import dev.sketchreal.nn.Parameter;
import dev.sketchreal.nn.StateDict;
import dev.sketchreal.nn.TensorSource;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The CLIP vision tower (ViT) in the transformers layout: {@code vision_model.embeddings.{
 * class_embedding, patch_embedding, position_embedding}}, {@code vision_model.pre_layrnorm}, {@code
 * vision_model.encoder.layers.N}, {@code vision_model.post_layernorm}, and optionally {@code
 * visual_projection} (CLIPVisionModelWithProjection / CLIPModel). Full (non-causal) attention.
 *
 * <p>Pixels are consumed as given (already resized, cropped and normalised with CLIP's mean/std).
 * Intermediate and output arrays go to the manager of the pixels. To fine-tune only the last
 * layers, {@link #freezeAllButLastLayers} (or {@link #layers()} with {@link Module#setTrainable}).
 */
public final class ClipVisionModel extends Module {
  private final ClipVisionConfig config;
  private final VisionTransformer visionModel;
  private final Linear visualProjection;

  /**
   * @param withProjection whether to declare {@code visual_projection} (hidden → projection_dim, no
   *     bias)
   */
  public ClipVisionModel(ClipVisionConfig config, boolean withProjection) {
    this.config = config;
    this.visionModel = child("vision_model", new VisionTransformer(config));
    this.visualProjection =
        withProjection
            ? child(
                "visual_projection", new Linear(config.hiddenSize(), config.projectionDim(), false))
            : null;
  }

  /**
   * Loads a vision tower from a folder with {@code config.json} and {@code model.safetensors} (or a
   * sharded index): a CLIPVisionModel(WithProjection) folder such as a diffusers {@code
   * image_encoder/}, or a complete CLIPModel folder (openai/clip-vit-*), from which only the vision
   * tower and {@code visual_projection} are taken. The projection is loaded when present.
   */
  public static ClipVisionModel load(Path folder, NDManager manager) throws IOException {
    try (ClipCheckpoint checkpoint = ClipCheckpoint.open(folder)) {
      return fromWeights(checkpoint.visionConfig(), checkpoint.weights(), manager);
    }
  }

  /**
   * Builds the tower and loads it strictly: keys outside {@code vision_model.*} / {@code
   * visual_projection.weight} and {@code position_ids} buffers are ignored, every other key must
   * match a parameter and its shape.
   */
  public static ClipVisionModel fromWeights(
      ClipVisionConfig config, TensorSource weights, NDManager manager) {
    boolean withProjection = weights.keys().contains("visual_projection.weight");
    ClipVisionModel model = new ClipVisionModel(config, withProjection);
    StateDict.load(
        model,
        weights,
        manager,
        k -> k,
        ClipCheckpoint.notOfTower("vision_model.", "visual_projection.weight"));
    return model;
  }

  public ClipVisionConfig config() {
    return config;
  }

  public boolean hasProjection() {
    return visualProjection != null;
  }

  /** The encoder layers in order. */
  public List<ClipEncoderLayer> layers() {
    return visionModel.encoder.layers();
  }

  /**
   * Freezes every parameter of the model except those of the last {@code count} encoder layers
   * (SketchingReality fine-tunes the last three); the frozen ones take no gradient.
   */
  public void freezeAllButLastLayers(int count) {
    List<ClipEncoderLayer> layers = layers();
    if (count < 0 || count > layers.size()) {
      throw new IllegalArgumentException(
          "cannot keep " + count + " of " + layers.size() + " layers trainable");
    }
    setTrainable(false);
    layers.subList(layers.size() - count, layers.size()).forEach(l -> l.setTrainable(true));
  }

  /** The full forward pass with every hidden state (see {@link ClipVisionOutput}). */
  public ClipVisionOutput forward(NDArray pixelValues) {
    NDArray embeddings = embed(pixelValues);
    NDArray h = visionModel.preLayrnorm.forward(embeddings);
    int layers = config.numHiddenLayers();
    List<NDArray> states = new ArrayList<>(layers + 1);
    states.add(h);
    NDArray last = visionModel.encoder.forward(h, null, 0, layers, states);
    NDArray pooled = pool(last);
    NDArray imageEmbeds = visualProjection == null ? null : visualProjection.forward(pooled);
    return new ClipVisionOutput(embeddings, states, last, pooled, imageEmbeds);
  }

  /**
   * The embeddings before pre_layrnorm: CLS + row-major patches + position embeddings.
   *
   * @param pixelValues (B, num_channels, image_size, image_size), float32
   * @return (B, 1+N, hidden)
   */
  public NDArray embed(NDArray pixelValues) {
    return visionModel.embeddings.forward(pixelValues);
  }

  /** pre_layrnorm(embeddings): the input of layer 0. */
  public NDArray preLayerNorm(NDArray embeddings) {
    return visionModel.preLayrnorm.forward(embeddings);
  }

  /**
   * Runs encoder layers [from, to) on hidden states (B, 1+N, hidden). With the early layers frozen,
   * a caller can compute their output once without gradients and run only the trainable tail.
   */
  public NDArray runLayers(NDArray hidden, int from, int to) {
    return visionModel.encoder.forward(hidden, null, from, to, null);
  }

  /** post_layernorm of the CLS token of a last hidden state: the pooled output, (B, hidden). */
  public NDArray pool(NDArray lastHiddenState) {
    ClipOps.requireRank(lastHiddenState, 3, "last hidden state");
    return visionModel.postLayernorm.forward(lastHiddenState.get(":, 0, :"));
  }

  /** get_image_features: visual_projection(pooled output), not normalised, (B, projection_dim). */
  public NDArray imageEmbeds(NDArray pixelValues) {
    requireProjection();
    return visualProjection.forward(pool(forward(pixelValues).lastHiddenState()));
  }

  /**
   * Projected patch tokens of a last hidden state: every patch token (CLS dropped) through the same
   * post_layernorm and visual_projection CLIP applies to the CLS token; not normalised.
   *
   * @param lastHiddenState (B, 1+N, hidden)
   * @return (B, N, projection_dim), patch p = y·g + x
   */
  public NDArray patchEmbeds(NDArray lastHiddenState) {
    requireProjection();
    ClipOps.requireRank(lastHiddenState, 3, "last hidden state");
    NDArray patches = lastHiddenState.get(":, 1:, :");
    return visualProjection.forward(visionModel.postLayernorm.forward(patches));
  }

  /** {@link #patchEmbeds} of the forward pass on pixels: (B, N, projection_dim). */
  public NDArray patchTokens(NDArray pixelValues) {
    return patchEmbeds(forward(pixelValues).lastHiddenState());
  }

  /**
   * Token sequence (B, N, C) in row-major patch order as a feature map (B, C, g, g), g = grid size;
   * a leading CLS token (B, 1+N, C) is dropped.
   */
  public NDArray toGrid(NDArray tokens) {
    ClipOps.requireRank(tokens, 3, "tokens");
    long b = tokens.getShape().get(0);
    long n = tokens.getShape().get(1);
    long c = tokens.getShape().get(2);
    int g = config.gridSize();
    if (n == (long) g * g + 1) {
      tokens = tokens.get(":, 1:, :");
      n--;
    }
    if (n != (long) g * g) {
      throw new IllegalArgumentException(
          "expected " + g * g + " patch tokens (grid " + g + "x" + g + "), got " + n);
    }
    return tokens.transpose(0, 2, 1).reshape(b, c, g, g);
  }

  NDArray project(NDArray pooled) {
    requireProjection();
    return visualProjection.forward(pooled);
  }

  Linear projection() {
    return visualProjection;
  }

  Module transformer() {
    return visionModel;
  }

  private void requireProjection() {
    if (visualProjection == null) {
      throw new IllegalStateException("this CLIP vision model has no visual_projection");
    }
  }

  /** The {@code vision_model} subtree. */
  private static final class VisionTransformer extends Module {
    private final Embeddings embeddings;
    private final LayerNorm preLayrnorm;
    private final ClipEncoder encoder;
    private final LayerNorm postLayernorm;

    VisionTransformer(ClipVisionConfig config) {
      this.embeddings = child("embeddings", new Embeddings(config));
      this.preLayrnorm =
          child("pre_layrnorm", new LayerNorm(config.hiddenSize(), config.layerNormEps()));
      this.encoder =
          child(
              "encoder",
              new ClipEncoder(
                  config.numHiddenLayers(),
                  config.hiddenSize(),
                  config.intermediateSize(),
                  config.numAttentionHeads(),
                  config.activation(),
                  config.layerNormEps()));
      this.postLayernorm =
          child("post_layernorm", new LayerNorm(config.hiddenSize(), config.layerNormEps()));
    }
  }

  /** {@code vision_model.embeddings}. */
  private static final class Embeddings extends Module {
    private final ClipVisionConfig config;
    private final Parameter classEmbedding;
    private final Conv2d patchEmbedding;
    private final Embedding positionEmbedding;

    Embeddings(ClipVisionConfig config) {
      this.config = config;
      int hidden = config.hiddenSize();
      this.classEmbedding =
          parameter("class_embedding", Init.normal(Math.pow(hidden, -0.5)), hidden);
      this.patchEmbedding =
          child(
              "patch_embedding",
              new Conv2d(
                  config.numChannels(), hidden, config.patchSize(), config.patchSize(), 0, false));
      this.positionEmbedding =
          child(
              "position_embedding",
              new Embedding(config.numPositions(), hidden, Init.normal(0.02)));
    }

    NDArray forward(NDArray pixels) {
      Shape s = pixels.getShape();
      int size = config.imageSize();
      if (s.dimension() != 4
          || s.get(1) != config.numChannels()
          || s.get(2) != size
          || s.get(3) != size) {
        throw new IllegalArgumentException(
            "pixel values must be (B, "
                + config.numChannels()
                + ", "
                + size
                + ", "
                + size
                + "), got "
                + s);
      }
      if (pixels.getDataType() != DataType.FLOAT32) {
        throw new IllegalArgumentException(
            "pixel values must be float32, got " + pixels.getDataType());
      }
      long b = s.get(0);
      long hidden = config.hiddenSize();
      NDArray patches = patchEmbedding.forward(pixels); // (B, hidden, g, g)
      patches = patches.reshape(b, hidden, config.numPatches()).transpose(0, 2, 1);
      NDManager m = pixels.getManager();
      NDArray cls = m.zeros(new Shape(b, 1, hidden)).add(classEmbedding.array());
      NDArray tokens = NDArrays.concat(new NDList(cls, patches), 1);
      return tokens.add(positionEmbedding.weight().array());
    }
  }
}
