package dev.sketchreal.model.clip;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.sketchreal.nn.Embedding;
import dev.sketchreal.nn.Init;
import dev.sketchreal.nn.LayerNorm;
import dev.sketchreal.nn.Linear;
import dev.sketchreal.nn.Module;
import dev.sketchreal.nn.StateDict;
import dev.sketchreal.nn.TensorSource;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The CLIP text tower in the transformers layout: {@code text_model.embeddings.{token,
 * position}_embedding}, {@code text_model.encoder.layers.N}, {@code text_model.final_layer_norm},
 * and optionally {@code text_projection} (CLIPTextModelWithProjection / CLIPModel). Pre-LayerNorm
 * blocks with a causal mask that is always applied. This is the Stable Diffusion text encoder.
 *
 * <p>Intermediate and output arrays go to the manager of the input ids; run each call in a
 * sub-manager and close it when done.
 */
public final class ClipTextModel extends Module {
  private final ClipTextConfig config;
  private final TextTransformer textModel;
  private final Linear textProjection;

  /**
   * @param withProjection whether to declare {@code text_projection} (hidden → projection_dim, no
   *     bias)
   */
  public ClipTextModel(ClipTextConfig config, boolean withProjection) {
    this.config = config;
    this.textModel = child("text_model", new TextTransformer(config));
    this.textProjection =
        withProjection
            ? child(
                "text_projection", new Linear(config.hiddenSize(), config.projectionDim(), false))
            : null;
  }

  /**
   * Loads a text tower from a folder with {@code config.json} and {@code model.safetensors} (or a
   * sharded {@code model.safetensors.index.json}): a CLIPTextModel(WithProjection) folder such as a
   * diffusers {@code text_encoder/}, or a complete CLIPModel folder (openai/clip-vit-*), from which
   * only the text tower and {@code text_projection} are taken. {@code text_projection} is loaded
   * when the checkpoint has it.
   */
  public static ClipTextModel load(Path folder, NDManager manager) throws IOException {
    try (ClipCheckpoint checkpoint = ClipCheckpoint.open(folder)) {
      return fromWeights(checkpoint.textConfig(), checkpoint.weights(), manager);
    }
  }

  /**
   * Builds the tower for {@code config} and loads it strictly from {@code weights}: keys outside
   * {@code text_model.*} / {@code text_projection.weight} (the other tower of a CLIPModel) and
   * {@code position_ids} buffers are ignored; every other key must match a parameter and its shape.
   */
  public static ClipTextModel fromWeights(
      ClipTextConfig config, TensorSource weights, NDManager manager) {
    boolean withProjection = weights.keys().contains("text_projection.weight");
    ClipTextModel model = new ClipTextModel(config, withProjection);
    StateDict.load(
        model,
        weights,
        manager,
        k -> k,
        ClipCheckpoint.notOfTower("text_model.", "text_projection.weight"));
    return model;
  }

  public ClipTextConfig config() {
    return config;
  }

  public boolean hasProjection() {
    return textProjection != null;
  }

  /** The encoder layers in order. */
  public List<ClipEncoderLayer> layers() {
    return textModel.encoder.layers();
  }

  /** Runs the tower on ids (B, L) with only the causal mask, as the Stable Diffusion pipelines. */
  public ClipTextOutput forward(NDArray inputIds) {
    return forward(inputIds, null);
  }

  /**
   * @param inputIds (B, L) token ids, L ≤ max_position_embeddings
   * @param attentionMask (B, L) 1 = token, 0 = padding, or null; combined with the causal mask like
   *     transformers does (it does not change the pooled output)
   */
  public ClipTextOutput forward(NDArray inputIds, NDArray attentionMask) {
    int layers = config.numHiddenLayers();
    List<NDArray> states = new ArrayList<>(layers + 1);
    NDArray last = textModel.run(inputIds, attentionMask, layers, states);
    NDArray lastHidden = textModel.finalLayerNorm.forward(last);
    NDArray penultimate = textModel.finalLayerNorm.forward(states.get(layers - 1));
    NDArray pooled = pool(lastHidden, inputIds);
    return new ClipTextOutput(lastHidden, pooled, states, penultimate);
  }

  /**
   * The text conditioning of the diffusion UNet: final_layer_norm(hidden_states[numLayers −
   * clipSkip]), running only the layers needed. {@code clipSkip = 0} gives last_hidden_state (SD1
   * style, also what diffusers feeds SD2 from its already truncated text encoder); {@code clipSkip
   * = 1} is the "penultimate layer" conditioning (diffusers' {@code clip_skip=1}).
   *
   * @param inputIds (B, L)
   * @return (B, L, hidden)
   */
  public NDArray encodeForDiffusion(NDArray inputIds, int clipSkip) {
    int layers = config.numHiddenLayers();
    if (clipSkip < 0 || clipSkip > layers) {
      throw new IllegalArgumentException(
          "clip skip "
              + clipSkip
              + " outside [0, "
              + layers
              + "] for a "
              + layers
              + "-layer text encoder");
    }
    NDArray h = textModel.run(inputIds, null, layers - clipSkip, null);
    return textModel.finalLayerNorm.forward(h);
  }

  /**
   * {@link #encodeForDiffusion(NDArray, int)} with clip skip 1 (penultimate layer + final norm).
   */
  public NDArray encodeForDiffusion(NDArray inputIds) {
    return encodeForDiffusion(inputIds, 1);
  }

