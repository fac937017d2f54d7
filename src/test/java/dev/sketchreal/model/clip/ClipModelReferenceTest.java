package dev.sketchreal.model.clip;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.sketchreal.nn.Parameter;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Random tiny CLIPModels in configurations the fixtures do not cover (quick_gelu, other head
 * counts, image and patch sizes, batch 3, sequences shorter than max_position_embeddings, the
 * first-EOS pooling rule) against a straightforward double-precision re-implementation written from
 * the transformers description.
 */
class ClipModelReferenceTest {
  @ParameterizedTest
  @ValueSource(strings = {"quick_gelu", "gelu"})
  void matchesADoublePrecisionReference(String act) {
    ClipTextConfig text = new ClipTextConfig(60, 24, 40, 2, 3, 12, act, 1e-5, 10, 58, 59, 0);
    ClipVisionConfig vision = new ClipVisionConfig(18, 30, 10, 3, 6, 3, 20, 6, act, 1e-5);
    ClipConfig config = new ClipConfig(text, vision, 10, 2.0);
    try (NDManager manager = NDManager.newBaseManager()) {
      ClipModel model = new ClipModel(config);
      model.initialize(manager, new SplittableRandom(act.length()));
      assertThat(model.logitScale().array().getShape()).isEqualTo(new Shape());
      Map<String, Parameter> p = model.namedParameters();
      Ref ref = new Ref(p, act);

      long[][] ids = {{58, 3, 59, 7, 7, 7, 7}, {58, 4, 5, 6, 59, 59, 0}, {58, 59, 0, 0, 0, 0, 0}};
      NDArray idArray = manager.create(ids);
      int b = 3;
      int s = 20;
      double[][][][] pixels = new double[b][3][s][s];
      SplittableRandom r = new SplittableRandom(5);
      float[] flat = new float[b * 3 * s * s];
      for (int i = 0; i < flat.length; i++) {
        flat[i] = (float) (r.nextDouble() * 4 - 2);
        pixels[i / (3 * s * s)][(i / (s * s)) % 3][(i / s) % s][i % s] = flat[i];
      }
      NDArray pixelArray = manager.create(flat, new Shape(b, 3, s, s));

      // Text tower.
      ClipTextOutput out = model.textModel().forward(idArray);
      double[][][] lastRef = new double[b][][];
      double[][] pooledRef = new double[b][];
      for (int row = 0; row < b; row++) {
        double[][] h = ref.textHidden(ids[row], text);
        lastRef[row] = h;
        int eos = 0;
        while (ids[row][eos] != 59) {
          eos++;
        }
        pooledRef[row] = h[eos];
      }
      assertClose(out.lastHiddenState(), lastRef);
      assertClose(out.pooledOutput(), pooledRef);
      double[][] textEmbedsRef = ref.linear(pooledRef, "text_projection", false);
      assertClose(model.textEmbeds(idArray), textEmbedsRef);

      // Vision tower.
      ClipVisionOutput vout = model.visionModel().forward(pixelArray);
      double[][][] vlastRef = new double[b][][];
      double[][] imageRef = new double[b][];
      double[][][] patchRef = new double[b][][];
      for (int img = 0; img < b; img++) {
        double[][] h = ref.visionHidden(pixels[img], vision);
        vlastRef[img] = h;
        double[][] normed = ref.layerNorm(h, "vision_model.post_layernorm");
        imageRef[img] = ref.linear(new double[][] {normed[0]}, "visual_projection", false)[0];
        double[][] patches = new double[h.length - 1][];
        System.arraycopy(normed, 1, patches, 0, patches.length);
        patchRef[img] = ref.linear(patches, "visual_projection", false);
      }
      assertClose(vout.lastHiddenState(), vlastRef);
      assertClose(vout.imageEmbeds(), imageRef);

      // CLIPModel heads.
      double scale = Math.exp(2.0);
      double[][] logitsRef = new double[b][ids.length];
      double[][][] simRef = new double[b][][];
      for (int img = 0; img < b; img++) {
        for (int t = 0; t < ids.length; t++) {
          logitsRef[img][t] = scale * cosine(imageRef[img], textEmbedsRef[t]);
        }
        simRef[img] = new double[patchRef[img].length][ids.length];
        for (int q = 0; q < patchRef[img].length; q++) {
          for (int t = 0; t < ids.length; t++) {
            simRef[img][q][t] = cosine(patchRef[img][q], textEmbedsRef[t]);
          }
        }
      }
      assertClose(model.logitsPerImage(pixelArray, idArray), logitsRef);
      NDArray sim = model.patchTextSimilarity(pixelArray, model.textEmbeds(idArray));
      assertThat(sim.getShape()).isEqualTo(new Shape(3, 9, 3));
      assertClose(sim, simRef);
    }
  }

