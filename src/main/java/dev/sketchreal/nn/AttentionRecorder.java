package dev.sketchreal.nn;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.Predicate;

/**
 * Collects the cross-attention maps of one forward call (one per recorded layer, in execution
 * order). Pass one to the UNet's forward; it is per call, never stored in the model. The maps stay
 * differentiable, which the attention-supervision loss relies on.
 */
public final class AttentionRecorder {
  private final Predicate<String> layers;
  private final boolean perHead;
  private final List<AttentionMap> maps = new ArrayList<>();

  private AttentionRecorder(Predicate<String> layers, boolean perHead) {
    this.layers = layers;
    this.perHead = perHead;
  }

  /** Records every cross-attention layer, averaged over heads. */
  public static AttentionRecorder all() {
    return new AttentionRecorder(path -> true, false);
  }

  /** Records the layers whose module path passes the filter. */
  public static AttentionRecorder of(Predicate<String> layers, boolean perHead) {
    return new AttentionRecorder(layers, perHead);
  }

  public boolean records(String modulePath) {
    return layers.test(modulePath);
  }

  public boolean perHead() {
    return perHead;
  }

  void add(AttentionMap map) {
    maps.add(map);
  }

  /** The recorded maps in execution order. */
  public List<AttentionMap> maps() {
    return Collections.unmodifiableList(maps);
  }

  /** The map of one layer; fails naming the recorded layers if it is absent. */
  public AttentionMap get(String modulePath) {
    return maps.stream()
        .filter(m -> m.modulePath().equals(modulePath))
        .findFirst()
        .orElseThrow(
            () ->
                new IllegalArgumentException(
                    "no attention recorded for "
                        + modulePath
                        + "; recorded: "
                        + maps.stream().map(AttentionMap::modulePath).toList()));
  }
}