  /**
   * get_text_features: text_projection(pooled output), not normalised, (B, projection_dim).
   *
   * @throws IllegalStateException if this tower has no projection
   */
  public NDArray textEmbeds(NDArray inputIds) {
    if (textProjection == null) {
      throw new IllegalStateException("this CLIP text model has no text_projection");
    }
    return textProjection.forward(forward(inputIds).pooledOutput());
  }

  /** text_projection applied to a pooled output (B, hidden). */
  NDArray project(NDArray pooled) {
    return textProjection.forward(pooled);
  }

  Linear projection() {
    return textProjection;
  }

  Module transformer() {
    return textModel;
  }

  /**
   * The position whose last hidden state is the pooled output, per row: with the legacy {@code
   * eos_token_id} 2 the first maximum of the row (EOS 49407 is the largest id), otherwise the first
   * position equal to {@code eos_token_id} (0 if the row has none), as transformers 4.38.
   */
  public long[] poolingPositions(NDArray inputIds) {
    ClipOps.requireRank(inputIds, 2, "input_ids");
    int rows = Math.toIntExact(inputIds.getShape().get(0));
    int len = Math.toIntExact(inputIds.getShape().get(1));
    long[] ids = inputIds.toType(DataType.INT64, false).toLongArray();
    long[] positions = new long[rows];
    boolean legacy = config.eosTokenId() == ClipTextConfig.LEGACY_EOS_TOKEN_ID;
    for (int r = 0; r < rows; r++) {
      int best = 0;
      for (int i = 0; i < len; i++) {
        long id = ids[r * len + i];
        if (legacy ? id > ids[r * len + best] : id == config.eosTokenId()) {
          best = i;
          if (!legacy) {
            break;
          }
        }
      }
      positions[r] = best;
    }
    return positions;
  }

  private NDArray pool(NDArray lastHidden, NDArray inputIds) {
    long[] positions = poolingPositions(inputIds);
    long len = lastHidden.getShape().get(1);
    long hidden = lastHidden.getShape().get(2);
    long[] flat = new long[positions.length];
    for (int r = 0; r < positions.length; r++) {
      flat[r] = r * len + positions[r];
    }
    NDManager m = lastHidden.getManager();
    return lastHidden.reshape(positions.length * len, hidden).get(m.create(flat));
  }

  /** The {@code text_model} subtree. */
  private static final class TextTransformer extends Module {
    private final ClipTextConfig config;
    private final Embeddings embeddings;
    private final ClipEncoder encoder;
    private final LayerNorm finalLayerNorm;

    TextTransformer(ClipTextConfig config) {
      this.config = config;
      this.embeddings = child("embeddings", new Embeddings(config));
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
      this.finalLayerNorm =
          child("final_layer_norm", new LayerNorm(config.hiddenSize(), config.layerNormEps()));
    }

    /** Embeds and runs the first {@code layers} layers; states (if non-null) gets every output. */
    NDArray run(NDArray inputIds, NDArray attentionMask, int layers, List<NDArray> states) {
      ClipOps.requireRank(inputIds, 2, "input_ids");
      long len = inputIds.getShape().get(1);
      if (len < 1 || len > config.maxPositionEmbeddings()) {
        throw new IllegalArgumentException(
            "sequence length "
                + len
                + " outside [1, "
                + config.maxPositionEmbeddings()
                + "] (max_position_embeddings)");
      }
      checkIds(inputIds);
      NDManager m = inputIds.getManager();
      NDArray h = embeddings.forward(inputIds);
      if (states != null) {
        states.add(h);
      }
      NDArray mask = ClipOps.causalMask(m, (int) len);
      if (attentionMask != null) {
        if (!attentionMask.getShape().equals(inputIds.getShape())) {
          throw new IllegalArgumentException(
              "attention mask shape "
                  + attentionMask.getShape()
                  + " differs from input_ids "
                  + inputIds.getShape());
        }
        long b = inputIds.getShape().get(0);
        NDArray padding =
            attentionMask
                .toType(DataType.FLOAT32, false)
                .neg()
                .add(1f)
                .mul(-Float.MAX_VALUE)
                .reshape(b, 1, 1, len);
        mask = padding.add(mask); // (B, 1, L, L)
      }
      return encoder.forward(h, mask, 0, layers, states);
    }

    private void checkIds(NDArray inputIds) {
      long[] ids = inputIds.toType(DataType.INT64, false).toLongArray();
      for (long id : ids) {
        if (id < 0 || id >= config.vocabSize()) {
          throw new IllegalArgumentException(
              "token id " + id + " outside the vocabulary [0, " + config.vocabSize() + ")");
        }
      }
    }
  }

  /** {@code text_model.embeddings}: token embedding + position embedding of positions 0..L−1. */
  private static final class Embeddings extends Module {
    private final Embedding tokenEmbedding;
    private final Embedding positionEmbedding;

    Embeddings(ClipTextConfig config) {
      this.tokenEmbedding =
          child(
              "token_embedding",
              new Embedding(config.vocabSize(), config.hiddenSize(), Init.normal(0.02)));
      this.positionEmbedding =
          child(
              "position_embedding",
              new Embedding(
                  config.maxPositionEmbeddings(), config.hiddenSize(), Init.normal(0.02)));
    }

    /** (B, L) -> (B, L, hidden). */
    NDArray forward(NDArray inputIds) {
      NDManager m = inputIds.getManager();
      NDArray tokens = ClipOps.rows(tokenEmbedding.weight().array(), inputIds, m);
      long len = inputIds.getShape().get(1);
      return tokens.add(ClipOps.firstRows(positionEmbedding.weight().array(), len, m));
    }
  }
}