  private static double cosine(double[] a, double[] b) {
    double dot = 0;
    double na = 0;
    double nb = 0;
    for (int i = 0; i < a.length; i++) {
      dot += a[i] * b[i];
      na += a[i] * a[i];
      nb += b[i] * b[i];
    }
    return dot / Math.sqrt(na * nb);
  }

  private static void assertClose(NDArray actual, Object expected) {
    float[] a = actual.toFloatArray();
    double[] e = flatten(expected);
    assertThat(a.length).isEqualTo(e.length);
    double max = 0;
    for (int i = 0; i < a.length; i++) {
      max = Math.max(max, Math.abs(a[i] - e[i]) / (1 + Math.abs(e[i])));
    }
    assertThat(max).as("max relative difference").isLessThan(2e-5);
  }

  private static double[] flatten(Object o) {
    if (o instanceof double[] d) {
      return d;
    }
    Object[] parts = (Object[]) o;
    double[][] flat = new double[parts.length][];
    int total = 0;
    for (int i = 0; i < parts.length; i++) {
      flat[i] = flatten(parts[i]);
      total += flat[i].length;
    }
    double[] out = new double[total];
    int at = 0;
    for (double[] f : flat) {
      System.arraycopy(f, 0, out, at, f.length);
      at += f.length;
    }
    return out;
  }

  /** The reference forward passes on double arrays. */
  private static final class Ref {
    final Map<String, Parameter> p;
    final String act;

    Ref(Map<String, Parameter> p, String act) {
      this.p = p;
      this.act = act;
    }

    double[] w(String name) {
      float[] f = p.get(name).array().toFloatArray();
      double[] d = new double[f.length];
      for (int i = 0; i < f.length; i++) {
        d[i] = f[i];
      }
      return d;
    }

    double[][] linear(double[][] x, String prefix, boolean bias) {
      double[] weight = w(prefix + ".weight");
      double[] b = bias ? w(prefix + ".bias") : null;
      int in = x[0].length;
      int out = weight.length / in;
      double[][] y = new double[x.length][out];
      for (int n = 0; n < x.length; n++) {
        for (int o = 0; o < out; o++) {
          double s = b == null ? 0 : b[o];
          for (int i = 0; i < in; i++) {
            s += x[n][i] * weight[o * in + i];
          }
          y[n][o] = s;
        }
      }
      return y;
    }

    double[][] layerNorm(double[][] x, String prefix) {
      double[] g = w(prefix + ".weight");
      double[] b = w(prefix + ".bias");
      double[][] y = new double[x.length][x[0].length];
      for (int n = 0; n < x.length; n++) {
        double mean = 0;
        for (double v : x[n]) {
          mean += v;
        }
        mean /= x[n].length;
        double var = 0;
        for (double v : x[n]) {
          var += (v - mean) * (v - mean);
        }
        var /= x[n].length;
        for (int i = 0; i < x[n].length; i++) {
          y[n][i] = (x[n][i] - mean) / Math.sqrt(var + 1e-5) * g[i] + b[i];
        }
      }
      return y;
    }

    double activation(double x) {
      if (act.equals("quick_gelu")) {
        return x / (1 + Math.exp(-1.702 * x));
      }
      return 0.5 * x * (1 + erf(x / Math.sqrt(2)));
    }

