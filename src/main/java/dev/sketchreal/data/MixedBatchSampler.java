package dev.sketchreal.data;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Draws training batches that are half hand-drawn, half synthetic (METHOD.md §6). Each kind walks
 * through its own seeded permutation of ids (reshuffled every epoch), so the stream of batches is a
 * pure function of (datasets, batch size, seed). With an odd batch size the extra sample alternates
 * between the kinds, keeping the long-run ratio at exactly 50/50.
 *
 * <p>Bad samples: a {@link DataException} propagates, unless the dataset was opened with skipping
 * on; then it is recorded in that dataset's {@link SkipLog} and another id is drawn.
 */
public final class MixedBatchSampler {
  /** Which sample to load. */
  public record Ref(String id, SampleKind kind) {}

  private static final int MAX_REDRAWS = 1000;
  private final Stream handDrawn;
  private final Stream synthetic;
  private final int batchSize;
  private long batches;

  /**
   * @param handDrawn source of {@link SampleKind#HAND_DRAWN} samples
   * @param synthetic source of {@link SampleKind#SYNTHETIC} samples (may be the same dataset)
   */
  public MixedBatchSampler(Dataset handDrawn, Dataset synthetic, int batchSize, long seed) {
    if (batchSize < 2) {
      throw new IllegalArgumentException(
          "a mixed batch needs at least 2 samples, got " + batchSize);
    }
    SplittableRandom root = new SplittableRandom(seed);
    this.handDrawn = new Stream(handDrawn, SampleKind.HAND_DRAWN, root.split());
    this.synthetic = new Stream(synthetic, SampleKind.SYNTHETIC, root.split());
    this.batchSize = batchSize;
  }

  /** The ids and kinds of the next batch: hand-drawn first, then synthetic. */
  public List<Ref> nextRefs() {
    int hand = batchSize / 2 + (batchSize % 2 == 1 && batches % 2 == 0 ? 1 : 0);
    batches++;
    List<Ref> refs = new ArrayList<>(batchSize);
    for (int i = 0; i < hand; i++) {
      refs.add(new Ref(handDrawn.next(), SampleKind.HAND_DRAWN));
    }
    for (int i = hand; i < batchSize; i++) {
      refs.add(new Ref(synthetic.next(), SampleKind.SYNTHETIC));
    }
    return refs;
  }

  /** Loads the next batch, replacing skipped bad samples by further draws of the same kind. */
  public List<Sample> next() {
    List<Sample> out = new ArrayList<>(batchSize);
    for (Ref ref : nextRefs()) {
      Stream stream = ref.kind() == SampleKind.HAND_DRAWN ? handDrawn : synthetic;
      out.add(stream.load(ref.id()));
    }
    return out;
  }

  /** One kind's endless shuffled walk over a dataset's ids. */
  private static final class Stream {
    private final Dataset dataset;
    private final SampleKind kind;
    private final SplittableRandom random;
    private final List<String> ids;
    private int[] order;
    private int position;

    Stream(Dataset dataset, SampleKind kind, SplittableRandom random) {
      if (!dataset.kinds().contains(kind)) {
        throw new IllegalArgumentException(dataset.name() + " has no " + kind + " sketches");
      }
      if (dataset.ids().isEmpty()) {
        throw new IllegalArgumentException(dataset.name() + " is empty");
      }
      this.dataset = dataset;
      this.kind = kind;
      this.random = random;
      this.ids = List.copyOf(dataset.ids());
      this.order = new int[ids.size()];
      this.position = order.length; // forces a shuffle on first use
    }

    String next() {
      if (position == order.length) {
        shuffle();
      }
      return ids.get(order[position++]);
    }

    Sample load(String firstId) {
      String id = firstId;
      for (int attempt = 0; attempt < MAX_REDRAWS; attempt++) {
        try {
          return dataset.load(id, kind);
        } catch (DataException e) {
          dataset.skipped().handle(e); // rethrows unless skipping is on
          id = next();
        }
      }
      throw new IllegalStateException(
          "gave up after " + MAX_REDRAWS + " bad samples in a row in " + dataset.name());
    }

    // Fisher-Yates with the stream's own generator.
    private void shuffle() {
      for (int i = 0; i < order.length; i++) {
        order[i] = i;
      }
      for (int i = order.length - 1; i > 0; i--) {
        int j = random.nextInt(i + 1);
        int t = order[i];
        order[i] = order[j];
        order[j] = t;
      }
      position = 0;
    }
  }
}
