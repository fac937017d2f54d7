package dev.sketchreal.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;

/**
 * Multi-head attention in the diffusers layout ({@code to_q, to_k, to_v, to_out.0}): softmax(scale
 * · Q·Kᵀ)·V with the probabilities available for recording. Long query sequences are processed in
 * slices so that the (B, heads, queries, keys) score tensor never exceeds {@link #SLICE_ELEMENTS}
 * elements: at 4096 tokens a full score matrix per call is hundreds of MB, and slicing keeps memory
 * bounded without changing the result.
 */
public final class Attention extends Module {
  /**
   * Upper bound on elements of one score slice: 2^20 floats = 4 MB, so a slice's scores stay in
   * cache between the QKᵀ product, the softmax and the PV product. Measured on 2 cores at 4096
   * tokens (2 × 5 heads × 16 dims): 2^19–2^20 ≈ 200 ms per call, 2^23 ≈ 280 ms, unsliced ≈ 540 ms;
   * below 2^18 per-slice overhead dominates.
   */
  static final long SLICE_ELEMENTS = Long.getLong("sketchreal.attention.slice_elements", 1L << 20);

  private final Linear toQ;
  private final Linear toK;
  private final Linear toV;
  private final Linear toOut;
  private final int heads;
  private final long headDim;
  private final float scale;
  private GroupNorm groupNorm;

  /**
   * @param queryDim channels of the queries (and of the output)
   * @param contextDim channels of the keys/values source (= queryDim for self-attention)
   * @param heads number of heads; head size = queryDim / heads
   * @param qkvBias whether to_q/to_k/to_v have a bias (false in UNet transformers, true in the VAE)
   */
  public Attention(long queryDim, long contextDim, int heads, boolean qkvBias) {
    if (queryDim % heads != 0) {
      throw new IllegalArgumentException(
          queryDim + " channels not divisible by " + heads + " heads");
    }
    this.heads = heads;
    this.headDim = queryDim / heads;
    this.scale = (float) (1.0 / Math.sqrt(headDim));
    this.toQ = child("to_q", new Linear(queryDim, queryDim, qkvBias));
    this.toK = child("to_k", new Linear(contextDim, queryDim, qkvBias));
    this.toV = child("to_v", new Linear(contextDim, queryDim, qkvBias));
    ModuleList<Linear> out = child("to_out", new ModuleList<>());
    this.toOut = out.add(new Linear(queryDim, queryDim, true));
  }

  /**
   * The VAE's spatial self-attention: a single module with a {@code group_norm} on its input and a
   * residual connection, applied to a feature map.
   */
  public static Attention spatial(long channels, int groups, double eps) {
    Attention a = new Attention(channels, channels, 1, true);
    a.groupNorm = a.child("group_norm", new GroupNorm(groups, channels, eps));
    return a;
  }

  /** (B, C, H, W) -> (B, C, H, W): group norm, self-attention over H·W tokens, + input. */
  public NDArray forwardSpatial(NDArray x) {
    long b = x.getShape().get(0);
    long c = x.getShape().get(1);
    long h = x.getShape().get(2);
    long w = x.getShape().get(3);
    NDArray hidden = groupNorm == null ? x : groupNorm.forward(x);
    hidden = hidden.reshape(b, c, h * w).transpose(0, 2, 1); // (B, HW, C)
    NDArray out = forward(hidden, null, null).transpose(0, 2, 1).reshape(b, c, h, w);
    return InPlace.add(out, x);
  }

  public int heads() {
    return heads;
  }

  /**
   * @param x (B, N, queryDim)
   * @param context (B, M, contextDim), or null for self-attention
   * @param sink receives the probabilities when non-null (see {@link AttentionMap})
   * @return (B, N, queryDim)
   */
  public NDArray forward(NDArray x, NDArray context, ProbabilitySink sink) {
    NDArray kv = context == null ? x : context;
    NDArray q = splitHeads(Scalars.mul(toQ.forward(x), scale)); // (B, h, N, d)
    NDArray kT = splitHeads(toK.forward(kv)).transpose(0, 1, 3, 2); // (B, h, d, M)
    NDArray v = splitHeads(toV.forward(kv)); // (B, h, M, d)
    NDArray attended = attend(q, kT, v, sink); // (B, h, N, d)
    long b = x.getShape().get(0);
    long n = x.getShape().get(1);
    return toOut.forward(attended.transpose(0, 2, 1, 3).reshape(b, n, heads * headDim));
  }

  private NDArray attend(NDArray q, NDArray kT, NDArray v, ProbabilitySink sink) {
    long b = q.getShape().get(0);
    long n = q.getShape().get(2);
    long m = kT.getShape().get(3);
    long slice = Math.max(1, Math.min(n, SLICE_ELEMENTS / Math.max(1, b * heads * m)));
    if (slice >= n) {
      NDArray probs = q.matMul(kT).softmax(-1); // (B, h, N, M)
      if (sink != null) {
        sink.accept(summarise(probs, sink));
      }
      return probs.matMul(v);
    }
    NDList outs = new NDList();
    NDList recorded = new NDList();
    for (long start = 0; start < n; start += slice) {
      long end = Math.min(n, start + slice);
      NDArray qs = q.get(":, :, " + start + ":" + end + ", :");
      NDArray probs = qs.matMul(kT).softmax(-1); // (B, h, slice, M)
      if (sink != null) {
        recorded.add(summarise(probs, sink));
      }
      outs.add(probs.matMul(v));
    }
    if (sink != null) {
      sink.accept(NDArrays.concat(recorded, sink.perHead() ? 2 : 1));
    }
    return NDArrays.concat(outs, 2);
  }

  private static NDArray summarise(NDArray probs, ProbabilitySink sink) {
    return sink.perHead() ? probs : probs.mean(new int[] {1});
  }

  /** (B, L, h·d) -> (B, h, L, d). */
  private NDArray splitHeads(NDArray t) {
    long b = t.getShape().get(0);
    long len = t.getShape().get(1);
    return t.reshape(b, len, heads, headDim).transpose(0, 2, 1, 3);
  }

  /** Receives the attention probabilities of one call. */
  public interface ProbabilitySink {
    /** True: (B, heads, N, M); false: averaged over heads, (B, N, M). */
    boolean perHead();

    void accept(NDArray probs);

    /** A sink that adds an {@link AttentionMap} for the given layer to a recorder. */
    static ProbabilitySink into(
        AttentionRecorder recorder, String path, int height, int width, int heads) {
      if (recorder == null || !recorder.records(path)) {
        return null;
      }
      return new ProbabilitySink() {
        @Override
        public boolean perHead() {
          return recorder.perHead();
        }

        @Override
        public void accept(NDArray probs) {
          recorder.add(new AttentionMap(path, height, width, heads, probs));
        }
      };
    }
  }
}