    /** Abramowitz–Stegun 7.1.26 (|error| < 1.5e-7). */
    static double erf(double x) {
      double t = 1 / (1 + 0.3275911 * Math.abs(x));
      double y =
          1
              - t
                  * (0.254829592
                      + t
                          * (-0.284496736
                              + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))))
                  * Math.exp(-x * x);
      return x >= 0 ? y : -y;
    }

    double[][] layer(double[][] x, String prefix, int heads, boolean causal) {
      int len = x.length;
      int hidden = x[0].length;
      int d = hidden / heads;
      double[][] n1 = layerNorm(x, prefix + ".layer_norm1");
      double[][] q = linear(n1, prefix + ".self_attn.q_proj", true);
      double[][] k = linear(n1, prefix + ".self_attn.k_proj", true);
      double[][] v = linear(n1, prefix + ".self_attn.v_proj", true);
      double[][] att = new double[len][hidden];
      for (int h = 0; h < heads; h++) {
        for (int i = 0; i < len; i++) {
          double[] sc = new double[len];
          double max = Double.NEGATIVE_INFINITY;
          int upto = causal ? i + 1 : len;
          for (int j = 0; j < upto; j++) {
            double s = 0;
            for (int c = 0; c < d; c++) {
              s += q[i][h * d + c] * k[j][h * d + c];
            }
            sc[j] = s / Math.sqrt(d);
            max = Math.max(max, sc[j]);
          }
          double sum = 0;
          for (int j = 0; j < upto; j++) {
            sc[j] = Math.exp(sc[j] - max);
            sum += sc[j];
          }
          for (int j = 0; j < upto; j++) {
            for (int c = 0; c < d; c++) {
              att[i][h * d + c] += sc[j] / sum * v[j][h * d + c];
            }
          }
        }
      }
      double[][] o = linear(att, prefix + ".self_attn.out_proj", true);
      double[][] h1 = new double[len][hidden];
      for (int i = 0; i < len; i++) {
        for (int c = 0; c < hidden; c++) {
          h1[i][c] = x[i][c] + o[i][c];
        }
      }
      double[][] f = linear(layerNorm(h1, prefix + ".layer_norm2"), prefix + ".mlp.fc1", true);
      for (double[] row : f) {
        for (int c = 0; c < row.length; c++) {
          row[c] = activation(row[c]);
        }
      }
      double[][] f2 = linear(f, prefix + ".mlp.fc2", true);
      for (int i = 0; i < len; i++) {
        for (int c = 0; c < hidden; c++) {
          h1[i][c] += f2[i][c];
        }
      }
      return h1;
    }

    /** last_hidden_state of one row. */
    double[][] textHidden(long[] ids, ClipTextConfig c) {
      int hidden = c.hiddenSize();
      double[] tok = w("text_model.embeddings.token_embedding.weight");
      double[] pos = w("text_model.embeddings.position_embedding.weight");
      double[][] h = new double[ids.length][hidden];
      for (int i = 0; i < ids.length; i++) {
        for (int j = 0; j < hidden; j++) {
          h[i][j] = tok[(int) ids[i] * hidden + j] + pos[i * hidden + j];
        }
      }
      for (int l = 0; l < c.numHiddenLayers(); l++) {
        h = layer(h, "text_model.encoder.layers." + l, c.numAttentionHeads(), true);
      }
      return layerNorm(h, "text_model.final_layer_norm");
    }

    /** last_hidden_state of one image [C][S][S]. */
    double[][] visionHidden(double[][][] img, ClipVisionConfig c) {
      int hidden = c.hiddenSize();
      int ps = c.patchSize();
      int g = c.gridSize();
      double[] conv = w("vision_model.embeddings.patch_embedding.weight");
      double[] cls = w("vision_model.embeddings.class_embedding");
      double[] pos = w("vision_model.embeddings.position_embedding.weight");
      double[][] h = new double[g * g + 1][hidden];
      for (int o = 0; o < hidden; o++) {
        h[0][o] = cls[o] + pos[o];
        for (int y = 0; y < g; y++) {
          for (int x = 0; x < g; x++) {
            double s = 0;
            for (int ch = 0; ch < c.numChannels(); ch++) {
              for (int ky = 0; ky < ps; ky++) {
                for (int kx = 0; kx < ps; kx++) {
                  s +=
                      conv[((o * c.numChannels() + ch) * ps + ky) * ps + kx]
                          * img[ch][y * ps + ky][x * ps + kx];
                }
              }
            }
            int t = 1 + y * g + x;
            h[t][o] = s + pos[t * hidden + o];
          }
        }
      }
      h = layerNorm(h, "vision_model.pre_layrnorm");
      for (int l = 0; l < c.numHiddenLayers(); l++) {
        h = layer(h, "vision_model.encoder.layers." + l, c.numAttentionHeads(), false);
      }
      return h;
    }
  }
}
