package dev.sketchreal.data;

import java.util.List;
import java.util.Set;

/**
 * A folder of samples addressed by id. Loading is lazy: {@link #load} reads the files of one sample
 * and throws {@link DataException} naming the file when one is bad.
 */
public interface Dataset {
  /** Short description, e.g. "sketchworld:/data/sw (train)". */
  String name();

  /** Sample ids in a stable order. */
  List<String> ids();

  /** The sketch kinds this dataset can produce for every id. */
  Set<SampleKind> kinds();

  /** Loads one sample; throws {@link DataException} naming the file when data is bad. */
  Sample load(String id, SampleKind kind);

  /** Bad samples skipped so far (only when the dataset was opened with skipping on). */
  SkipLog skipped();

  default int size() {
    return ids().size();
  }
}
